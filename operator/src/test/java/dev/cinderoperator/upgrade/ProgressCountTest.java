package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UpgradeStep;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * completedSteps as each step is recorded, for the standard routes: the count a user watches in
 * status.upgrade. The cluster has 2 scheduler, 3 volume, 2 backup and 2 api pods.
 */
class ProgressCountTest {

  private static Map<UpgradeStep, Integer> countsAsEachStepBegins(World w) {
    Map<UpgradeStep, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < 600 && !counts.containsKey(UpgradeStep.Complete); i++) {
      Decision d = w.plan();
      assertThat(d.action()).isNotInstanceOf(Action.Stall.class);
      if (d.action() instanceof Action.StartUpgrade
          || d.action() instanceof Action.RecordStep
          || d.action() instanceof Action.Complete) {
        counts.put(d.step(), d.completedSteps());
      }
      w.apply(d);
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    return counts;
  }

  @Test
  void aRollingUpgradeCountsThreePreflightJobsDbSyncPinningEveryPodUnpinningAndMigrations() {
    Map<UpgradeStep, Integer> counts = countsAsEachStepBegins(World.upgradeRequested());
    assertThat(counts)
        .containsExactly(
            Map.entry(UpgradeStep.Preflight, 0),
            Map.entry(UpgradeStep.SchemaMigration, 3),
            Map.entry(UpgradeStep.Pinning, 4),
            Map.entry(UpgradeStep.RollingScheduler, 5),
            Map.entry(UpgradeStep.RollingVolume, 5 + 2),
            Map.entry(UpgradeStep.RollingBackup, 5 + 2 + 3),
            Map.entry(UpgradeStep.RollingApi, 5 + 2 + 3 + 2),
            Map.entry(UpgradeStep.Unpinning, 5 + 2 + 3 + 2 + 2),
            Map.entry(UpgradeStep.DataMigration, 6 + 2 + 3 + 2 + 2),
            Map.entry(UpgradeStep.Complete, 7 + 2 + 3 + 2 + 2));
  }

  @Test
  void anOfflineUpgradeCountsPreflightStopDbSyncStartUnpinningAndMigrations() {
    World w = World.running();
    w.status.setRelease("2023.1");
    w.spec.setRelease("2024.1");
    w.spec.setImage(World.NEW);
    w.policy().setAllowSkipLevel(true);
    Map<UpgradeStep, Integer> counts = countsAsEachStepBegins(w);
    assertThat(counts)
        .containsExactly(
            Map.entry(UpgradeStep.Preflight, 0),
            Map.entry(UpgradeStep.SchemaMigration, 3),
            Map.entry(UpgradeStep.Unpinning, 5),
            Map.entry(UpgradeStep.DataMigration, 7),
            Map.entry(UpgradeStep.Complete, 8));
  }
}
