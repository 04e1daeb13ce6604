package dev.cinderoperator.sim.node;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which deleted pods the kubelet has finished terminating. The mock API server forgets a pod the
 * moment it is deleted; a real pod stays Terminating until its process is gone, and a StatefulSet
 * does not reuse its name before. Controllers ask here instead.
 */
public final class PodTerminations {
  private final Set<String> terminating = ConcurrentHashMap.newKeySet();
  private final Set<String> gone = ConcurrentHashMap.newKeySet();

  void terminating(String uid) {
    terminating.add(uid);
  }

  void gone(String uid) {
    terminating.remove(uid);
    gone.add(uid);
  }

  /** Whether the pod with this uid has been deleted and its process has stopped. */
  public boolean isGone(String uid) {
    return gone.contains(uid);
  }

  public boolean isTerminating(String uid) {
    return terminating.contains(uid);
  }
}
