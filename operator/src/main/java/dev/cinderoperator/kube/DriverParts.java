package dev.cinderoperator.kube;

import dev.cinderoperator.cinder.ReleaseCatalog;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;

/**
 * What the {@link ClusterDriver} and the parts it hands over to ({@link FirstInstaller}, {@link
 * UpgradeExecutor}, {@link ActionPerformer}) work with, one set for the operator's life.
 *
 * @param with Cinder's databases, the schedulers' bus, signals to pods, metrics
 * @param reads the services-table reads, shared so an act can invalidate what the observer cached
 */
record DriverParts(
    KubernetesClient client,
    Clock clock,
    ReleaseCatalog catalog,
    OperatorSettings settings,
    EventRecorder events,
    ObjectApplier applier,
    ClusterDriver.Collaborators with,
    ServicesTableReads reads) {

  /** A fresh applier and services-table reads for the rest. */
  DriverParts(
      KubernetesClient client,
      Clock clock,
      ReleaseCatalog catalog,
      OperatorSettings settings,
      EventRecorder events,
      ClusterDriver.Collaborators with) {
    this(
        client,
        clock,
        catalog,
        settings,
        events,
        new ObjectApplier(client),
        with,
        new ServicesTableReads(clock, settings.idlePollInterval()));
  }
}
