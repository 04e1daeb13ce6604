package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.testing.FakeServiceRegistry;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A finished job is deleted once. The informer cache shows it a little longer, and every reconcile
 * in between (a status write triggers one) would otherwise send the same DELETE again.
 */
@EnableKubernetesMockClient(crud = true)
class FinishedJobRemovalTest {
  static final String JOB = "cinder-db-sync-777df217";

  KubernetesClient client;
  KubernetesMockServer server;

  @Test
  void aFinishedJobTheCacheStillShowsIsDeletedOnceAndANewOneOfItsNameAgain() {
    CinderCluster cc = client.resource(Samples.cluster("cinder", "ns")).create();
    ActionPerformer performer =
        new ActionPerformer(
            new DriverParts(
                client,
                Clock.systemUTC(),
                ReleaseCatalog.standard(),
                OperatorSettings.defaults(),
                new EventRecorder(client, Clock.systemUTC()),
                new ClusterDriver.Collaborators(
                    new ServiceRegistryPool(url -> new FakeServiceRegistry()),
                    (ns, pod) -> {},
                    OperatorMetrics.discarding())));
    Job first = createJob();

    int before = server.getRequestCount();
    performer.removeJobs(cc, cached(first), List.of(JOB));
    performer.removeJobs(cc, cached(first), List.of(JOB));
    assertThat(server.getRequestCount() - before).as("DELETEs of the cached job").isOne();

    performer.removeJobs(cc, cached(), List.of(JOB));
    Job second = createJob();
    before = server.getRequestCount();
    performer.removeJobs(cc, cached(second), List.of(JOB));
    assertThat(server.getRequestCount() - before).as("DELETEs of its successor").isOne();
    assertThat(client.batch().v1().jobs().inNamespace("ns").withName(JOB).get()).isNull();
  }

  private Job createJob() {
    return client
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName(JOB)
                .withNamespace("ns")
                .endMetadata()
                .build())
        .create();
  }

  private static ObservedObjects cached(Job... jobs) {
    return new ObservedObjects(
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(jobs),
        n -> Optional.empty());
  }
}
