package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.OnlineMigrationReport;
import dev.cinderoperator.cinder.OnlineMigrationReport.Stopped;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.workload.Labels;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A database with 500 batches of online data migrations: each run (the running release's in
 * Preflight, the target's in DataMigration) is one Job whose container loops over the batches, and
 * no finished Job is left once its outcome is in status.
 */
class JobsBoundedE2ETest extends ScenarioTest {

  @Test
  void aFiveHundredBatchMigrationIsOneJobPerRunAndNoFinishedJobStays() {
    s.deploy(Clusters.small(NAME, NS, "2023.2"));
    s.env.sim().cinder().dataMigrationBatches(500);
    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(60));

    List<JobRunEvent> migrations =
        s.env.sim().recorder().jobRuns().stream()
            .filter(r -> r.component().equals("data-migration") && NAME.equals(r.cluster()))
            .toList();
    // the running release's migrations (Preflight) and the target's (DataMigration): one Job each
    assertThat(migrations).extracting(JobRunEvent::job).doesNotHaveDuplicates().hasSize(2);
    assertThat(migrations.get(0).exitCode()).isZero();
    OnlineMigrationReport first = OnlineMigrationReport.parse(migrations.get(0).message()).get();
    assertThat(first)
        .isEqualTo(new OnlineMigrationReport(501, 0, false, 500 * 50, 0, Stopped.COMPLETE));
    assertThat(OnlineMigrationReport.parse(migrations.get(1).message()).get().runs()).isOne();

    s.awaitThat(
        "no finished Job left once the upgrade is Complete in status",
        Duration.ofSeconds(10),
        () -> jobs().isEmpty());
    assertThat(s.events("JobFinished"))
        .anyMatch(
            e ->
                e.getMessage()
                    .endsWith(
                        ": 501 runs, 25000 rows migrated, stopped: complete, last exit code 0"));
  }

  @Test
  void anOperatorRestartAfterJobsWereRemovedRepeatsNone() {
    s.deploy(Clusters.small(NAME, NS, "2023.2"));
    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    s.awaitThat("jobs removed", Duration.ofSeconds(10), () -> jobs().isEmpty());
    int runs = s.env.sim().recorder().jobRuns().size();

    s.env.stopOperator();
    s.env.startOperator();
    s.holdsFor(
        "no job runs again after the restart",
        Duration.ofSeconds(3),
        () -> jobs().isEmpty() && s.env.sim().recorder().jobRuns().size() == runs);
    assertThat(s.status().getPhase()).isEqualTo(dev.cinderoperator.api.Phase.Ready);
  }

  private List<String> jobs() {
    return s
        .env
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(NS)
        .withLabel(Labels.INSTANCE, NAME)
        .list()
        .getItems()
        .stream()
        .map(j -> j.getMetadata().getName())
        .toList();
  }
}
