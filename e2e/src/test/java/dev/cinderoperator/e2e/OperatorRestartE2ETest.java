package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.e2e.reliability.FaultRecord;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The operator is killed at seeded random points (half of them right after a step change) and
 * restarted, over four consecutive upgrades: each completes, no invariant breaks, the db sync of a
 * target succeeds once, and no pod already on the target image is replaced again.
 */
class OperatorRestartE2ETest extends ScenarioTest {
  static final long SEED = 20240501L;
  static final List<String> PATH = List.of("zed", "2023.1", "2023.2", "2024.1", "2024.2");
  static final int KILLS_PER_UPGRADE = 5;

  final Random random = new Random(SEED);
  final List<String> killPoints = new ArrayList<>();

  @Test
  void everyUpgradeCompletesThroughRepeatedOperatorKills() throws InterruptedException {
    s.deploy(Clusters.small(NAME, NS, PATH.get(0)));
    for (String release : PATH.subList(1, PATH.size())) {
      String target = Clusters.REGISTRY + release;
      s.upgradeTo(release);
      for (int kill = 0; kill < KILLS_PER_UPGRADE; kill++) {
        if (kill % 2 == 0) {
          killAfterRandomDelay(release);
        } else {
          killAtNextStepChange(release);
        }
      }
      s.awaitReleased(release, Duration.ofSeconds(90));

      List<JobRunEvent> syncs =
          s.env
              .sim()
              .recorder()
              .of(
                  JobRunEvent.class,
                  j ->
                      "db-sync".equals(j.component())
                          && j.exitCode() == 0
                          && target.equals(j.image()));
      assertThat(syncs).as("successful db syncs for " + target).hasSize(1);
      List<PodEvent> targetPodsDeleted =
          s.deletedPods().stream()
              .filter(e -> target.equals(e.image()) && !"api".equals(e.component()))
              .toList();
      assertThat(targetPodsDeleted).as("pods on " + target + " deleted").isEmpty();
      assertThat(s.status().getUpgrade().getStep()).isEqualTo(UpgradeStep.Complete);
    }
    System.out.println("operator kill points: " + killPoints);
    new FaultRecord(
            "operator killed mid-reconcile",
            "at random moments and at step changes, 5 times per upgrade over 4 upgrades",
            "OperatorRestartE2ETest",
            "-",
            FaultRecord.counts(
                "kills",
                killPoints.size(),
                "invariant violations",
                s.env.sim().invariants().violations().size()))
        .write();
    assertThat(killPoints).hasSizeGreaterThanOrEqualTo(20);
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  /** Kills the operator 0-1.5 s from now, keeps it down up to 0.5 s. */
  private void killAfterRandomDelay(String release) throws InterruptedException {
    // a random point in time is the point of this test, not a condition to wait for
    Thread.sleep(random.nextInt(1500));
    restart(release);
  }

  /** Kills the operator just after it records the next step (or when the upgrade is done). */
  private void killAtNextStepChange(String release) throws InterruptedException {
    UpgradeStep before = step();
    s.awaitThat(
        "a step change after " + before,
        Duration.ofSeconds(30),
        () -> step() != before || release.equals(s.status().getRelease()));
    Thread.sleep(random.nextInt(100));
    restart(release);
  }

  private void restart(String release) throws InterruptedException {
    killPoints.add(release + "@" + step());
    s.env.stopOperator();
    Thread.sleep(random.nextInt(500));
    s.env.startOperator();
  }

  private UpgradeStep step() {
    var st = s.status();
    return st == null || st.getUpgrade() == null ? null : st.getUpgrade().getStep();
  }
}
