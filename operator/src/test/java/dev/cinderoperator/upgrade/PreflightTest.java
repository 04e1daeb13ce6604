package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.StaleServicesPolicy;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.JobOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreflightTest {

  private static World started() {
    World w = World.upgradeRequested();
    w.apply(w.plan());
    return w;
  }

  private static String job(UpgradeJob kind, String image, int run) {
    return JobSteps.name(World.CLUSTER, kind, image, run);
  }

  @Test
  void firstRunsTheCurrentReleasesDataMigrationsOnTheCurrentImage() {
    World w = started();
    Decision d = w.plan();
    assertThat(d.action())
        .isEqualTo(
            new Action.CreateJob(
                UpgradeJob.PRE_DATA_MIGRATION,
                World.OLD,
                "cinder-data-migration-" + JobHash.of(World.OLD) + "-1",
                1));
    assertThat(d.upgrade().getInFlight())
        .isEqualTo("job " + job(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 1));
  }

  @Test
  void theRunningReleasesMigrationsNumberOnAfterTheLastUpgradesDeletedJobs() {
    // The last upgrade ended on OLD after two runs; its finished jobs were deleted since.
    World w = World.upgradeRequested();
    UpgradeStatus last = new UpgradeStatus();
    last.setMode(UpgradeMode.Rolling);
    last.setFromImage("registry.example.com/cinder:2023.1");
    last.setToImage(World.OLD);
    last.setStep(UpgradeStep.Complete);
    last.setDataMigrationRuns(2);
    w.status.setUpgrade(last);
    w.apply(w.plan());
    assertThat(w.plan().action())
        .isEqualTo(
            new Action.CreateJob(
                UpgradeJob.PRE_DATA_MIGRATION,
                World.OLD,
                job(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 3),
                3));
  }

  @Test
  void aRollbackKeepsThePreflightsRunsForTheNextAttempt() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingScheduler);
    assertThat(w.upgrade().getDataMigrationRuns()).isEqualTo(1);
    w.spec.setRelease("2023.2");
    w.spec.setImage(World.OLD);
    Decision rollback = w.plan();
    assertThat(rollback.action()).isInstanceOf(Action.StartRollback.class);
    assertThat(rollback.upgrade().getDataMigrationRuns()).isEqualTo(1);
    assertThat(JobSteps.nextRunAfter(rollback.upgrade(), World.OLD)).isEqualTo(2);
    assertThat(JobSteps.nextRunAfter(rollback.upgrade(), World.NEW)).isNull();
  }

  @Test
  void anUpgradeStoppedBeforeDataMigrationNumbersOnFromItsSourceImagesRuns() {
    UpgradeStatus u = new UpgradeStatus();
    u.setMode(UpgradeMode.Rolling);
    u.setFromImage(World.OLD);
    u.setToImage(World.NEW);
    u.setStep(UpgradeStep.RollingVolume);
    u.setDataMigrationRuns(4);
    assertThat(JobSteps.nextRunAfter(u, World.OLD)).isEqualTo(5);
    u.setStep(UpgradeStep.DataMigration);
    assertThat(JobSteps.nextRunAfter(u, World.OLD)).isNull();
    assertThat(JobSteps.nextRunAfter(u, World.NEW)).isEqualTo(5);
    assertThat(JobSteps.nextRunAfter(null, World.OLD)).isNull();
  }

  @Test
  void previousDataMigrationRunsAgainOnExit1AndStallsOnExit2() {
    World w = started();
    w.apply(w.plan());
    w.finishedJob(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 1, 1, null);
    Decision again = w.plan();
    assertThat(again.action())
        .isEqualTo(
            new Action.CreateJob(
                UpgradeJob.PRE_DATA_MIGRATION,
                World.OLD,
                job(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 2),
                2));
    w.apply(again);
    w.finishedJob(
        UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 2, 2, "volume_use_quota: 3 rows failed");
    Decision stall = w.plan();
    assertThat(stall.action()).isInstanceOf(Action.Stall.class);
    Action.Stall s = (Action.Stall) stall.action();
    assertThat(s.reason()).isEqualTo("DataMigrationNeedsAttention");
    assertThat(s.message())
        .contains("exit 2")
        .contains("3 rows failed")
        .contains("the running release's online data migrations")
        .contains("delete the job (" + job(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 2) + ")");
  }

  @Test
  void unexpectedDataMigrationFailuresAreRetriedWithBackoffThenStall() {
    World w = started();
    JobOutcome.RetryPolicy policy = JobOutcome.RetryPolicy.standard();
    for (int run = 1; run <= policy.maxRetries() + 1; run++) {
      Decision d = w.plan();
      assertThat(d.action())
          .isEqualTo(
              new Action.CreateJob(
                  UpgradeJob.PRE_DATA_MIGRATION,
                  World.OLD,
                  job(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, run),
                  run));
      w.apply(d);
      w.finishedJob(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, run, 137, null);
      if (run <= policy.maxRetries()) {
        Decision wait = w.plan();
        assertThat(wait.action()).isInstanceOf(Action.Wait.class);
        Action.Wait a = (Action.Wait) wait.action();
        assertThat(a.reason()).isEqualTo("DataMigrationRetry");
        assertThat(wait.blockedBy()).contains("exited 137").contains("retry " + run + " of");
        w.tick(a.recheckAfter());
      }
    }
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("DataMigrationFailed");
    assertThat(s.message())
        .contains("after " + (policy.maxRetries() + 1) + " runs")
        .contains(job(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, policy.maxRetries() + 1));
  }

  @Test
  void aFailedRunWithoutAnExitCodeIsRetriedLikeAnUnexpectedExit() {
    World w = started();
    w.apply(w.plan());
    String run1 = job(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 1);
    JobView active = w.jobs.get(run1);
    w.jobs.put(
        run1,
        new JobView(
            run1,
            active.kind(),
            active.image(),
            JobState.FAILED,
            null,
            null,
            active.startedAt(),
            w.now));
    Decision wait = w.plan();
    assertThat(((Action.Wait) wait.action()).reason()).isEqualTo("DataMigrationRetry");
    assertThat(wait.blockedBy()).contains("without an exit code");
  }

  @Test
  void runningJobIsWaitedForAndNeverCreatedTwice() {
    World w = started();
    w.apply(w.plan());
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.Wait.class);
    assertThat(d.blockedBy()).contains("running");
  }

  @Test
  void thenProbesThenChecksTheTargetImage() {
    World w = started();
    w.apply(w.plan());
    w.settle();
    Decision probe = w.plan();
    assertThat(probe.action())
        .isEqualTo(
            new Action.CreateJob(
                UpgradeJob.VERSION_PROBE,
                World.NEW,
                "cinder-version-probe-" + JobHash.of(World.NEW),
                0));
    w.apply(probe);
    w.settle();
    Decision check = w.plan();
    assertThat(check.action())
        .isEqualTo(
            new Action.CreateJob(
                UpgradeJob.UPGRADE_CHECK,
                World.NEW,
                "cinder-upgrade-check-" + JobHash.of(World.NEW),
                0));
    assertThat(check.upgrade().getTargets())
        .extracting(p -> p.getBinary() + " " + p.getRpcVersion() + " " + p.getObjectVersion())
        .containsExactly(
            "cinder-scheduler 3.12 1.39", "cinder-volume 3.19 1.39", "cinder-backup 2.4 1.39");
  }

  private static World probed() {
    World w = started();
    w.finishedJob(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 1, 0, null);
    w.status.getUpgrade().setDataMigrationRuns(1);
    w.finishedJob(UpgradeJob.VERSION_PROBE, World.NEW, 0, 0, null);
    return w;
  }

  @Test
  void failedProbeStalls() {
    World w = started();
    w.finishedJob(UpgradeJob.PRE_DATA_MIGRATION, World.OLD, 1, 0, null);
    w.status.getUpgrade().setDataMigrationRuns(1);
    w.finishedJob(UpgradeJob.VERSION_PROBE, World.NEW, 0, 1, "exec format error");
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("VersionProbeFailed");
    assertThat(s.message())
        .contains("exec format error")
        .contains("delete the job (" + job(UpgradeJob.VERSION_PROBE, World.NEW, 0) + ")");
  }

  @Test
  void unreadableProbeOutputStalls() {
    World w = probed();
    w.probes.clear();
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("VersionProbeFailed");
    assertThat(s.message()).contains("could not be read");
  }

  @Test
  void imageCarryingAnotherReleaseStalls() {
    World w = probed();
    w.probes.put(
        World.NEW,
        new ProbedVersions(
            Map.of(
                CinderBinary.VOLUME,
                "3.20",
                CinderBinary.SCHEDULER,
                "3.12",
                CinderBinary.BACKUP,
                "2.4"),
            "1.39",
            List.of("1.38", "1.39"),
            null));
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason())
        .as("no package version: the catalog decides")
        .isEqualTo("ReleaseMismatch");
    assertThat(s.message()).contains("cinder-volume rpc 3.20");
  }

  @Test
  void aMislabelledImageIsRefusedByItsPackageVersionBeforeTheDbSync() {
    World w = World.running();
    // 2025.2 and 2026.1 report the same RPC and object versions: only the package tells them apart
    w.status.setRelease("2025.2");
    w.spec.setRelease("2026.1");
    w.spec.setImage(World.NEW);
    w.imageVersions.put(World.OLD, World.versions(World.CATALOG.find("2025.2").orElseThrow()));
    w.imageVersions.put(World.NEW, World.versions(World.CATALOG.find("2025.2").orElseThrow()));
    Decision d = w.stepUntil(x -> x.stalled(), 40);
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("ReleaseMismatch");
    assertThat(s.message())
        .contains("carries Cinder 27.0.0, which is 2025.2, not spec.release 2026.1")
        .contains("Nothing was changed");
    assertThat(w.upgrade().getStep()).isEqualTo(UpgradeStep.Preflight);
    assertThat(w.jobs.keySet()).noneMatch(n -> n.contains("db-sync"));
  }

  @Test
  void whenThePackageAgreesTheImagesVersionsWinOverTheCatalogs() {
    World w = probed();
    w.probes.put(
        World.NEW,
        new ProbedVersions(
            Map.of(
                CinderBinary.VOLUME,
                "3.20",
                CinderBinary.SCHEDULER,
                "3.12",
                CinderBinary.BACKUP,
                "2.4"),
            "1.39",
            List.of("1.38", "1.39"),
            "24.1.0"));
    Decision d = w.plan();
    assertThat(d.action()).isNotInstanceOf(Action.Stall.class);
    assertThat(d.upgrade().getTargets())
        .extracting(p -> p.getBinary() + " " + p.getRpcVersion())
        .contains("cinder-volume 3.20");
  }

  @Test
  void upgradeCheckFailureStalls() {
    World w = probed();
    w.finishedJob(
        UpgradeJob.UPGRADE_CHECK,
        World.NEW,
        0,
        2,
        "Check: Policy File JSON to YAML Migration FAILURE");
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("UpgradeCheckFailed");
    assertThat(s.message()).contains("exit 2").contains("Policy File");
    w.finishedJob(UpgradeJob.UPGRADE_CHECK, World.NEW, 0, 255, null);
    assertThat(((Action.Stall) w.plan().action()).reason())
        .as("255 is an unexpected error in cinder-status, as JobOutcome documents")
        .isEqualTo("UpgradeCheckError");
  }

  @Test
  void upgradeCheckWarningsPassWithAWarningEvent() {
    World w = probed();
    w.finishedJob(
        UpgradeJob.UPGRADE_CHECK,
        World.NEW,
        0,
        1,
        dev.cinderoperator.testing.RealOutputs.of("upgrade-check-warning.json.out"));
    Decision d = w.plan();
    assertThat(d.action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Preflight, UpgradeStep.SchemaMigration));
    assertThat(d.notices()).hasSize(1);
    assertThat(d.notices().get(0).warning()).isTrue();
    assertThat(d.notices().get(0).message()).contains("Check 'Periodic Interval Use': Warning");
  }

  @Test
  void anUpgradeCheckThatCrashedWithExit1IsNoWarningAndStallsBeforeTheDbSync() {
    World w = probed();
    w.finishedJob(
        UpgradeJob.UPGRADE_CHECK,
        World.NEW,
        0,
        1,
        dev.cinderoperator.testing.RealOutputs.of("upgrade-check-missing-config.exit1.out"));
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("UpgradeCheckError");
    assertThat(s.message()).contains("not warnings").contains("ConfigFilesNotFoundError");
    assertThat(w.upgrade().getStep()).isEqualTo(UpgradeStep.Preflight);
  }

  @Test
  void aRemovedDriverStopsTheUpgradeBeforeTheDbSyncInTheChecksOwnWords() {
    World w = probed();
    w.finishedJob(
        UpgradeJob.UPGRADE_CHECK,
        World.NEW,
        0,
        2,
        dev.cinderoperator.testing.RealOutputs.of("upgrade-check-removed-driver.json.out"));
    Decision d = w.plan();
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("UpgradeCheckFailed");
    assertThat(s.message())
        .contains("Check 'Removed Drivers': Failure: Found driver")
        .contains("SheepdogDriver");
    assertThat(d.step()).isEqualTo(UpgradeStep.Preflight);
  }

  private static World checked() {
    World w = probed();
    w.finishedJob(UpgradeJob.UPGRADE_CHECK, World.NEW, 0, 0, null);
    return w;
  }

  @Test
  void staleRowsOfThisClusterAreRemovedOneAtATime() {
    World w = checked();
    w.putRow(
        w.staleRow(
            "cinder-volume", "cinder-volume-old-0@old", "3.16", "1.38", Duration.ofDays(30)));
    w.putRow(
        w.staleRow("cinder-scheduler", "cinder-scheduler-7", "3.12", "1.39", Duration.ofDays(2)));
    Decision first = w.plan();
    assertThat(first.action()).isInstanceOf(Action.RemoveServiceRow.class);
    w.apply(first);
    Decision second = w.plan();
    assertThat(second.action()).isInstanceOf(Action.RemoveServiceRow.class);
    assertThat(((Action.RemoveServiceRow) second.action()).row().host())
        .isNotEqualTo(((Action.RemoveServiceRow) first.action()).row().host());
    w.apply(second);
    assertThat(w.plan().action()).isInstanceOf(Action.RecordStep.class);
  }

  @Test
  void staleRowsBlockWhenThePolicySaysBlock() {
    World w = checked();
    w.policy().setStaleServices(StaleServicesPolicy.Block);
    w.putRow(
        w.staleRow(
            "cinder-volume", "cinder-volume-old-0@old", "3.16", "1.38", Duration.ofDays(30)));
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("StaleServicesBlock");
    assertThat(s.message()).contains("cinder-volume-old-0@old").contains("staleServices: Remove");
  }

  @Test
  void aRowOfALivePodIsNotStaleEvenWhenDown() {
    World w = checked();
    String host = "cinder-volume-ceph-0@ceph";
    w.putRow(
        World.withUpdatedAt(w.row("cinder-volume", host), w.dbNow().minus(Duration.ofHours(1))));
    assertThat(w.plan().action()).isInstanceOf(Action.RecordStep.class);
  }

  @Test
  void versionlessRowsAreTreatedAsStale() {
    World w = checked();
    w.putRow(w.staleRow("cinder-backup", "cinder-backup-5", null, null, Duration.ofSeconds(1)));
    Action.RemoveServiceRow r = (Action.RemoveServiceRow) w.plan().action();
    assertThat(r.why()).contains("ServiceTooOld");
  }

  @Test
  void foreignRowsBelowTheTargetStallWithTheCommandToRun() {
    World w = checked();
    w.putRow(w.staleRow("cinder-volume", "legacy-node@lvm", "3.16", "1.38", Duration.ofDays(3)));
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("ForeignServiceRows");
    assertThat(s.message()).contains("cinder-manage service remove cinder-volume legacy-node@lvm");
  }

  @Test
  void foreignRowsAtTheTargetAreLeftAlone() {
    World w = checked();
    w.putRow(w.staleRow("cinder-volume", "other@x", "3.19", "1.39", Duration.ofSeconds(5)));
    assertThat(w.plan().action()).isInstanceOf(Action.RecordStep.class);
  }
}
