package dev.cinderoperator.kube;

import dev.cinderoperator.db.GuardedServiceRegistry;
import dev.cinderoperator.db.JdbcServiceRegistry;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.messaging.BackupFences;
import dev.cinderoperator.messaging.RabbitSchedulerBus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/** Wires what the reconciler delegates to, for the production process. */
public final class Collaborations {
  private Collaborations() {}

  public static ClusterDriver.Collaborators production(
      KubernetesClient client, OperatorSettings settings, MeterRegistry registry) {
    return production(client, settings, registry, Leadership.ALWAYS);
  }

  /**
   * With every act outside the Kubernetes API (database writes, reports to Cinder's schedulers,
   * signals) behind the replica's {@link Leadership}.
   */
  public static ClusterDriver.Collaborators production(
      KubernetesClient client,
      OperatorSettings settings,
      MeterRegistry registry,
      Leadership leadership) {
    return new ClusterDriver.Collaborators(
        new ServiceRegistryPool(
            url ->
                new GuardedServiceRegistry(
                    LeaderFenced.registry(new JdbcServiceRegistry(url), leadership))),
        new BackupFences(
            (ns, name, url, ssl) ->
                LeaderFenced.bus(
                    new RabbitSchedulerBus(url, ssl, Duration.ofSeconds(5)), leadership),
            Clock.systemUTC(),
            BackupFences.INTERVAL),
        LeaderFenced.signaller(new ExecPodSignaller(new KubernetesPodExec(client)), leadership),
        new OperatorMetrics(registry));
  }
}
