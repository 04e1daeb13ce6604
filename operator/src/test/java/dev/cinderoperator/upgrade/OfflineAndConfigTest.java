package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.BackupDrainTimeoutAction;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfflineAndConfigTest {

  @Test
  void offlineUpgradeStopsEverythingBeforeDbSyncThenStartsOnTheTarget() {
    World w = World.skipLevel().driveTo(UpgradeStep.SchemaMigration);
    assertThat(w.planner.servicesStopped(w.status)).isTrue();
    assertThat(w.planner.templateImage(w.status, w.spec, Component.VOLUME, "ceph"))
        .isEqualTo(World.OLD);
    Decision stop = w.plan();
    assertThat(stop.action()).isInstanceOf(Action.StopServices.class);
    w.apply(stop);
    // Pods terminating: still no db sync.
    Decision waiting = w.plan();
    assertThat(((Action.Wait) waiting.action()).reason()).isEqualTo("StoppingServices");
    w.settle();
    assertThat(w.pods).isEmpty();
    Decision sync = w.plan();
    assertThat(((Action.CreateJob) sync.action()).kind()).isEqualTo(UpgradeJob.DB_SYNC);
    w.apply(sync);
    w.settle();
    assertThat(w.plan().action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.SchemaMigration, UpgradeStep.Unpinning));
    w.apply(w.plan());
    assertThat(w.planner.servicesStopped(w.status)).isFalse();
    assertThat(w.planner.templateImage(w.status, w.spec, Component.VOLUME, "ceph"))
        .isEqualTo(World.NEW);

    List<String> restartedApi = new ArrayList<>();
    int signals = 0;
    Decision d = null;
    for (int i = 0; i < 100; i++) {
      d = w.plan();
      assertThat(d.action())
          .isNotInstanceOf(Action.Stall.class)
          .isNotInstanceOf(Action.ReplacePod.class);
      if (d.action() instanceof Action.SignalPod) {
        signals++;
      }
      if (d.action() instanceof Action.RestartPod r) {
        restartedApi.add(r.pod());
      }
      w.apply(d);
      if (d.action() instanceof Action.Complete) {
        break;
      }
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    assertThat(d.action()).isEqualTo(new Action.Complete("2024.1", World.NEW));
    assertThat(signals).isEqualTo(7);
    assertThat(restartedApi).hasSize(2);
  }

  @Test
  void offlineUpgradeDrainsBackupsBeforeStoppingTheServicesAndAllowsThemOnceBack() {
    World w = World.skipLevel();
    Decision first = w.stepUntil(d -> d.action() instanceof Action.StopNewBackups, 100);
    assertThat(first.action()).isEqualTo(new Action.StopNewBackups("cinder-backup-1"));
    assertThat(first.step()).isEqualTo(UpgradeStep.Preflight);
    w.apply(first);
    Decision second = w.plan();
    assertThat(second.action()).isEqualTo(new Action.StopNewBackups("cinder-backup-0"));
    w.apply(second);
    w.backupsInFlight.put("cinder-backup-0", 2);

    Decision draining = w.plan();
    assertThat(((Action.Wait) draining.action()).reason()).isEqualTo("BackupDraining");
    assertThat(draining.blockedBy()).contains("2 backups in flight on cinder-backup-0");
    w.apply(draining);
    assertThat(w.planner.servicesStopped(w.status)).as("nothing stops while draining").isFalse();
    assertThat(w.pods.values()).noneMatch(PodView::terminating);

    w.tick(w.policy().backupDrainTimeoutOrDefault().plusMinutes(1));
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("BackupDrainTimeout");
    assertThat(s.message()).contains("backupDrainTimeoutAction: Proceed");

    w.backupsInFlight.put("cinder-backup-0", 0);
    Decision done = w.plan();
    assertThat(done.action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Preflight, UpgradeStep.SchemaMigration));
    w.apply(done);
    assertThat(w.plan().action()).isInstanceOf(Action.StopServices.class);

    List<String> allowed = new ArrayList<>();
    Decision d = null;
    for (int i = 0; i < 100; i++) {
      d = w.plan();
      assertThat(d.action()).isNotInstanceOf(Action.Stall.class);
      if (d.action() instanceof Action.AllowNewBackups a) {
        assertThat(d.step()).isEqualTo(UpgradeStep.Unpinning);
        assertThat(w.pod(a.host()).image()).isEqualTo(World.NEW);
        assertThat(w.pod(a.host()).ready()).isTrue();
        allowed.add(a.host());
      }
      w.apply(d);
      if (d.action() instanceof Action.Complete) {
        break;
      }
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    assertThat(d.action()).isEqualTo(new Action.Complete("2024.1", World.NEW));
    assertThat(allowed).containsExactlyInAnyOrder("cinder-backup-0", "cinder-backup-1");
    assertThat(w.stopped).isEmpty();
  }

  @Test
  void offlineDrainTimeoutGoesOnWhenToldToProceed() {
    World w = World.skipLevel();
    w.policy().setBackupDrainTimeoutAction(BackupDrainTimeoutAction.Proceed);
    w.apply(w.stepUntil(d -> d.action() instanceof Action.StopNewBackups, 100));
    w.apply(w.plan());
    w.backupsInFlight.put("cinder-backup-1", 3);
    w.apply(w.plan());
    w.tick(w.policy().backupDrainTimeoutOrDefault().plusMinutes(1));
    Decision d = w.plan();
    assertThat(d.action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Preflight, UpgradeStep.SchemaMigration));
    assertThat(d.notices()).hasSize(1);
    assertThat(d.notices().get(0).reason()).isEqualTo("BackupDrainTimeout");
    assertThat(d.notices().get(0).warning()).isTrue();
    assertThat(d.notices().get(0).message()).contains("3 backups in flight");
  }

  @Test
  void offlineRevertAfterServicesStoppedIsRefused() {
    World w = World.skipLevel().driveTo(UpgradeStep.SchemaMigration);
    w.spec.setRelease("2023.1");
    w.spec.setImage(World.OLD);
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("RevertRefused");
  }

  @Test
  void configChangeReplacesSchedulerVolumeAndBackupPodsOneAtATime() {
    World w = World.running();
    w.desiredChecksum = "conf-2";
    List<String> replaced = new ArrayList<>();
    int drains = 0;
    for (int i = 0; i < 150; i++) {
      UpgradeScenarioTest.assertAtMostOnePodDisrupted(w);
      Decision d = w.plan();
      if (d.action() instanceof Action.Idle) {
        break;
      }
      assertThat(d.action())
          .isNotInstanceOf(Action.CreateJob.class)
          .isNotInstanceOf(Action.StartUpgrade.class)
          .isNotInstanceOf(Action.Stall.class);
      if (d.action() instanceof Action.ReplacePod r) {
        UpgradeScenarioTest.assertOthersReady(w, r.pod());
        replaced.add(r.pod());
      }
      if (d.action() instanceof Action.StopNewBackups) {
        drains++;
      }
      w.apply(d);
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    assertThat(replaced)
        .containsExactly(
            "cinder-scheduler-1",
            "cinder-scheduler-0",
            "cinder-volume-ceph-0",
            "cinder-volume-lvm-1",
            "cinder-volume-lvm-0",
            "cinder-backup-1",
            "cinder-backup-0");
    assertThat(drains).isEqualTo(2);
    assertThat(w.stopped).isEmpty();
    assertThat(w.status.getUpgrade().getStep()).isNull();
    assertThat(w.plan().action()).isInstanceOf(Action.Idle.class);
  }

  @Test
  void configRollGatesOnAFreshHeartbeatNotOnVersions() {
    World w = World.running();
    w.tick(Duration.ofMinutes(1));
    w.desiredChecksum = "conf-2";
    w.apply(w.plan());
    w.tick(Duration.ofSeconds(5));
    w.silent.add("cinder-scheduler-1");
    w.settle();
    w.settle();
    Decision d = w.plan();
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("WaitingForServiceReport");
    assertThat(d.blockedBy()).contains("not heartbeated since the pod started");
  }

  @Test
  void nullUseQuotaRowsStopASlurpJumpBeforeAnythingIsScaledToZero() {
    World w = World.running();
    w.status.setRelease("2023.1");
    w.spec.setRelease("2024.1");
    w.spec.setImage(World.NEW);
    w.policy().setAllowSkipLevel(true);
    // deleted rows the 2023.1 data migrations skipped (Launchpad bug 2070475)
    w.nullUseQuota = new dev.cinderoperator.cinder.NullUseQuotaRows(3, 1);
    java.util.List<Action> acts = new java.util.ArrayList<>();
    Decision d = null;
    for (int i = 0; i < 40; i++) {
      d = w.plan();
      if (d.stalled()) {
        break;
      }
      acts.add(d.action());
      w.apply(d);
      w.settle();
    }
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("NullUseQuota");
    assertThat(s.message())
        .contains("3 volumes and 1 snapshots have use_quota NULL (deleted rows included)")
        .contains("SELECT id, deleted, status FROM volumes WHERE use_quota IS NULL")
        .contains("Nothing was stopped or migrated");
    assertThat(w.upgrade().getStep()).isEqualTo(UpgradeStep.Preflight);
    assertThat(acts)
        .noneMatch(a -> a instanceof Action.StopServices || a instanceof Action.StopNewBackups);
    assertThat(w.jobs.keySet()).noneMatch(n -> n.contains("db-sync"));

    // the person fixes the rows: the jump goes on by itself
    w.nullUseQuota = new dev.cinderoperator.cinder.NullUseQuotaRows(0, 0);
    assertThat(w.plan().action()).isInstanceOf(Action.StopNewBackups.class);
  }

  @Test
  void nullUseQuotaIsNotAskedWhereTheDbSyncDoesNotMakeItNotNull() {
    World w = World.running();
    w.status.setRelease("2024.1");
    w.spec.setRelease("2024.2");
    w.spec.setImage(World.NEW);
    w.imageVersions.put(World.NEW, World.versions(World.CATALOG.find("2024.2").orElseThrow()));
    w.nullUseQuota = new dev.cinderoperator.cinder.NullUseQuotaRows(3, 1);
    Decision d = w.stepUntil(x -> x.stalled() || x.step() == UpgradeStep.SchemaMigration, 60);
    assertThat(d.stalled()).isFalse();
  }
}
