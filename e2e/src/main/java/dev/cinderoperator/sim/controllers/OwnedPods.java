package dev.cinderoperator.sim.controllers;

import dev.cinderoperator.sim.informers.ControlLoop;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * One pass of a pod-owning controller: the pods each owner controls, then each owner reconciled
 * with its pods. Pods whose owner is gone are left alone, as real controllers leave them: the API
 * server's garbage collector deletes them.
 */
final class OwnedPods {
  private OwnedPods() {}

  static <T extends HasMetadata> void reconcileEach(
      ControlLoop loop,
      String kind,
      List<T> owners,
      List<Pod> pods,
      BiConsumer<T, List<Pod>> reconcile) {
    Set<String> uids =
        owners.stream().map(o -> o.getMetadata().getUid()).collect(Collectors.toSet());
    Map<String, List<Pod>> owned = new HashMap<>();
    for (Pod pod : pods) {
      var owner = PodTemplates.controllerOf(pod, kind);
      if (owner == null) {
        continue;
      }
      if (!uids.contains(owner.getUid())) {
        continue;
      }
      owned.computeIfAbsent(owner.getUid(), k -> new ArrayList<>()).add(pod);
    }
    for (T owner : owners) {
      String uid = owner.getMetadata().getUid();
      List<Pod> its = owned.getOrDefault(uid, List.of());
      String state = stateOf(owner, its);
      if (loop.unchangedSinceLastPass(uid, state)) {
        continue;
      }
      try {
        reconcile.accept(owner, its);
        loop.reconciledOn(uid, state);
      } catch (KubernetesClientException e) {
        // a conflict with another writer; the next pass sees the new state
      }
    }
  }

  /** The owner's and its pods' resourceVersions: any change to them makes a new state. */
  private static String stateOf(HasMetadata owner, List<Pod> pods) {
    StringBuilder b = new StringBuilder(String.valueOf(owner.getMetadata().getResourceVersion()));
    for (Pod p : pods) {
      b.append(',').append(p.getMetadata().getName()).append('=');
      b.append(p.getMetadata().getResourceVersion());
    }
    return b.toString();
  }
}
