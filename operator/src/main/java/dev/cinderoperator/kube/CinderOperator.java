package dev.cinderoperator.kube;

import dev.cinderoperator.cinder.ReleaseCatalog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Clock;
import java.util.function.Function;

/**
 * Builds the JOSDK operator the same way for production, tests and the demo: no server-side apply
 * anywhere (one code path, and the mock server has none).
 */
public final class CinderOperator {
  private CinderOperator() {}

  public static Operator create(
      KubernetesClient client,
      Clock clock,
      OperatorSettings settings,
      Function<OperatorSettings, ClusterDriver.Collaborators> collaborators,
      Metrics metrics,
      LeaderElectionConfiguration leaderElection) {
    return create(
        client, clock, settings, collaborators, metrics, leaderElection, ReleaseCatalog.standard());
  }

  /** As above with another release catalog (tests that imitate a release on real Cinder). */
  public static Operator create(
      KubernetesClient client,
      Clock clock,
      OperatorSettings settings,
      Function<OperatorSettings, ClusterDriver.Collaborators> collaborators,
      Metrics metrics,
      LeaderElectionConfiguration leaderElection,
      ReleaseCatalog catalog) {
    return build(client, clock, settings, collaborators, metrics, leaderElection, catalog)
        .operator();
  }

  /** The operator and its reconciler (whose per-cluster memory tests can read). */
  public record Built(Operator operator, CinderClusterReconciler reconciler) {}

  public static Built build(
      KubernetesClient client,
      Clock clock,
      OperatorSettings settings,
      Function<OperatorSettings, ClusterDriver.Collaborators> collaborators,
      Metrics metrics,
      LeaderElectionConfiguration leaderElection,
      ReleaseCatalog catalog) {
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withMetrics(metrics)
                    .withLeaderElectionConfiguration(leaderElection)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withConcurrentReconciliationThreads(settings.reconcileThreads()));
    CinderClusterReconciler reconciler =
        new CinderClusterReconciler(
            client, clock, catalog, settings, collaborators.apply(settings));
    operator.register(
        reconciler,
        c -> {
          if (!settings.watchNamespaces().isEmpty()) {
            c.settingNamespaces(settings.watchNamespaces());
          }
        });
    return new Built(operator, reconciler);
  }
}
