package dev.cinderoperator.testing;

import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.kube.CinderOperator;
import dev.cinderoperator.kube.ClusterDriver;
import dev.cinderoperator.kube.OperatorMetrics;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.kube.UnreadableClusters;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An operator running in-process against the Fabric8 mock server (CRUD mode), with fast poll
 * intervals and a count of finished reconciles.
 */
public final class OperatorHarness implements AutoCloseable {
  private final Operator operator;
  private final KubernetesClient operatorClient;
  private final AtomicInteger reconciles = new AtomicInteger();

  public OperatorHarness(KubernetesClient client, OperatorSettings settings) {
    this(client, settings, new FakeServiceRegistry());
  }

  /** Every CinderCluster's database is the given registry; signals are counted, not sent. */
  public OperatorHarness(KubernetesClient client, OperatorSettings settings, ServiceRegistry db) {
    this(
        client,
        settings,
        s ->
            new ClusterDriver.Collaborators(
                new ServiceRegistryPool(url -> db),
                NoSchedulers.fences(),
                (ns, pod) -> {},
                OperatorMetrics.discarding()));
  }

  public OperatorHarness(
      KubernetesClient client,
      OperatorSettings settings,
      Function<OperatorSettings, ClusterDriver.Collaborators> collaborators) {
    Metrics counting =
        new Metrics() {
          @Override
          public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
            reconciles.incrementAndGet();
          }

          @Override
          public void failedReconciliation(
              HasMetadata resource, Exception exception, Map<String, Object> metadata) {
            reconciles.incrementAndGet();
          }

          @SuppressWarnings("unused")
          public void reconcileCustomResource(HasMetadata r, Context<?> c) {}
        };
    // the operator's own client, reading CinderClusters as the operator does in production
    operatorClient =
        UnreadableClusters.clientBuilder().withConfig(client.getConfiguration()).build();
    operator =
        CinderOperator.build(
                operatorClient,
                Clock.systemUTC(),
                settings,
                collaborators,
                counting,
                null,
                dev.cinderoperator.cinder.ReleaseCatalog.standard())
            .operator();
    operator.start();
  }

  public static OperatorSettings fastSettings() {
    return OperatorSettings.defaults()
        .withPollIntervals(Duration.ofMillis(200), Duration.ofMillis(200));
  }

  public int reconciles() {
    return reconciles.get();
  }

  /** Edits a CinderCluster's spec, again on a conflict with the operator's status writes. */
  public static void editSpec(
      KubernetesClient client,
      String namespace,
      String name,
      java.util.function.Consumer<dev.cinderoperator.api.CinderClusterSpec> change) {
    dev.cinderoperator.kube.Conflicts.editSpec(client, namespace, name, change);
  }

  /** Drains and counts requests the mock server received that change something. */
  public static int drainWrites(KubernetesMockServer server) throws InterruptedException {
    int writes = 0;
    var req = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS);
    while (req != null) {
      String m = req.getMethod();
      if (!m.equals("GET")) {
        writes++;
      }
      req = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    return writes;
  }

  @Override
  public void close() {
    operator.stop();
    operatorClient.close();
  }
}
