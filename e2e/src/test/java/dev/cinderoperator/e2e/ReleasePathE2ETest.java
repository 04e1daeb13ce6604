package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Skip-level jumps run offline only when allowed; downgrades are refused. */
class ReleasePathE2ETest extends ScenarioTest {

  private int jobRuns() {
    return s.env.sim().recorder().of(JobRunEvent.class).size();
  }

  @Test
  void aSkipLevelJumpNeedsAllowSkipLevelAndThenRunsOffline() {
    s.deploy(Clusters.small(NAME, NS, "2023.1"));
    int jobsBefore = jobRuns();

    s.upgradeTo("2024.1");
    s.awaitStalled("SkipLevelNotAllowed", Duration.ofSeconds(20));
    assertThat(s.condition("Stalled").getMessage())
        .contains("2023.2")
        .contains("spec.upgrade.allowSkipLevel");
    assertThat(s.status().getRelease()).isEqualTo("2023.1");
    s.holdsFor(
        "nothing touched",
        Duration.ofSeconds(2),
        () -> s.deletedPods().isEmpty() && jobRuns() == jobsBefore);

    s.editUpgrade(u -> u.setAllowSkipLevel(true));
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.status().getUpgrade().getMode()).isEqualTo(UpgradeMode.Offline);
    for (String c : List.of("scheduler", "volume", "backup", "api")) {
      assertThat(s.pods(c))
          .allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(Clusters.REGISTRY + "2024.1"));
    }
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void aDowngradeIsRefusedAndTouchesNothing() {
    s.deploy(Clusters.small(NAME, NS, "2024.1"));
    int jobsBefore = jobRuns();

    s.upgradeTo("2023.2");
    s.awaitStalled("DowngradeRefused", Duration.ofSeconds(20));
    assertThat(s.condition("Stalled").getMessage()).contains("cannot be downgraded");
    assertThat(s.status().getPhase()).isEqualTo(Phase.Stalled);
    assertThat(s.status().getRelease()).isEqualTo("2024.1");
    s.holdsFor(
        "nothing touched",
        Duration.ofSeconds(2),
        () -> s.deletedPods().isEmpty() && jobRuns() == jobsBefore);
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void aMislabelledImageIsRefusedBeforeAnythingIrreversible() {
    s.deploy(Clusters.small(NAME, NS, "2025.2"));
    // Tagged 2026.1 but built from 2025.2: the same RPC and object versions, another package.
    s.env.sim().cinder().mapImage(Clusters.REGISTRY + "2026.1", "2025.2");
    int jobsBefore = jobRuns();

    s.upgradeTo("2026.1");
    s.awaitStalled("ReleaseMismatch", Duration.ofSeconds(30));
    assertThat(s.condition("Stalled").getMessage())
        .contains("carries Cinder 27.0.0, which is 2025.2, not spec.release 2026.1");
    assertThat(s.status().getRelease()).isEqualTo("2025.2");
    s.holdsFor(
        "no db sync, no pod replaced",
        Duration.ofSeconds(2),
        () ->
            s.deletedPods().isEmpty()
                && s.env.sim().recorder().of(JobRunEvent.class).stream()
                    .skip(jobsBefore)
                    .noneMatch(j -> j.component().equals("db-sync")));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void twentyTwentySixPointTwoIsAcceptedAfterTwentyTwentySixPointOne() {
    s.deploy(Clusters.small(NAME, NS, "2026.1"));
    s.upgradeTo("2026.2");
    s.awaitReleased("2026.2", Duration.ofSeconds(60));
    assertThat(s.status().getUpgrade().getMode()).isEqualTo(UpgradeMode.Rolling);
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }
}
