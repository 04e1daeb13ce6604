package dev.cinderoperator.kube;

import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.messaging.BackupFences;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;

/** Wires what the reconciler delegates to, for the production process. */
public final class Collaborations {
  private Collaborations() {}

  public static ClusterDriver.Collaborators production(
      KubernetesClient client, OperatorSettings settings, MeterRegistry registry) {
    return new ClusterDriver.Collaborators(
        ServiceRegistryPool.guardedJdbc(),
        BackupFences.rabbit(java.time.Clock.systemUTC()),
        new ExecPodSignaller(new KubernetesPodExec(client)),
        new OperatorMetrics(registry));
  }
}
