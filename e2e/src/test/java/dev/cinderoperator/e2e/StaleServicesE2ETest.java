package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.StaleServicesPolicy;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.ServiceRow;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Rows of scaled-away pods hold every service pinned: removed, or blocking, as the spec says. */
class StaleServicesE2ETest extends ScenarioTest {

  private void deploy(StaleServicesPolicy policy) {
    CinderCluster cc = Clusters.small(NAME, NS, "2023.2");
    UpgradeSpec u = new UpgradeSpec();
    u.setStaleServices(policy);
    cc.getSpec().setUpgrade(u);
    s.deploy(cc);
  }

  /** The row a scheduler pod scaled away ten minutes ago left behind. */
  private ServiceRow insertStaleRow(String binary, String host) {
    Instant then = Instant.now().minus(Duration.ofMinutes(10));
    return s.servicesTable()
        .insert(new ServiceRow(0, binary, host, null, "3.12", "1.39", false, then, then, 5, null));
  }

  private boolean rowPresent(String host) {
    return s.servicesTable().peek().stream().anyMatch(r -> r.host().equals(host));
  }

  @Test
  void removesAStaleRowBeforeTheUpgradeAndSaysSo() {
    deploy(StaleServicesPolicy.Remove);
    String host = NAME + "-scheduler-3";
    insertStaleRow("cinder-scheduler", host);

    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(60));

    assertThat(rowPresent(host)).isFalse();
    assertThat(s.eventMessages("ServiceRowRemoved")).anySatisfy(m -> assertThat(m).contains(host));
    assertThat(s.status().getServices()).noneMatch(r -> r.getHost().equals(host));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void blocksOnAStaleRowUntilAPersonRemovesIt() {
    deploy(StaleServicesPolicy.Block);
    String host = NAME + "-scheduler-3";
    ServiceRow stale = insertStaleRow("cinder-scheduler", host);

    s.upgradeTo("2024.1");
    s.awaitStalled("StaleServicesBlock", Duration.ofSeconds(30));
    assertThat(s.condition("Stalled").getMessage()).contains(host);
    assertThat(s.status().getUpgrade().getStep()).isEqualTo(UpgradeStep.Preflight);
    assertThat(s.status().getServices())
        .anySatisfy(
            r -> {
              assertThat(r.getHost()).isEqualTo(host);
              assertThat(r.getStale()).isTrue();
            });
    s.holdsFor("no pod deleted", Duration.ofSeconds(1), () -> s.deletedPods().isEmpty());
    assertThat(rowPresent(host)).isTrue();

    // cinder-manage service remove cinder-scheduler cinder-scheduler-3
    s.servicesTable().remove(stale);
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.eventMessages("ServiceRowRemoved")).isEmpty();
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void removesARowThatGoesStaleDuringTheUpgrade() {
    deploy(StaleServicesPolicy.Remove);
    s.upgradeTo("2024.1");
    s.awaitStep(UpgradeStep.RollingVolume);
    String host = NAME + "-backup-4";
    insertStaleRow("cinder-backup", host);

    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(rowPresent(host)).isFalse();
    assertThat(s.eventMessages("ServiceRowRemoved")).anySatisfy(m -> assertThat(m).contains(host));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }
}
