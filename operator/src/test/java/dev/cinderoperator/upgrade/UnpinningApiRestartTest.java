package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * cinder-api reads the version pins once at start: at Unpinning every API pod that may have started
 * before all services rows reported the target restarts, once, although Kubernetes stamps pod
 * starts in whole seconds.
 */
class UnpinningApiRestartTest {

  /**
   * Offline, the API starts on the target with every other service, so it may read the versions
   * while a row still shows the old ones, in the very second the last row reports the target.
   */
  @Test
  void offlineApiPodsStampedWithTheSecondTheRowsReachedTheTargetRestartOnceThatSecondHasPassed() {
    World w = World.skipLevel().driveTo(UpgradeStep.Unpinning);
    w.tick(Duration.ofMillis(400)); // the rows get there 0.4 s into a second
    Decision d = w.plan();
    for (int i = 0; i < 100 && d.upgrade().getRowsAtTargetAt() == null; i++) {
      assertThat(d.action()).isNotInstanceOf(Action.Stall.class);
      w.apply(d);
      w.settle();
      w.tick(Duration.ofSeconds(5));
      d = w.plan();
    }
    Instant reached = Instant.parse(d.upgrade().getRowsAtTargetAt());
    Instant second = reached.truncatedTo(ChronoUnit.SECONDS);
    assertThat(reached).isAfter(second);
    List<String> early = stampApiPods(w, second);
    while (d.action() instanceof Action.SignalPod) {
      w.apply(d);
      d = w.plan();
    }

    // Restarted now, a pod would start in that same second and look just as early.
    Action.Wait wait = (Action.Wait) d.action();
    assertThat(wait.reason()).isEqualTo("WaitingForApiRestart");
    assertThat(wait.recheckAfter()).isEqualTo(Duration.ofMillis(600));
    w.apply(d);
    w.tick(Duration.ofMillis(600));

    List<String> restarted = new ArrayList<>();
    for (int i = 0; i < 20 && !(d.action() instanceof Action.RecordStep); i++) {
      d = w.plan();
      assertThat(d.action()).isNotInstanceOf(Action.Stall.class);
      if (d.action() instanceof Action.RestartPod r) {
        assertThat(r.component()).isEqualTo(Component.API);
        assertThat(w.now).isAfterOrEqualTo(second.plusSeconds(1));
        restarted.add(r.pod());
      }
      w.apply(d);
      w.settle();
      w.tick(Duration.ofMillis(100));
    }
    // Each early pod once; their successors started after that second and stay.
    assertThat(restarted).containsExactlyInAnyOrderElementsOf(early);
    assertThat(d.action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Unpinning, UpgradeStep.DataMigration));
  }

  /**
   * Rolling, RollingApi recorded the rows at the target as it began and only then moved the API's
   * template: its pods read the target even when stamped with that second, and nothing waits.
   */
  @Test
  void rollingApiPodsStampedWithTheSecondTheRowsReachedTheTargetAreNotRestarted() {
    World w = World.upgradeRequested();
    w.tick(Duration.ofMillis(400));
    w.driveTo(UpgradeStep.Unpinning);
    Instant reached = Instant.parse(w.upgrade().getRowsAtTargetAt());
    Instant second = reached.truncatedTo(ChronoUnit.SECONDS);
    assertThat(reached).isAfter(second);
    stampApiPods(w, second);
    Decision d = w.plan();
    while (d.action() instanceof Action.SignalPod) {
      w.apply(d);
      d = w.plan();
    }
    assertThat(d.action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Unpinning, UpgradeStep.DataMigration));
  }

  private static List<String> stampApiPods(World w, Instant second) {
    List<String> names = w.stampApiPods(second);
    assertThat(names).hasSize(2);
    return names;
  }
}
