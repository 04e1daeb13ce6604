package dev.cinderoperator.sim.controllers;

import static dev.cinderoperator.sim.Workloads.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.sim.MockApiServer;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.SimulatedCluster;
import dev.cinderoperator.sim.Workloads;
import dev.cinderoperator.sim.events.SimEvent;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MockApiServer.class)
class JobControllerTest {
  KubernetesClient client;
  private SimulatedCluster sim;

  @BeforeEach
  void start() {
    sim = SimulatedCluster.start(client, SimConfig.fast().withNamespace(NS));
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Job job(String name) {
    return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
  }

  private List<Pod> podsOf(String job) {
    return client
        .pods()
        .inNamespace(NS)
        .withLabel(JobController.JOB_NAME_LABEL, job)
        .list()
        .getItems();
  }

  private static boolean hasCondition(Job job, String type) {
    return job.getStatus() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals(type) && c.getStatus().equals("True"));
  }

  @Test
  void aVersionProbeCompletesWithItsReleaseVersionsInTheTerminationMessage() {
    client
        .batch()
        .v1()
        .jobs()
        .resource(
            Workloads.job(
                "cinder-version-probe-abc",
                "registry.example/cinder:2024.1",
                Labels.of("cinder", Component.VERSION_PROBE),
                0))
        .create();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> hasCondition(job("cinder-version-probe-abc"), "Complete"));
    Job job = job("cinder-version-probe-abc");
    assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
    assertThat(job.getStatus().getStartTime()).isNotNull();
    assertThat(job.getStatus().getCompletionTime()).isNotNull();
    Pod pod = podsOf("cinder-version-probe-abc").get(0);
    assertThat(pod.getMetadata().getName()).matches("cinder-version-probe-abc-[a-z0-9]{5}");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    var terminated = pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getFinishedAt()).isNotNull();
    assertThat(terminated.getMessage())
        .isEqualTo(
            "{\"rpc\":{\"cinder-scheduler\":\"3.12\",\"cinder-volume\":\"3.19\",\"cinder-backup\":\"2.4\"},\"objects\":\"1.39\",\"objectHistory\":[\"1.38\",\"1.39\"],\"package\":\"24.0.0\"}");
  }

  @Test
  void aFailingJobIsRetriedUpToItsBackoffLimitThenFails() {
    sim.cinder().failDbSync(5);
    client
        .batch()
        .v1()
        .jobs()
        .resource(
            Workloads.job(
                "cinder-db-sync-abc",
                "registry.example/cinder:2024.1",
                Labels.of("cinder", Component.DB_SYNC),
                1))
        .create();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> hasCondition(job("cinder-db-sync-abc"), "Failed"));
    Job job = job("cinder-db-sync-abc");
    assertThat(job.getStatus().getFailed()).isEqualTo(2);
    assertThat(job.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("BackoffLimitExceeded"));
    assertThat(podsOf("cinder-db-sync-abc"))
        .hasSize(2)
        .allSatisfy(
            p -> {
              var t = p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
              assertThat(t.getExitCode()).isEqualTo(1);
              assertThat(t.getMessage()).contains("db sync failed");
            });
    assertThat(sim.recorder().jobRuns())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.job()).isEqualTo("cinder-db-sync-abc"));
  }

  @Test
  void dataMigrationsExitOneForTheFirstRunsThenZero() {
    sim.cinder().dataMigrationBatches(1);
    for (int run = 1; run <= 2; run++) {
      String name = "cinder-data-migration-abc-" + run;
      client
          .batch()
          .v1()
          .jobs()
          .resource(
              Workloads.job(
                  name,
                  "registry.example/cinder:2024.1",
                  Labels.of("cinder", Component.DATA_MIGRATION),
                  0))
          .create();
      await().until(() -> hasCondition(job(name), "Complete") || hasCondition(job(name), "Failed"));
    }
    assertThat(hasCondition(job("cinder-data-migration-abc-1"), "Failed")).isTrue();
    assertThat(hasCondition(job("cinder-data-migration-abc-2"), "Complete")).isTrue();
    assertThat(sim.recorder().jobRuns())
        .extracting(SimEvent.JobRunEvent::exitCode)
        .containsExactly(1, 0);
  }
}
