package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollbackTest {

  private static void revert(World w) {
    w.spec.setRelease("2023.2");
    w.spec.setImage(World.OLD);
  }

  @Test
  void revertBeforeUnpinningRollsPodsBackInReverseOrder() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);
    // One backup pod already upgraded too.
    for (int i = 0; i < 12 && !w.pod("cinder-backup-1").image().equals(World.NEW); i++) {
      w.apply(w.plan());
      w.settle();
    }
    w.stepUntil(d -> d.action() instanceof Action.StopNewBackups, 20);
    revert(w);
    Decision start = w.plan();
    assertThat(start.action())
        .isEqualTo(new Action.StartRollback("2024.1", "2023.2", World.NEW, World.OLD, 9));
    assertThat(start.upgrade().getMode()).isEqualTo(UpgradeMode.Rollback);
    assertThat(start.step()).isEqualTo(UpgradeStep.RollingApi);
    assertThat(start.upgrade().getTargets())
        .extracting(p -> p.getBinary() + " " + p.getRpcVersion())
        .contains("cinder-volume 3.18");
    w.apply(start);
    assertThat(w.planner.templateImage(w.status, w.spec, Component.SCHEDULER, null))
        .isEqualTo(World.OLD);

    List<String> replaced = new ArrayList<>();
    List<UpgradeStep> steps = new ArrayList<>();
    Decision d = null;
    for (int i = 0; i < 200; i++) {
      UpgradeScenarioTest.assertAtMostOnePodDisrupted(w);
      d = w.plan();
      assertThat(d.action()).isNotInstanceOf(Action.Stall.class);
      if (d.action() instanceof Action.ReplacePod r) {
        UpgradeScenarioTest.assertOthersReady(w, r.pod());
        replaced.add(r.pod());
      }
      if (d.action() instanceof Action.RecordStep s) {
        steps.add(s.next());
      }
      assertThat(d.action()).isNotInstanceOf(Action.CreateJob.class);
      w.apply(d);
      if (d.action() instanceof Action.Complete) {
        break;
      }
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    assertThat(d.action()).isEqualTo(new Action.Complete("2023.2", World.OLD));
    assertThat(steps)
        .containsExactly(
            UpgradeStep.RollingBackup, UpgradeStep.RollingVolume, UpgradeStep.RollingScheduler);
    assertThat(replaced)
        .containsExactly(
            "cinder-backup-1",
            "cinder-volume-lvm-0",
            "cinder-volume-lvm-1",
            "cinder-volume-ceph-0",
            "cinder-scheduler-0",
            "cinder-scheduler-1");
    assertThat(w.stopped).isEmpty();
    assertThat(w.pods.values()).allMatch(p -> p.image().equals(World.OLD));
    assertThat(w.status.getRelease()).isEqualTo("2023.2");
    assertThat(w.plan().action()).isInstanceOf(Action.Idle.class);
  }

  @Test
  void revertDuringPreflightFinishesAtOnce() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.Preflight);
    revert(w);
    w.apply(w.plan());
    Decision done = w.stepUntil(d -> d.action() instanceof Action.Complete, 20);
    assertThat(done.action()).isEqualTo(new Action.Complete("2023.2", World.OLD));
  }

  @Test
  void revertAfterUnpinningBeganIsRefusedSayingWhy() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.Unpinning);
    revert(w);
    Decision d = w.plan();
    Action.Stall s = (Action.Stall) d.action();
    assertThat(s.reason()).isEqualTo("RevertRefused");
    assertThat(s.message())
        .contains("dropped their version pins")
        .contains("Roll forward")
        .contains("restore the database backup");
    assertThat(d.step()).isEqualTo(UpgradeStep.Unpinning);
  }

  @Test
  void aThirdTargetDuringAnUpgradeStalls() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingVolume);
    w.spec.setImage(World.NEW + "-hotfix");
    Action.Stall s = (Action.Stall) w.plan().action();
    assertThat(s.reason()).isEqualTo("TargetChanged");
    assertThat(s.message()).contains(World.NEW).contains("to roll back");
  }
}
