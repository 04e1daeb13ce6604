package dev.cinderoperator.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Optimistic-lock conflicts: another writer (a controller updating status, a person) changed the
 * object between the operator's read and its write. Normal on a busy cluster; the next reconcile
 * reads the new version and writes again.
 */
public final class Conflicts {
  private Conflicts() {}

  /** Whether {@code e}, or what caused it, is an HTTP 409 from the API server. */
  public static boolean isConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == 409) {
        return true;
      }
    }
    return false;
  }
}
