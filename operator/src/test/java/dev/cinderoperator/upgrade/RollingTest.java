package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.BackupDrainTimeoutAction;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollingTest {

  private static String dbSync() {
    return "cinder-db-sync-" + JobHash.of(World.NEW);
  }

  @Test
  void schemaMigrationRunsDbSyncOnceOnTheTargetImage() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.SchemaMigration);
    Decision d = w.plan();
    assertThat(d.action())
        .isEqualTo(new Action.CreateJob(UpgradeJob.DB_SYNC, World.NEW, dbSync(), 0));
    w.apply(d);
    // Operator restarts with the job running: no second job.
    Decision again = w.plan();
    assertThat(again.action()).isInstanceOf(Action.Wait.class);
    w.settle();
    assertThat(w.plan().action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.SchemaMigration, UpgradeStep.Pinning));
  }

  @Test
  void failedDbSyncStalls() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.SchemaMigration);
    w.jobExit.put(dbSync(), 1);
    w.apply(w.plan());
    w.settle();
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("DbSyncFailed");
    assertThat(s.message()).contains("delete the job (" + dbSync() + ")");
  }

  @Test
  void pinningRecordsTheMinimumPerBinaryThenMovesOn() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.Pinning);
    w.putRow(w.staleRow("cinder-volume", "other@x", "3.19", "1.39", Duration.ofSeconds(1)));
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.RecordPins.class);
    Action.RecordPins pins = (Action.RecordPins) d.action();
    assertThat(pins.pins())
        .extracting(p -> p.getBinary() + " " + p.getRpcVersion() + " " + p.getObjectVersion())
        .containsExactly(
            "cinder-scheduler 3.12 1.39", "cinder-volume 3.18 1.39", "cinder-backup 2.4 1.39");
    assertThat(pins.targets()).hasSize(3);
    w.apply(d);
    assertThat(w.plan().action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Pinning, UpgradeStep.RollingScheduler));
  }

  @Test
  void schedulersGoHighestOrdinalFirstAndTemplatesFollow() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingScheduler);
    assertThat(w.planner.templateImage(w.status, w.spec, Component.SCHEDULER, null))
        .isEqualTo(World.NEW);
    assertThat(w.planner.templateImage(w.status, w.spec, Component.VOLUME, "ceph"))
        .isEqualTo(World.OLD);
    Decision d = w.plan();
    Action.ReplacePod r = (Action.ReplacePod) d.action();
    assertThat(r.pod()).isEqualTo("cinder-scheduler-1");
    assertThat(r.uid()).isEqualTo(w.pod("cinder-scheduler-1").uid());
    assertThat(d.upgrade().getInFlight()).isEqualTo("pod cinder-scheduler-1");
  }

  /** After the first scheduler was deleted and came back (not yet Ready). */
  private static World schedulerReplaced() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingScheduler);
    w.apply(w.plan());
    w.settle();
    return w;
  }

  @Test
  void newPodMustBecomeReady() {
    World w = schedulerReplaced();
    assertThat(w.pod("cinder-scheduler-1").image()).isEqualTo(World.NEW);
    Decision d = w.plan();
    Action.Wait wait = (Action.Wait) d.action();
    assertThat(wait.reason()).isEqualTo("WaitingForPodReady");
    assertThat(wait.watched()).as("the pod's Ready event wakes the operator; no poll").isTrue();
    assertThat(d.blockedBy()).contains("cinder-scheduler-1");
  }

  @Test
  void podNotReadyWithinTheTimeoutStallsAndNothingElseIsReplaced() {
    World w = schedulerReplaced();
    w.neverReady.add("cinder-scheduler-1");
    w.tick(Duration.ofMinutes(11));
    w.settle();
    Decision d = w.plan();
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("PodNotReady");
    assertThat(s.message()).contains("cinder-scheduler-1").contains("10m");
    assertThat(d.phase()).isEqualTo(Phase.Stalled);
  }

  @Test
  void serviceStillReportingTheOldVersionHoldsTheRollWithTheRowInBlockedBy() {
    World w = schedulerReplaced();
    w.settle();
    // The new volume pod's service reports 3.18 where 3.19 is the target.
    w.driveTo(UpgradeStep.RollingVolume);
    w.apply(w.plan());
    w.settle();
    w.settle();
    ServiceRow row = w.row("cinder-volume", "cinder-volume-ceph-0@ceph");
    w.putRow(
        new ServiceRow(
            row.id(),
            row.binary(),
            row.host(),
            null,
            "3.18",
            "1.39",
            false,
            row.createdAt(),
            row.updatedAt(),
            row.reportCount(),
            row.uuid()));
    Decision d = w.plan();
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("WaitingForServiceReport");
    assertThat(d.blockedBy())
        .isEqualTo(
            "pod cinder-volume-ceph-0: service cinder-volume cinder-volume-ceph-0@ceph reports rpc"
                + " 3.18, target 3.19");
    w.tick(Duration.ofMinutes(6));
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("ServiceNotReporting");
    assertThat(s.message()).contains("5m");
  }

  @Test
  void heartbeatOlderThanThePodsStartDoesNotCount() {
    World w = schedulerReplaced();
    w.silent.add("cinder-scheduler-1");
    w.settle();
    // The row still carries the target versions? No: it is the old process's row, 3.12 either
    // way (scheduler versions do not change), so only the heartbeat tells old from new.
    Decision d = w.plan();
    Action.Wait wait = (Action.Wait) d.action();
    assertThat(wait.reason()).isEqualTo("WaitingForServiceReport");
    assertThat(wait.watched()).as("a heartbeat is only seen by polling the table").isFalse();
    assertThat(d.blockedBy()).contains("not heartbeated since the pod started");
  }

  @Test
  void aServiceIsUpByTheDatabasesClock() {
    World w = schedulerReplaced();
    // Database clock 90 s behind the operator: its fresh heartbeat would look 90 s old (down) on
    // the operator's clock, but is seconds old on the database's, where Cinder judges it.
    w.dbSkew = Duration.ofSeconds(-90);
    w.operatorLooks();
    w.settle();
    w.reportInterval();
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.ReplacePod.class);
    assertThat(((Action.ReplacePod) d.action()).pod()).isEqualTo("cinder-scheduler-0");
  }

  @Test
  void podAlreadyOnTargetIsNeverReplacedAgain() {
    World w = schedulerReplaced();
    w.operatorLooks();
    w.settle();
    w.reportInterval();
    // Same observation twice, as after an operator restart.
    Decision first = w.plan();
    Decision second = w.plan();
    assertThat(((Action.ReplacePod) first.action()).pod()).isEqualTo("cinder-scheduler-0");
    assertThat(((Action.ReplacePod) second.action()).pod()).isEqualTo("cinder-scheduler-0");
  }

  @Test
  void nothingIsReplacedWhileAnyOtherPodIsNotReadyOrTerminating() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingScheduler);
    PodView backup = w.pod("cinder-backup-0");
    w.update(
        new PodView(
            backup.name(),
            backup.component(),
            null,
            0,
            backup.image(),
            "conf-1",
            false,
            true,
            false,
            w.now,
            w.now,
            3,
            backup.uid()));
    Decision d = w.plan();
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("WaitingForPodReady");
    assertThat(d.blockedBy()).contains("cinder-backup-0 is not Ready");

    World t = World.upgradeRequested().driveTo(UpgradeStep.RollingScheduler);
    PodView api =
        t.pods.values().stream()
            .filter(p -> p.component() == Component.API)
            .findFirst()
            .orElseThrow();
    t.update(
        new PodView(
            api.name(),
            Component.API,
            null,
            null,
            api.image(),
            null,
            true,
            true,
            true,
            api.createdAt(),
            api.startedAt(),
            0,
            api.uid()));
    Decision d2 = t.plan();
    assertThat(d2.action()).isInstanceOf(Action.Wait.class);
    assertThat(d2.blockedBy()).contains(api.name() + " is terminating");
  }

  @Test
  void volumesGoBackendByBackendInSpecOrder() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingVolume);
    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 60 && w.upgrade().getStep() == UpgradeStep.RollingVolume; i++) {
      Decision d = w.plan();
      if (d.action() instanceof Action.ReplacePod r) {
        order.append(r.pod()).append(' ');
      }
      w.apply(d);
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    assertThat(order.toString().trim())
        .isEqualTo("cinder-volume-ceph-0 cinder-volume-lvm-1 cinder-volume-lvm-0");
  }

  @Test
  void backupPodIsDrainedReplacedVerifiedAndReEnabled() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);
    Decision stop = w.plan();
    assertThat(stop.action()).isEqualTo(new Action.StopNewBackups("cinder-backup-1"));
    assertThat(stop.upgrade().getInFlight()).isEqualTo("drain cinder-backup-1");
    w.apply(stop);
    w.backupsInFlight.put("cinder-backup-1", 2);
    Decision draining = w.plan();
    assertThat(((Action.Wait) draining.action()).reason()).isEqualTo("BackupDraining");
    assertThat(draining.blockedBy()).contains("2 backups in flight");
    w.apply(draining);
    w.backupsInFlight.put("cinder-backup-1", 0);
    Decision replace = w.plan();
    assertThat(((Action.ReplacePod) replace.action()).pod()).isEqualTo("cinder-backup-1");
    w.apply(replace);
    w.settle();
    Decision waiting = w.plan();
    assertThat(waiting.action()).isInstanceOf(Action.Wait.class);
    w.apply(waiting);
    w.settle();
    w.reportInterval();
    Decision allow = w.plan();
    assertThat(allow.action()).isEqualTo(new Action.AllowNewBackups("cinder-backup-1"));
    w.apply(allow);
    assertThat(w.plan().action()).isEqualTo(new Action.StopNewBackups("cinder-backup-0"));
  }

  @Test
  void backupDrainTimeoutStallsUnlessToldToProceed() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);
    w.apply(w.plan());
    w.backupsInFlight.put("cinder-backup-1", 1);
    w.apply(w.plan());
    w.tick(Duration.ofMinutes(31));
    Decision d = w.plan();
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("BackupDrainTimeout");
    assertThat(s.message()).contains("backupDrainTimeoutAction: Proceed");

    w.policy().setBackupDrainTimeoutAction(BackupDrainTimeoutAction.Proceed);
    Action.ReplacePod r = (Action.ReplacePod) w.plan().action();
    assertThat(r.pod()).isEqualTo("cinder-backup-1");
    assertThat(r.why()).contains("1 backups in flight");
  }

  @Test
  void apiStepWaitsForTheDeploymentToRoll() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingApi);
    assertThat(w.planner.templateImage(w.status, w.spec, Component.API, null)).isEqualTo(World.NEW);
    // The Deployment surged one pod on the target image; it is not Ready yet.
    Decision d = w.plan();
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("WaitingForPodReady");
    assertThat(d.blockedBy()).contains("cinder-api-");
    w.settle();
    Decision rolling = w.plan();
    assertThat(((Action.Wait) rolling.action()).reason()).isEqualTo("WaitingForApiRollout");
    assertThat(rolling.blockedBy()).contains("1 of 2");
    for (int i = 0; i < 10; i++) {
      w.settle();
    }
    assertThat(w.plan().action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.RollingApi, UpgradeStep.Unpinning));
  }

  @Test
  void apiRolloutThatNeverProgressesStallsNamingThePods() {
    World w = World.upgradeRequested();
    w.apiRolloutBlocked = true; // e.g. a quota leaves no room for the surge pod
    w.driveTo(UpgradeStep.RollingApi);
    Duration timeout = w.policy().podReadyTimeoutOrDefault();

    w.tick(timeout.minusMinutes(2));
    Decision waiting = w.plan();
    assertThat(((Action.Wait) waiting.action()).reason()).isEqualTo("WaitingForApiRollout");
    assertThat(waiting.blockedBy()).contains("0 of 2");

    // The Deployment manages one pod, then is blocked again: the clock starts at that pod.
    w.apiRolloutBlocked = false;
    w.settle();
    w.settle();
    w.apiRolloutBlocked = true;
    w.tick(timeout.minusMinutes(1));
    assertThat(((Action.Wait) w.plan().action()).reason()).isEqualTo("WaitingForApiRollout");

    w.tick(Duration.ofMinutes(1).plusSeconds(1));
    Decision stuck = w.plan();
    assertThat(stuck.action()).isInstanceOf(Action.Stall.class);
    Action.Stall s = (Action.Stall) stuck.action();
    assertThat(s.reason()).isEqualTo("ApiRolloutStuck");
    List<String> old =
        w.pods.values().stream()
            .filter(p -> p.component() == Component.API && !World.NEW.equals(p.image()))
            .map(PodView::name)
            .toList();
    assertThat(old).isNotEmpty();
    assertThat(s.message())
        .contains("1 of 2 pods run " + World.NEW)
        .contains("still on another image: " + String.join(", ", old))
        .contains("kubectl describe deployment cinder-api");
    assertThat(stuck.blockedBy()).contains("has not progressed");
    assertThat(stuck.phase()).isEqualTo(Phase.Stalled);
  }

  @Test
  void pauseHoldsAfterThePodInFlightPassesItsGate() {
    World w = schedulerReplaced();
    w.policy().setPaused(true);
    // The pod in flight still goes through its gate.
    Decision gate = w.plan();
    assertThat(((Action.Wait) gate.action()).reason()).isEqualTo("WaitingForPodReady");
    w.apply(gate);
    w.settle();
    w.reportInterval();
    Decision held = w.plan();
    assertThat(((Action.Wait) held.action()).reason()).isEqualTo("Paused");
    assertThat(held.phase()).isEqualTo(Phase.Paused);
    assertThat(held.blockedBy()).contains("cinder-scheduler-0");
    w.policy().setPaused(false);
    assertThat(((Action.ReplacePod) w.plan().action()).pod()).isEqualTo("cinder-scheduler-0");
  }

  @Test
  void pauseLetsADrainingBackupPodFinish() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);
    w.apply(w.plan());
    w.policy().setPaused(true);
    Decision d = w.plan();
    assertThat(((Action.ReplacePod) d.action()).pod()).isEqualTo("cinder-backup-1");
    w.apply(d);
    w.settle();
    w.operatorLooks();
    w.settle();
    w.reportInterval();
    assertThat(w.plan().action()).isEqualTo(new Action.AllowNewBackups("cinder-backup-1"));
    w.apply(w.plan());
    assertThat(((Action.Wait) w.plan().action()).reason()).isEqualTo("Paused");
  }

  @Test
  void pauseHoldsJobsToo() {
    World w = World.upgradeRequested();
    w.policy().setPaused(true);
    w.apply(w.plan());
    Decision d = w.plan();
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("Paused");
    assertThat(d.blockedBy()).contains("data-migration");
  }

  @Test
  void progressCountsPodsDone() {
    World w = schedulerReplaced();
    w.settle();
    Decision d = w.plan();
    assertThat(d.totalSteps()).isEqualTo(16);
    assertThat(d.completedSteps()).isEqualTo(6);
  }
}
