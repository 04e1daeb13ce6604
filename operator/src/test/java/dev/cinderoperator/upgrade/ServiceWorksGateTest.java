package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.HeartbeatBaseline;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.ServiceRow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The gate proves a service works, as Cinder's own code tells: {@code Service.__init__} writes the
 * row (versions, updated_at) before {@code init_host} and whether or not the driver initialises;
 * only a heartbeat raises {@code report_count}, and only while the service works.
 */
class ServiceWorksGateTest {

  /** The first volume pod was deleted and came back; its driver fails to initialise. */
  private static World firstVolumePodBackWithADeadDriver() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingVolume);
    Decision d = w.plan();
    assertThat(((Action.ReplacePod) d.action()).pod()).isEqualTo("cinder-volume-ceph-0");
    w.apply(d);
    w.notWorking.add("cinder-volume-ceph-0");
    w.settle(); // the StatefulSet recreates it
    w.apply(w.plan()); // the operator sees it running
    w.settle(); // Ready; its service writes the row at start
    return w;
  }

  @Test
  void aRowWrittenAtStartWithTheTargetVersionsIsNoProofTheServiceWorks() {
    World w = firstVolumePodBackWithADeadDriver();
    ServiceRow row = w.row("cinder-volume", "cinder-volume-ceph-0@ceph");
    // What the old gate took as proof: the target versions, written after the container started.
    assertThat(row.rpcVersion()).isEqualTo("3.19");
    assertThat(row.updatedAt()).isAfter(w.pod("cinder-volume-ceph-0").startedAt());

    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.Wait.class);
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("WaitingForServiceReport");
    assertThat(d.blockedBy())
        .contains("cinder-volume-ceph-0@ceph")
        .contains("not heartbeated since the pod started");
  }

  @Test
  void aServiceThatNeverHeartbeatsStallsTheRollThereAndNothingFurtherIsReplaced() {
    World w = firstVolumePodBackWithADeadDriver();
    for (int i = 0; i < 70; i++) {
      w.apply(w.plan());
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    Decision d = w.plan();
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("ServiceNotHeartbeating");
    assertThat(s.message())
        .contains("cinder-volume cinder-volume-ceph-0@ceph")
        .contains("driver that failed to initialise")
        .contains("replaces nothing further");
    // The other backend keeps its old pods.
    assertThat(w.pod("cinder-volume-lvm-0").image()).isEqualTo(World.OLD);
    assertThat(w.pod("cinder-volume-lvm-1").image()).isEqualTo(World.OLD);
    assertThat(w.pod("cinder-backup-0").image()).isEqualTo(World.OLD);
  }

  @Test
  void aServiceNotYetHeartbeatingIsLookedAtAgainWhenItsNextHeartbeatIsDueNotAtThePoll() {
    World w = firstVolumePodBackWithADeadDriver();
    ServiceRow row = w.row("cinder-volume", "cinder-volume-ceph-0@ceph");
    // report_state writes the row report_interval (10 s) after its last write; the gate looks
    // again then, plus a fiftieth of the interval for the write and the read.
    Action.Wait wait = (Action.Wait) w.plan().action();
    Duration untilDue = Duration.between(w.dbNow(), row.lastSeen().plusSeconds(10));
    assertThat(wait.recheckAfter()).isEqualTo(untilDue.plusMillis(200));
    assertThat(wait.watched()).isFalse();

    // Just past due (the write is a moment late): look again after the margin alone.
    w.tick(untilDue.plusMillis(500));
    assertThat(((Action.Wait) w.plan().action()).recheckAfter()).isEqualTo(Duration.ofMillis(200));

    // Overdue by more than a tenth of the interval (a slow init_host): back to the poll.
    w.tick(Duration.ofSeconds(1));
    Action.Wait late = (Action.Wait) w.plan().action();
    assertThat(late.reason()).isEqualTo("WaitingForServiceReport");
    assertThat(late.recheckAfter()).isEqualTo(PlanContext.RECHECK_SERVICE.after());
  }

  @Test
  void aHeartbeatAfterTheStartPassesTheGate() {
    World w = firstVolumePodBackWithADeadDriver();
    w.plan(); // reads the baseline
    w.apply(w.plan());
    w.notWorking.clear();
    w.tick(Duration.ofSeconds(10));
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.ReplacePod.class);
    assertThat(((Action.ReplacePod) d.action()).pod()).isEqualTo("cinder-volume-lvm-1");
  }

  @Test
  void theBaselineIsTheCountReadAfterTheContainerStartedAndIsRecordedOnce() {
    World w = firstVolumePodBackWithADeadDriver();
    ServiceRow row = w.row("cinder-volume", "cinder-volume-ceph-0@ceph");
    PodView pod = w.pod("cinder-volume-ceph-0");
    Decision d = w.plan();
    assertThat(d.upgrade().getHeartbeatBaselines())
        .contains(
            new HeartbeatBaseline(
                pod.name(), pod.uid(), pod.startedAt().toString(), row.id(), row.reportCount()));
    w.apply(d);
    Decision again = w.plan();
    assertThat(again.upgrade().getHeartbeatBaselines())
        .isEqualTo(d.upgrade().getHeartbeatBaselines());
  }

  @Test
  void aRowRecreatedUnderARunningServiceStartsItsCountAnew() {
    World w = firstVolumePodBackWithADeadDriver();
    w.apply(w.plan());
    ServiceRow row = w.row("cinder-volume", "cinder-volume-ceph-0@ceph");
    // Removed and re-created by report_state: new id, count 1, below the recorded baseline.
    w.putRow(
        new ServiceRow(
            row.id() + 1000,
            row.binary(),
            row.host(),
            null,
            row.rpcVersion(),
            row.objectVersion(),
            false,
            w.dbNow(),
            w.dbNow(),
            1,
            row.uuid()));
    w.notWorking.clear();
    Decision d = w.plan();
    assertThat(d.blockedBy()).contains("not heartbeated");
    w.apply(d);
    w.tick(Duration.ofSeconds(10));
    assertThat(w.plan().action()).isInstanceOf(Action.ReplacePod.class);
  }

  @Test
  void aServiceThatStopsWorkingAfterItsGateHoldsCompletion() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.DataMigration);
    w.notWorking.add("cinder-scheduler-0");
    // Its last heartbeat ages past service_down_time (60 s) while the data migrations run.
    w.tick(Duration.ofSeconds(70));
    Decision d = w.stepUntil(x -> x.stalled() || x.action() instanceof Action.Complete, 20);
    assertThat(d.action()).isInstanceOf(Action.Stall.class);
    assertThat(((Action.Stall) d.action()).reason()).isEqualTo("ServiceNotHeartbeating");
    assertThat(d.action().message()).contains("cinder-scheduler-0").contains("is down");
    w.notWorking.clear();
    w.tick(Duration.ofSeconds(5));
    Decision done = w.stepUntil(x -> x.action() instanceof Action.Complete, 50);
    assertThat(done.action()).isInstanceOf(Action.Complete.class);
  }

  @Test
  void anOfflineUpgradeChecksEveryServiceAtUnpinning() {
    World w = World.running();
    w.status.setRelease("2023.1");
    w.spec.setRelease("2024.1");
    w.spec.setImage(World.NEW);
    w.policy().setAllowSkipLevel(true);
    w.driveTo(UpgradeStep.Unpinning);
    w.notWorking.add("cinder-backup-1");
    Decision d = w.stepUntil(x -> x.stalled(), 200);
    assertThat(((Action.Stall) d.action()).reason()).isEqualTo("ServiceNotHeartbeating");
    assertThat(d.action().message()).contains("cinder-backup cinder-backup-1");
    assertThat(w.upgrade().getStep()).isEqualTo(UpgradeStep.Unpinning);
  }
}
