package dev.cinderoperator.kube;

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
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates or updates owned objects without server-side apply. The hash of what the operator wants
 * is stamped on the object; an object whose stamp matches is left alone, so a reconcile with
 * nothing changed writes nothing, and fields the API server defaults never cause a loop.
 */
public class ObjectApplier {
  public static final String APPLIED_HASH = "cinder.operator.dev/applied-hash";
  private static final Logger LOG = LoggerFactory.getLogger(ObjectApplier.class);

  private final KubernetesClient client;

  public ObjectApplier(KubernetesClient client) {
    this.client = client;
  }

  /** What happened to one object. */
  public enum Result {
    CREATED,
    UPDATED,
    UNCHANGED
  }

  /**
   * @param current the object as last observed (informer cache), empty when absent
   */
  public <T extends HasMetadata> Result apply(
      CinderCluster owner, T desired, Optional<? extends HasMetadata> current) {
    desired.getMetadata().setOwnerReferences(List.of(ownerReference(owner)));
    String hash = Hashes.sha256(client.getKubernetesSerialization().asJson(desired));
    if (desired.getMetadata().getAnnotations() == null) {
      desired.getMetadata().setAnnotations(new HashMap<>());
    }
    desired.getMetadata().getAnnotations().put(APPLIED_HASH, hash);
    if (current.isEmpty()) {
      if (!createIfAbsent(client, desired)) {
        return Result.UNCHANGED; // created by an earlier reconcile; the cache has not seen it yet
      }
      LOG.info(
          "created cluster={} kind={} name={}",
          owner.getMetadata().getName(),
          desired.getKind(),
          desired.getMetadata().getName());
      return Result.CREATED;
    }
    HasMetadata existing = current.get();
    var annotations = existing.getMetadata().getAnnotations();
    if (annotations != null && hash.equals(annotations.get(APPLIED_HASH))) {
      return Result.UNCHANGED;
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    keepStatus(existing, desired);
    client.resource(desired).update();
    LOG.info(
        "updated cluster={} kind={} name={}",
        owner.getMetadata().getName(),
        desired.getKind(),
        desired.getMetadata().getName());
    return Result.UPDATED;
  }

  /**
   * Creates the object; false when one of that name already exists. The informer cache can lag
   * behind a create of this operator's own (the next reconcile may come from another event first),
   * and names here are deterministic, so "already exists" means the earlier create landed.
   */
  public static boolean createIfAbsent(KubernetesClient client, HasMetadata object) {
    try {
      client.resource(object).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        LOG.debug(
            "{} {} exists already (informer cache behind)",
            object.getKind(),
            object.getMetadata().getName());
        return false;
      }
      throw e;
    }
  }

  public void delete(CinderCluster owner, HasMetadata object) {
    client.resource(object).delete();
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
