package dev.cinderoperator.sim.controllers;

import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.informers.ControlLoop;
import dev.cinderoperator.sim.informers.ObjectCache;
import dev.cinderoperator.sim.informers.SimCaches;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

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
    OwnedPods.reconcileEach(this, kind, owners.list(), caches.pods.list(), this::reconcile);
  }

  /** Brings one object's pods and status toward its spec. */
  protected abstract void reconcile(T owner, List<Pod> pods);
}
