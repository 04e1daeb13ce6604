package dev.cinderoperator.sim.informers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;

/**
 * One watch per kind for the whole simulator: the controllers and the kubelet read pods,
 * StatefulSets, Deployments and Jobs from these caches instead of listing them from the API server
 * on every wake-up (with thousands of pods, those lists blocked the mock server's event loop).
 */
public final class SimCaches implements AutoCloseable {
  public final ObjectCache<Pod> pods;
  public final ObjectCache<StatefulSet> statefulSets;
  public final ObjectCache<Deployment> deployments;
  public final ObjectCache<Job> jobs;

  /** Starts the informers and waits until each has listed its kind once. */
  public SimCaches(KubernetesClient client, String namespace) {
    this.pods =
        start(
            namespace == null
                ? client.pods().inAnyNamespace()
                : client.pods().inNamespace(namespace));
    this.statefulSets =
        start(
            namespace == null
                ? client.apps().statefulSets().inAnyNamespace()
                : client.apps().statefulSets().inNamespace(namespace));
    this.deployments =
        start(
            namespace == null
                ? client.apps().deployments().inAnyNamespace()
                : client.apps().deployments().inNamespace(namespace));
    this.jobs =
        start(
            namespace == null
                ? client.batch().v1().jobs().inAnyNamespace()
                : client.batch().v1().jobs().inNamespace(namespace));
  }

  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> ObjectCache<T> start(
      Informable<T> source) {
    var informer = source.runnableInformer(0);
    informer.run();
    return new ObjectCache<>(informer);
  }

  @Override
  public void close() {
    pods.close();
    statefulSets.close();
    deployments.close();
    jobs.close();
  }
}
