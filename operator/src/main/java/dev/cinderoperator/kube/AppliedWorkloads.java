package dev.cinderoperator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
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
 * deleting, carrying another hash or another {@link #identity}, or a workload the spec no longer
 * has) takes the full path, which decides exactly as before, and has the owned fields compared
 * again there, so drift is put back.
 *
 * <p>An object is "the same" by its {@link #identity}. StatefulSets, Deployments and
 * PodDisruptionBudgets get a new generation from the API server whenever their spec changes, and
 * their controllers write status many times a second while pods roll: for them the identity is the
 * generation and the metadata the operator owns, so a status write does not rebuild 23 workloads.
 * For anything else it is the resourceVersion.
 */
final class AppliedWorkloads {
  private record Applied(
      String ownerUid,
      String fingerprint,
      Map<String, String> hashes,
      Map<String, Identity> identities) {}

  /**
   * What must stay equal for an applied object to be unchanged. Generation plus labels, annotations
   * and owners where the API server moves the generation on every spec change (the resourceVersion
   * null); the resourceVersion alone elsewhere. Compared by value, built without copying: the
   * objects are the informer's and the API server's answers, which nothing mutates.
   */
  record Identity(
      String resourceVersion,
      Long generation,
      Map<String, String> labels,
      Map<String, String> annotations,
      List<OwnerReference> owners) {}

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
          || !java.util.Objects.equals(last.identities().get(e.getKey()), identity(o.get()))) {
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
      Map<String, Identity> identities) {
    if (identities.size() != hashes.size() || identities.containsValue(null)) {
      byCluster.remove(cluster); // an object not known yet: take the full path next time
      return;
    }
    byCluster.put(
        cluster, new Applied(ownerUid, fingerprint, Map.copyOf(hashes), Map.copyOf(identities)));
  }

  /** The object's {@link Identity}; null when unknown. */
  static Identity identity(HasMetadata o) {
    if (o == null) {
      return null;
    }
    ObjectMeta m = o.getMetadata();
    boolean generational =
        o instanceof StatefulSet || o instanceof Deployment || o instanceof PodDisruptionBudget;
    if (!generational || m.getGeneration() == null) {
      return m.getResourceVersion() == null
          ? null
          : new Identity(m.getResourceVersion(), null, null, null, null);
    }
    return new Identity(
        null, m.getGeneration(), m.getLabels(), m.getAnnotations(), m.getOwnerReferences());
  }

  void forget(String cluster) {
    byCluster.remove(cluster);
  }

  /** Whether anything is remembered for a cluster (0 or 1). */
  int heldFor(String cluster) {
    return byCluster.containsKey(cluster) ? 1 : 0;
  }
}
