package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.util.List;
import org.junit.jupiter.api.Test;

class FinishedJobsTest {
  static final String FROM = "registry/cinder:2023.2";
  static final String TO = "registry/cinder:2024.1";

  static JobView job(UpgradeJob kind, String image, int run, JobState state) {
    return new JobView(
        JobSteps.name("cinder", kind, image, run),
        kind.component(),
        image,
        state,
        0,
        "",
        null,
        null);
  }

  static CinderClusterStatus status(UpgradeStep step) {
    CinderClusterStatus st = new CinderClusterStatus();
    st.setImage(FROM);
    if (step != null) {
      UpgradeStatus u = new UpgradeStatus();
      u.setMode(UpgradeMode.Rolling);
      u.setStep(step);
      u.setFromImage(FROM);
      u.setToImage(TO);
      st.setUpgrade(u);
    }
    return st;
  }

  final JobView pre = job(UpgradeJob.PRE_DATA_MIGRATION, FROM, 1, JobState.SUCCEEDED);
  final JobView probe = job(UpgradeJob.VERSION_PROBE, TO, 0, JobState.SUCCEEDED);
  final JobView check = job(UpgradeJob.UPGRADE_CHECK, TO, 0, JobState.SUCCEEDED);
  final JobView sync = job(UpgradeJob.DB_SYNC, TO, 0, JobState.SUCCEEDED);
  final JobView post = job(UpgradeJob.DATA_MIGRATION, TO, 1, JobState.SUCCEEDED);
  final List<JobView> all = List.of(pre, probe, check, sync, post);

  @Test
  void aJobStaysWhileItsStepRunsAndGoesOnceALaterStepIsRecorded() {
    assertThat(FinishedJobs.removable("cinder", status(UpgradeStep.Preflight), all))
        .containsExactly(sync.name(), post.name());
    assertThat(FinishedJobs.removable("cinder", status(UpgradeStep.SchemaMigration), all))
        .containsExactly(pre.name(), probe.name(), check.name(), post.name());
    assertThat(FinishedJobs.removable("cinder", status(UpgradeStep.RollingVolume), all)).hasSize(5);
    assertThat(FinishedJobs.removable("cinder", status(UpgradeStep.DataMigration), all))
        .containsExactly(pre.name(), probe.name(), check.name(), sync.name());
    assertThat(FinishedJobs.removable("cinder", status(UpgradeStep.Complete), all)).hasSize(5);
  }

  @Test
  void runningJobsAndTheFirstInstallsDbSyncBeforeItIsRecordedStay() {
    JobView running = job(UpgradeJob.DATA_MIGRATION, TO, 2, JobState.ACTIVE);
    assertThat(FinishedJobs.removable("cinder", status(null), List.of(running))).isEmpty();
    CinderClusterStatus installing = new CinderClusterStatus();
    assertThat(FinishedJobs.removable("cinder", installing, List.of(sync))).isEmpty();
    assertThat(FinishedJobs.removable("cinder", status(null), List.of(sync)))
        .containsExactly(sync.name());
    assertThat(Component.DATA_MIGRATION).isEqualTo(post.kind());
  }
}
