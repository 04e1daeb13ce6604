package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.e2e.reliability.FaultRecord;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Cinder database goes away in the middle of a step: the operator waits, then goes on. */
class DatabaseOutageE2ETest extends ScenarioTest {

  @Test
  void waitsOutAnOutageInTheMiddleOfAStepAndResumes() {
    s.deploy(Clusters.of(NAME, NS, "2023.2", 1, 1, 1, Clusters.backend("ceph-hdd", 3)));
    s.upgradeTo("2024.1");
    s.awaitThat(
        "the first volume pod replaced",
        Duration.ofSeconds(30),
        () -> s.eventMessages("PodReplaced").stream().anyMatch(m -> m.contains("volume")));

    s.servicesTable().outage();
    s.awaitStatus(
        "Reconciling=True DatabaseUnavailable",
        Duration.ofSeconds(20),
        st ->
            Scenario.condition(st, "Reconciling")
                .filter(c -> Scenario.isTrue(c) && "DatabaseUnavailable".equals(c.getReason()))
                .isPresent());
    assertThat(s.condition("Stalled").getStatus()).isEqualTo("False");
    assertThat(s.status().getUpgrade().getStep()).isEqualTo(UpgradeStep.RollingVolume);
    int deleted = s.deletedPods().size();
    s.holdsFor(
        "no pod replaced during the outage",
        Duration.ofSeconds(3),
        () -> s.deletedPods().size() == deleted);

    int replacedDuringOutage = s.deletedPods().size() - deleted;
    s.servicesTable().recover();
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    new FaultRecord(
            "Cinder's database unreachable (simulated)",
            "the simulated services table, after the first volume pod was replaced",
            "DatabaseOutageE2ETest",
            "-",
            FaultRecord.counts(
                "pods replaced during the outage",
                replacedDuringOutage,
                "invariant violations",
                s.env.sim().invariants().violations().size()))
        .write();
    assertThat(s.condition("Stalled").getStatus()).isEqualTo("False");
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }
}
