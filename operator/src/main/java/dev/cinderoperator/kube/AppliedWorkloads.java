package dev.cinderoperator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@link ClusterDriver#applyWorkloads} last applied to each cluster: the inputs' fingerprint
 * and the applied hash of every object. When neither the inputs nor the observed objects changed,
 * every object would come out UNCHANGED again, so building and hashing them is skipped; at 100
 * clusters that was most of the operator's CPU. Anything different (an input, an object missing,
 * deleting, carrying another hash or another resourceVersion, or a workload the spec no longer has)
 * takes the full path, which decides exactly as before; a moved resourceVersion (an edit, or a
 * controller's status write) has the owned fields compared again there, so drift is put back.
 */
final class AppliedWorkloads {
  private record Applied(
      String ownerUid,
      String fingerprint,
      Map<String, String> hashes,
      Map<String, String> versions) {}

  private final Map<String, Applied> byCluster = new ConcurrentHashMap<>();

  static String key(HasMetadata o) {
    return o.getKind() + "/" + o.getMetadata().getName();
  }

  boolean unchanged(String cluster, String ownerUid, String fingerprint, ObservedObjects observed) {
    Applied last = byCluster.get(cluster);
    if (last == null
        || !last.ownerUid().equals(ownerUid)
        || !last.fingerprint().equals(fingerprint)) {
      return false;
    }
    for (Map.Entry<String, String> e : last.hashes().entrySet()) {
      int slash = e.getKey().indexOf('/');
      Optional<HasMetadata> o =
          observed.find(e.getKey().substring(0, slash), e.getKey().substring(slash + 1));
      if (o.isEmpty() || o.get().getMetadata().getDeletionTimestamp() != null) {
        return false;
      }
      Map<String, String> annotations = o.get().getMetadata().getAnnotations();
      if (annotations == null
          || !e.getValue().equals(annotations.get(ObjectApplier.APPLIED_HASH))
          || !java.util.Objects.equals(
              last.versions().get(e.getKey()), o.get().getMetadata().getResourceVersion())) {
        return false;
      }
    }
    List<HasMetadata> removable = new ArrayList<>(observed.statefulSets());
    removable.addAll(observed.disruptionBudgets());
    return removable.stream()
        .allMatch(
            o ->
                o.getMetadata().getDeletionTimestamp() != null
                    || last.hashes().containsKey(key(o)));
  }

  void remember(
      String cluster,
      String ownerUid,
      String fingerprint,
      Map<String, String> hashes,
      Map<String, String> versions) {
    if (versions.size() != hashes.size() || versions.containsValue(null)) {
      byCluster.remove(cluster); // a version not known yet: take the full path next time
      return;
    }
    byCluster.put(
        cluster, new Applied(ownerUid, fingerprint, Map.copyOf(hashes), Map.copyOf(versions)));
  }

  void forget(String cluster) {
    byCluster.remove(cluster);
  }

  /** Whether anything is remembered for a cluster (0 or 1). */
  int heldFor(String cluster) {
    return byCluster.containsKey(cluster) ? 1 : 0;
  }
}
