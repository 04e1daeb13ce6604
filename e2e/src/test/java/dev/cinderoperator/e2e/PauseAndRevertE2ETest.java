package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pausing mid-roll, and reverting before and after Unpinning. */
class PauseAndRevertE2ETest extends ScenarioTest {
  static final String OLD = Clusters.REGISTRY + "2023.2";
  static final String TARGET = Clusters.REGISTRY + "2024.1";

  @BeforeEach
  void deployCluster() {
    s.deploy(Clusters.of(NAME, NS, "2023.2", 3, 1, 1, Clusters.backend("ceph", 1)));
  }

  @Test
  void pausesMidRollAndResumes() {
    s.upgradeTo("2024.1");
    s.awaitThat(
        "the first scheduler pod replaced",
        Duration.ofSeconds(30),
        () -> !s.eventMessages("PodReplaced").isEmpty());
    s.editUpgrade(u -> u.setPaused(true));

    s.awaitStatus("phase Paused", Duration.ofSeconds(30), st -> st.getPhase() == Phase.Paused);
    int replaced = s.eventMessages("PodReplaced").size();
    assertThat(replaced).isLessThan(3);
    assertThat(s.status().getUpgrade().getStep()).isEqualTo(UpgradeStep.RollingScheduler);
    assertThat(s.status().getUpgrade().getBlockedBy()).contains("paused");
    assertThat(s.condition("Stalled").getStatus()).isEqualTo("False");
    s.holdsFor(
        "no further pod replaced while paused",
        Duration.ofSeconds(2),
        () ->
            s.eventMessages("PodReplaced").size() == replaced
                && s.status().getPhase() == Phase.Paused);
    assertThat(s.pods("volume")).allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(OLD));

    s.editUpgrade(u -> u.setPaused(false));
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.eventMessages("PodReplaced")).hasSize(5);
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void aRevertBeforeUnpinningRollsBackInReverseOrder() {
    s.upgradeTo("2024.1");
    s.awaitStep(UpgradeStep.RollingBackup);
    int forward = s.eventMessages("PodReplaced").size();

    s.upgradeTo("2023.2");
    s.awaitStatus(
        "rollback recorded",
        Duration.ofSeconds(20),
        st -> st.getUpgrade() != null && st.getUpgrade().getMode() == UpgradeMode.Rollback);
    assertThat(s.events("RollbackStarted"))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    s.awaitReleased("2023.2", Duration.ofSeconds(60));

    var st = s.status();
    assertThat(st.getImage()).isEqualTo(OLD);
    assertThat(st.getUpgrade().getMode()).isEqualTo(UpgradeMode.Rollback);
    assertThat(st.getUpgrade().getStep()).isEqualTo(UpgradeStep.Complete);
    for (String c : List.of("scheduler", "volume", "backup", "api")) {
      assertThat(s.pods(c)).allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(OLD));
    }
    List<String> all = s.eventMessages("PodReplaced");
    List<String> back = all.subList(forward, all.size());
    // volume, then the schedulers, in the reverse of the order they went forward
    assertThat(back.stream().map(RollingUpgradeE2ETest::componentOf).toList())
        .endsWith("volume", "scheduler", "scheduler", "scheduler");
    List<String> schedulersForward = new ArrayList<>(podsOf(all.subList(0, forward), "scheduler"));
    Collections.reverse(schedulersForward);
    List<String> schedulersBack = podsOf(back, "scheduler");
    assertThat(schedulersBack).containsExactlyElementsOf(schedulersForward);
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void aRevertAfterUnpinningIsRefused() {
    s.upgradeTo("2024.1");
    // keep DataMigration running (once Preflight's check of earlier migrations is done) so the
    // revert lands after Unpinning
    s.awaitStep(UpgradeStep.RollingBackup);
    s.env.sim().cinder().holdDataMigrations(true);
    s.awaitStep(UpgradeStep.DataMigration);
    int deletedBefore = s.deletedPods().size();

    s.upgradeTo("2023.2");
    s.awaitStalled("RevertRefused", Duration.ofSeconds(20));
    assertThat(s.condition("Stalled").getMessage()).contains("2023.2").contains("Roll forward");
    assertThat(s.status().getUpgrade().getMode()).isEqualTo(UpgradeMode.Rolling);
    s.holdsFor(
        "nothing replaced after the refused revert",
        Duration.ofSeconds(2),
        () -> s.deletedPods().size() == deletedBefore);
    for (String c : List.of("scheduler", "volume", "backup", "api")) {
      assertThat(s.pods(c)).allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(TARGET));
    }

    // rolling forward again finishes the upgrade
    s.env.sim().cinder().holdDataMigrations(false);
    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  /** The pod names of one component in PodReplaced messages, in order. */
  private static List<String> podsOf(List<String> podReplaced, String component) {
    return podReplaced.stream()
        .filter(m -> RollingUpgradeE2ETest.componentOf(m).equals(component))
        .map(m -> m.split(" ")[2].replace(":", ""))
        .toList();
  }
}
