package dev.cinderoperator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.workload.Hashes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates or updates owned objects without server-side apply. The hash of what the operator wants
 * is stamped on the object: a stamp that differs means the operator's wish changed, and the object
 * is replaced. A matching stamp is not enough, since someone may have edited the object since: the
 * live object is compared with the desired one on the fields the operator owns ({@link
 * OwnedFields}) and put back when they differ (drift). A reconcile with nothing changed writes
 * nothing; fields the API server defaults are not owned, and whatever the server (or a mutating
 * webhook) made of the operator's last write is remembered as that write, so neither causes an
 * update loop.
 */
public class ObjectApplier {
  public static final String APPLIED_HASH = "cinder.operator.dev/applied-hash";
  private static final Logger LOG = LoggerFactory.getLogger(ObjectApplier.class);

  private final KubernetesClient client;

  /** Per cluster ({@code namespace/name}), per object uid: the owned fields as last stored. */
  private final Map<String, Map<String, String>> stored = new ConcurrentHashMap<>();

  /**
   * Per cluster, per object uid: the live version and desired hash last found to match on every
   * owned field. The same version of the live object against the same desired object matches again,
   * so the field-by-field comparison (two conversions to JSON trees per object, about half of a
   * steady reconcile) runs only when either changed.
   */
  private final Map<String, Map<String, String>> matched = new ConcurrentHashMap<>();

  public ObjectApplier(KubernetesClient client) {
    this.client = client;
  }

  /** What happened to one object. */
  public enum Result {
    CREATED,
    UPDATED,
    /** Someone changed a field the operator owns; it was put back. */
    REVERTED,
    UNCHANGED
  }

  /**
   * @param result what was done
   * @param live the object as it is now (after a write, the stored one); null if unknown
   * @param drift for {@link Result#REVERTED}: the owned fields that had been changed
   */
  public record Applied(Result result, HasMetadata live, List<String> drift) {}

  /** Forgets what was stored for a cluster (it is gone). */
  public void forget(String clusterKey) {
    stored.remove(clusterKey);
    matched.remove(clusterKey);
  }

  /** How many objects' stored shapes are remembered for a cluster. */
  public int heldFor(String clusterKey) {
    Map<String, String> m = stored.get(clusterKey);
    return m == null ? 0 : m.size();
  }

  /**
   * @param current the object as last observed (informer cache), empty when absent
   */
  public <T extends HasMetadata> Result apply(
      CinderCluster owner, T desired, Optional<? extends HasMetadata> current) {
    return applyAndReport(owner, desired, current).result();
  }

  /**
   * Creates, updates, reverts or leaves the object, and says which.
   *
   * @param current the object as last observed (informer cache), empty when absent
   */
  public <T extends HasMetadata> Applied applyAndReport(
      CinderCluster owner, T desired, Optional<? extends HasMetadata> current) {
    desired.getMetadata().setOwnerReferences(List.of(ownerReference(owner)));
    String hash = Hashes.sha256(client.getKubernetesSerialization().asJson(desired));
    if (desired.getMetadata().getAnnotations() == null) {
      desired.getMetadata().setAnnotations(new HashMap<>());
    }
    desired.getMetadata().getAnnotations().put(APPLIED_HASH, hash);
    String cluster = clusterKey(owner);
    if (current.isEmpty()) {
      HasMetadata created = create(client, desired);
      if (created == null) {
        // created by an earlier reconcile; the cache has not seen it yet
        return new Applied(Result.UNCHANGED, null, List.of());
      }
      remember(cluster, created);
      LOG.info(
          "created cluster={} kind={} name={}",
          owner.getMetadata().getName(),
          desired.getKind(),
          desired.getMetadata().getName());
      return new Applied(Result.CREATED, created, List.of());
    }
    HasMetadata existing = current.get();
    var annotations = existing.getMetadata().getAnnotations();
    List<String> drift = List.of();
    if (annotations != null && hash.equals(annotations.get(APPLIED_HASH))) {
      String version = existing.getMetadata().getResourceVersion() + " " + hash;
      Map<String, String> matches =
          matched.computeIfAbsent(cluster, k -> new ConcurrentHashMap<>());
      String uid = existing.getMetadata().getUid();
      if (uid != null && version.equals(matches.get(uid))) {
        return new Applied(Result.UNCHANGED, existing, drift);
      }
      JsonNode live = tree(existing);
      drift = OwnedFields.differences(tree(desired), live);
      if (drift.isEmpty() && uid != null && existing.getMetadata().getResourceVersion() != null) {
        matches.put(uid, version);
      }
      if (drift.isEmpty() || isLastStored(cluster, existing, live)) {
        return new Applied(Result.UNCHANGED, existing, drift);
      }
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    keepStatus(existing, desired);
    HasMetadata updated = client.resource(desired).update();
    remember(cluster, updated);
    if (!drift.isEmpty()) {
      LOG.warn(
          "reverted cluster={} kind={} name={} changed={}",
          owner.getMetadata().getName(),
          desired.getKind(),
          desired.getMetadata().getName(),
          drift);
      return new Applied(Result.REVERTED, updated, drift);
    }
    LOG.info(
        "updated cluster={} kind={} name={}",
        owner.getMetadata().getName(),
        desired.getKind(),
        desired.getMetadata().getName());
    return new Applied(Result.UPDATED, updated, List.of());
  }

  private JsonNode tree(HasMetadata object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }

  /** The object's owned parts (everything but status and most metadata), hashed. */
  private String ownedHash(JsonNode live) {
    ObjectNode owned = live.deepCopy();
    owned.remove(List.of("status", "metadata", "apiVersion", "kind"));
    owned.set("labels", live.path("metadata").path("labels"));
    owned.set("ownerReferences", live.path("metadata").path("ownerReferences"));
    return Hashes.sha256(owned.toString());
  }

  private void remember(String cluster, HasMetadata stored) {
    if (stored == null || stored.getMetadata().getUid() == null) {
      return;
    }
    this.stored
        .computeIfAbsent(cluster, k -> new ConcurrentHashMap<>())
        .put(stored.getMetadata().getUid(), ownedHash(tree(stored)));
  }

  /** The live object is exactly what the API server made of this operator's last write. */
  private boolean isLastStored(String cluster, HasMetadata existing, JsonNode live) {
    Map<String, String> m = stored.get(cluster);
    String last = m == null ? null : m.get(existing.getMetadata().getUid());
    return last != null && last.equals(ownedHash(live));
  }

  static String clusterKey(CinderCluster owner) {
    return owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName();
  }

  /**
   * Creates the object; false when one of that name already exists. The informer cache can lag
   * behind a create of this operator's own (the next reconcile may come from another event first),
   * and names here are deterministic, so "already exists" means the earlier create landed.
   */
  public static boolean createIfAbsent(KubernetesClient client, HasMetadata object) {
    return create(client, object) != null;
  }

  /** The created object as stored; null when one of that name already exists. */
  private static HasMetadata create(KubernetesClient client, HasMetadata object) {
    try {
      return client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        LOG.debug(
            "{} {} exists already (informer cache behind)",
            object.getKind(),
            object.getMetadata().getName());
        return null;
      }
      throw e;
    }
  }

  public void delete(CinderCluster owner, HasMetadata object) {
    client.resource(object).delete();
    Map<String, String> m = stored.get(clusterKey(owner));
    if (m != null && object.getMetadata().getUid() != null) {
      m.remove(object.getMetadata().getUid());
    }
    Map<String, String> seen = matched.get(clusterKey(owner));
    if (seen != null && object.getMetadata().getUid() != null) {
      seen.remove(object.getMetadata().getUid());
    }
    LOG.info(
        "deleted cluster={} kind={} name={}",
        owner.getMetadata().getName(),
        object.getKind(),
        object.getMetadata().getName());
  }

  // A PUT carries the whole object; keep the status the controllers wrote.
  private static void keepStatus(HasMetadata existing, HasMetadata desired) {
    if (existing instanceof StatefulSet e && desired instanceof StatefulSet d) {
      d.setStatus(e.getStatus());
    } else if (existing instanceof Deployment e && desired instanceof Deployment d) {
      d.setStatus(e.getStatus());
    } else if (existing instanceof Service e && desired instanceof Service d) {
      d.setStatus(e.getStatus());
      if (d.getSpec().getClusterIP() == null) {
        d.getSpec().setClusterIP(e.getSpec().getClusterIP());
        d.getSpec().setClusterIPs(e.getSpec().getClusterIPs());
      }
    } else if (existing instanceof PodDisruptionBudget e
        && desired instanceof PodDisruptionBudget d) {
      d.setStatus(e.getStatus());
    }
  }

  public static OwnerReference ownerReference(CinderCluster owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
