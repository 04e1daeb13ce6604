package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UnpinStrategy;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnpinAndFinishTest {

  private static World unpinning() {
    return World.upgradeRequested().driveTo(UpgradeStep.Unpinning);
  }

  @Test
  void everySchedulerVolumeAndBackupPodIsSignalledOnce() {
    World w = unpinning();
    List<String> signalled = new ArrayList<>();
    Decision d = w.plan();
    while (d.action() instanceof Action.SignalPod s) {
      signalled.add(s.pod());
      w.apply(d);
      d = w.plan();
    }
    assertThat(signalled).hasSize(7).doesNotHaveDuplicates();
    assertThat(signalled).noneMatch(p -> p.startsWith("cinder-api"));
    assertThat(w.upgrade().getSignalledPods()).hasSize(7);
    // The API pods started after every row reached the target: no restart.
    assertThat(d.action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Unpinning, UpgradeStep.DataMigration));
  }

  @Test
  void aPodRecreatedAfterTheRowsReachedTheTargetNeedsNoSignal() {
    World w = unpinning();
    PodView p = w.pod("cinder-scheduler-1");
    Instant later = Instant.parse(w.plan().upgrade().getRowsAtTargetAt()).plusSeconds(30);
    w.update(
        new PodView(
            p.name(),
            p.component(),
            null,
            1,
            p.image(),
            p.configChecksum(),
            true,
            true,
            false,
            later,
            later,
            0,
            "uid-new"));
    w.operatorLooks();
    w.tick(Duration.ofSeconds(60));
    List<String> signalled = new ArrayList<>();
    Decision d = w.plan();
    while (d.action() instanceof Action.SignalPod s) {
      signalled.add(s.pod());
      w.apply(d);
      d = w.plan();
    }
    assertThat(signalled).hasSize(6).doesNotContain("cinder-scheduler-1");
  }

  /**
   * A pod whose signal failed is restarted instead; its successor (another uid) starts after the
   * rows reached the target but Kubernetes stamps whole seconds, so its start may read as earlier.
   * It must not be signalled (and restarted) a second time.
   */
  @Test
  void aPodRecreatedAfterItWasToldIsNotToldAgainWhateverItsWholeSecondStart() {
    World w = unpinning();
    w.apply(w.plan());
    String first = w.upgrade().getSignalledPods().get(0);
    assertThat(first).startsWith("cinder-scheduler-1/");
    PodView p = w.pod("cinder-scheduler-1");
    w.update(
        new PodView(
            p.name(),
            p.component(),
            null,
            1,
            p.image(),
            p.configChecksum(),
            true,
            true,
            false,
            p.createdAt(),
            p.startedAt(),
            0,
            "uid-other"));
    w.operatorLooks();
    w.reportInterval();
    List<String> signalled = new ArrayList<>();
    Decision d = w.plan();
    while (d.action() instanceof Action.SignalPod s) {
      signalled.add(s.pod());
      w.apply(d);
      d = w.plan();
    }
    assertThat(signalled).hasSize(6).doesNotContain("cinder-scheduler-1");
  }

  @Test
  void apiPodsThatStartedBeforeTheRowsReachedTheTargetAreRestartedOneAtATime() {
    World w = unpinning();
    Instant reached = Instant.parse(w.plan().upgrade().getRowsAtTargetAt());
    w.stampApiPods(reached.minusSeconds(60));
    Decision d = w.plan();
    while (d.action() instanceof Action.SignalPod) {
      w.apply(d);
      d = w.plan();
    }
    assertThat(d.action()).isInstanceOf(Action.RestartPod.class);
    assertThat(((Action.RestartPod) d.action()).component()).isEqualTo(Component.API);
    w.apply(d);
    // The Deployment brings a replacement; nothing more until it is Ready.
    w.settle();
    assertThat(w.plan().action()).isInstanceOf(Action.Wait.class);
    w.settle();
    w.tick(Duration.ofSeconds(5));
    Decision second = w.plan();
    assertThat(second.action()).isInstanceOf(Action.RestartPod.class);
    w.apply(second);
    w.settle();
    w.settle();
    assertThat(w.plan().action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Unpinning, UpgradeStep.DataMigration));
  }

  @Test
  void restartStrategyReplacesEachPodOnceThroughTheGate() {
    World w = unpinning();
    w.policy().setUnpinStrategy(UnpinStrategy.Restart);
    List<String> restarted = new ArrayList<>();
    for (int i = 0; i < 100 && w.upgrade().getStep() == UpgradeStep.Unpinning; i++) {
      UpgradeScenarioTest.assertAtMostOnePodDisrupted(w);
      Decision d = w.plan();
      assertThat(d.action())
          .isNotInstanceOf(Action.SignalPod.class)
          .isNotInstanceOf(Action.Stall.class);
      if (d.action() instanceof Action.RestartPod r) {
        UpgradeScenarioTest.assertOthersReady(w, r.pod());
        restarted.add(r.pod());
      }
      w.apply(d);
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    assertThat(restarted)
        .containsExactly(
            "cinder-scheduler-1",
            "cinder-scheduler-0",
            "cinder-volume-ceph-0",
            "cinder-volume-lvm-1",
            "cinder-volume-lvm-0",
            "cinder-backup-1",
            "cinder-backup-0");
    assertThat(w.upgrade().getStep()).isEqualTo(UpgradeStep.DataMigration);
  }

  @Test
  void unpinningWaitsForStaleRowsToGo() {
    World w = unpinning();
    w.putRow(
        w.staleRow(
            "cinder-volume", "cinder-volume-gone-0@gone", "3.18", "1.39", Duration.ofHours(1)));
    Decision d = w.plan();
    assertThat(d.action()).isInstanceOf(Action.RemoveServiceRow.class);
    w.apply(d);
    assertThat(w.plan().action()).isInstanceOf(Action.SignalPod.class);
  }

  @Test
  void unpinningWaitsWhileAnyRowOfThisClusterIsBelowTheTarget() {
    World w = unpinning();
    // An up row named like this cluster's but owned by no expected pod (say, a pod of a scaled-down
    // backend still heartbeating) at the old version holds the pins low.
    w.putRow(
        w.staleRow(
            "cinder-volume", "cinder-volume-old-0@old", "3.18", "1.39", Duration.ofSeconds(2)));
    Decision d = w.plan();
    assertThat(((Action.Wait) d.action()).reason()).isEqualTo("WaitingForServiceReport");
    assertThat(d.blockedBy()).contains("cinder-volume-old-0@old");
  }

  private static String dm(int run) {
    return JobSteps.name(World.CLUSTER, UpgradeJob.DATA_MIGRATION, World.NEW, run);
  }

  @Test
  void dataMigrationsLoopOnExit1AndFinishOnExit0() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.DataMigration);
    w.jobExit.put(dm(1), 1);
    w.jobExit.put(dm(2), 1);
    Decision d = w.plan();
    assertThat(d.action())
        .isEqualTo(new Action.CreateJob(UpgradeJob.DATA_MIGRATION, World.NEW, dm(1), 1));
    w.apply(d);
    w.settle();
    Decision second = w.plan();
    assertThat(second.action())
        .isEqualTo(new Action.CreateJob(UpgradeJob.DATA_MIGRATION, World.NEW, dm(2), 2));
    w.apply(second);
    w.settle();
    w.apply(w.plan());
    w.settle();
    Decision done = w.plan();
    assertThat(done.action()).isEqualTo(new Action.Complete("2024.1", World.NEW));
    assertThat(done.upgrade().getFinishedAt()).isNotNull();
    assertThat(done.upgrade().getDataMigrationRuns()).isEqualTo(3);
  }

  @Test
  void dataMigrationExit2StallsForAPerson() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.DataMigration);
    w.jobExit.put(dm(1), 2);
    w.apply(w.plan());
    w.settle();
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("DataMigrationNeedsAttention");
  }

  @Test
  void dataMigrationJobDeletedByAPersonRunsAgainUnderTheSameName() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.DataMigration);
    w.jobExit.put(dm(1), 2);
    w.apply(w.plan());
    w.settle();
    w.jobs.remove(dm(1));
    w.jobExit.remove(dm(1));
    assertThat(w.plan().action())
        .isEqualTo(new Action.CreateJob(UpgradeJob.DATA_MIGRATION, World.NEW, dm(1), 1));
  }
}
