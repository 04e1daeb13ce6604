package dev.cinderoperator.sim.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

  /** The pods' index by the kind of their controller (StatefulSet, Deployment, Job). */
  public static final String BY_CONTROLLER_KIND = "controller-kind";

  /** Starts the informers and waits until each has listed its kind once. */
  public SimCaches(KubernetesClient client, String namespace) {
    this.pods =
        start(
            namespace == null
                ? client.pods().inAnyNamespace()
                : client.pods().inNamespace(namespace),
            Map.of(BY_CONTROLLER_KIND, SimCaches::controllerKind));
    this.statefulSets =
        start(
            namespace == null
                ? client.apps().statefulSets().inAnyNamespace()
                : client.apps().statefulSets().inNamespace(namespace),
            Map.of());
    this.deployments =
        start(
            namespace == null
                ? client.apps().deployments().inAnyNamespace()
                : client.apps().deployments().inNamespace(namespace),
            Map.of());
    this.jobs =
        start(
            namespace == null
                ? client.batch().v1().jobs().inAnyNamespace()
                : client.batch().v1().jobs().inNamespace(namespace),
            Map.of());
  }

  private static <T extends HasMetadata> ObjectCache<T> start(
      Informable<T> source, Map<String, Function<T, List<String>>> indexes) {
    var informer = source.runnableInformer(0);
    informer.addIndexers(indexes);
    informer.run();
    return new ObjectCache<>(informer, indexes);
  }

  private static List<String> controllerKind(Pod pod) {
    if (pod.getMetadata().getOwnerReferences() != null) {
      for (OwnerReference o : pod.getMetadata().getOwnerReferences()) {
        if (Boolean.TRUE.equals(o.getController())) {
          return List.of(o.getKind());
        }
      }
    }
    return List.of();
  }

  @Override
  public void close() {
    pods.close();
    statefulSets.close();
    deployments.close();
    jobs.close();
  }
}
