package dev.cinderoperator.sim.controllers;

import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.informers.ControlLoop;
import dev.cinderoperator.sim.informers.ObjectCache;
import dev.cinderoperator.sim.informers.SimCaches;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The loop of a controller whose objects own pods (StatefulSet, Deployment, Job): it wakes on its
 * objects and on pods, and reconciles each object with the pods it controls ({@link OwnedPods}).
 */
abstract class PodOwnerLoop<T extends HasMetadata> extends ControlLoop {
  protected final KubernetesClient client;
  protected final SimConfig config;
  protected final SimCaches caches;
  private final String kind;
  private final ObjectCache<T> owners;

  PodOwnerLoop(
      String name,
      String kind,
      ObjectCache<T> owners,
      KubernetesClient client,
      SimConfig config,
      SimCaches caches) {
    super(name, config.resyncInterval());
    this.kind = kind;
    this.owners = owners;
    this.client = client;
    this.config = config;
    this.caches = caches;
  }

  @Override
  protected final void watchAll() {
    wakeOn(owners);
    wakeOn(caches.pods);
  }

  @Override
  protected final void reconcile() {
    OwnedPods.reconcileEach(
        this,
        kind,
        owners.list(),
        caches.pods.list(SimCaches.BY_CONTROLLER_KIND, kind),
        this::reconcile);
  }

  /** Brings one object's pods and status toward its spec. */
  protected abstract void reconcile(T owner, List<Pod> pods);

  /** Per object uid: the version its template hash and last written status belong to. */
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  private record Seen(String version, String templateHash, Object status) {}

  /** The hash of the object's pod template: costly, and it changes only with the version. */
  protected final String templateHash(T owner, PodTemplateSpec template) {
    String uid = owner.getMetadata().getUid();
    String version = owner.getMetadata().getResourceVersion();
    Seen known = seen.get(uid);
    if (known != null && known.version().equals(version)) {
      return known.templateHash();
    }
    String hash = TemplateHash.of(template);
    seen.put(uid, new Seen(version, hash, null));
    return hash;
  }

  /**
   * Writes {@code status} through {@code update} unless the object already holds it ({@code
   * stored}); when it is what we last wrote and nobody wrote since, not even compared.
   */
  protected final void writeStatus(
      T owner, String hash, Object status, Object stored, Supplier<T> update) {
    String uid = owner.getMetadata().getUid();
    String version = owner.getMetadata().getResourceVersion();
    Seen known = seen.get(uid);
    if (known != null && status.equals(known.status()) && known.version().equals(version)) {
      return;
    }
    KubernetesSerialization json = client.getKubernetesSerialization();
    if (!Objects.equals(json.asJson(status), stored == null ? "" : json.asJson(stored))) {
      version = update.get().getMetadata().getResourceVersion();
    }
    seen.put(uid, new Seen(version, hash, status));
  }

  /** Deletes a pod; one already gone is no error. */
  protected final void deletePod(Pod pod) {
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .delete();
      caches.pods.deleted(pod);
    } catch (KubernetesClientException e) {
      // already gone
    }
  }
}
