package dev.cinderoperator.sim;

import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.kube.LeaderFence;
import dev.cinderoperator.kube.LeaderFenced;
import dev.cinderoperator.kube.LeaseSettings;
import dev.cinderoperator.kube.UnreadableClusters;
import dev.cinderoperator.messaging.BackupFences;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One operator process of several that elect their leader through a Lease ({@link
 * SimulatedEnvironment#startReplica}). Its client identifies itself as {@code
 * cinder-operator/<identity>}; every write it makes, to the API server, the simulated database, the
 * schedulers' bus or a pod, passes its {@link LeaderFence}. When it loses the Lease it stops
 * itself, as the production process exits.
 */
public final class OperatorReplica implements AutoCloseable {
  private final LeaderFence fence;
  private final KubernetesClient client;
  private final ServiceRegistryPool registries;
  private final BackupFences fences;
  private final Operator operator;
  private final AtomicBoolean stopped = new AtomicBoolean();

  OperatorReplica(SimulatedEnvironment env, LeaseSettings lease) {
    ResponsiveApiServer.await(env.client());
    fence = new LeaderFence(lease);
    client =
        UnreadableClusters.clientBuilder()
            .withConfig(env.operatorConfig(lease.identity()))
            .withHttpClientBuilderConsumer(
                b -> {
                  fence.install().accept(b);
                  env.calls().install().accept(b);
                })
            .build();
    registries =
        new ServiceRegistryPool(
            (ns, name, url) -> LeaderFenced.registry(env.registryFor(ns, name), fence));
    fences =
        new BackupFences(
            (ns, name, url, ssl) -> LeaderFenced.bus(env.sim().schedulerBus(ns, name), fence),
            Clock.systemUTC(),
            SimulatedEnvironment.SIM_FENCE_INTERVAL);
    operator =
        env.buildOperator(
                client,
                registries,
                fences,
                LeaderFenced.signaller(env.sim().podSignaller(), fence),
                fence.configuration(false, this::stop))
            .operator();
    operator.start();
  }

  public String identity() {
    return fence.lease().identity();
  }

  /** The User-Agent of its client, for the fault injector's partitions and the audit log. */
  public String agent() {
    return SimulatedEnvironment.OPERATOR_AGENT + "/" + identity();
  }

  /** Whether it leads and may act now. */
  public boolean leading() {
    return fence.mayAct() && !stopped.get();
  }

  /** Whether it lost the Lease after leading (it then stops itself). */
  public boolean lost() {
    return fence.lost();
  }

  public boolean stopped() {
    return stopped.get();
  }

  /** The Kubernetes API writes its fence held back (it did not, or no longer, hold the Lease). */
  public long writesRefused() {
    return fence.refused();
  }

  /**
   * Stops it as a crash would look to the cluster: mid-reconcile, the Lease not released (the
   * others wait for it to expire).
   */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    operator.stop();
    registries.close();
    fences.close();
    client.close();
  }

  @Override
  public void close() {
    stop();
  }
}
