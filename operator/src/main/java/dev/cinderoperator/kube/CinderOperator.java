package dev.cinderoperator.kube;

import dev.cinderoperator.cinder.ReleaseCatalog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the JOSDK operator the same way for production, tests and the demo: no server-side apply
 * anywhere (one code path, and the mock server has none), and nothing a CR contains can stop it:
 * the client must read CinderClusters tolerantly ({@link UnreadableClusters#clientBuilder()}), and
 * a stopped informer is logged (and fails {@code /healthz}) instead of ending the process.
 */
public final class CinderOperator {
  private static final Logger LOG = LoggerFactory.getLogger(CinderOperator.class);

  private CinderOperator() {}

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
    UnreadableClusters.requireTolerant(client.getKubernetesSerialization());
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withMetrics(metrics)
                    .withLeaderElectionConfiguration(leaderElection)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withConcurrentReconciliationThreads(settings.reconcileThreads())
                    .withInformerStoppedHandler(CinderOperator::informerStopped));
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

  /**
   * JOSDK's default handler ends the JVM. Here the health endpoint reports the stopped informer, so
   * a liveness probe restarts the pod if it does not recover, and one CR's content never ends the
   * process for every other cluster (such content is read tolerantly anyway).
   */
  private static void informerStopped(SharedIndexInformer<?> informer, Throwable cause) {
    if (cause != null) {
      LOG.error("informer stopped type={}; /healthz now fails", informer.getApiTypeClass(), cause);
    }
  }
}
