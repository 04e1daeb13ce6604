package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.sim.invariants.InvariantChecker.Invariant;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input on a running cluster stalls with a clear reason and never costs a pod. */
class BadInputE2ETest extends ScenarioTest {

  @BeforeEach
  void deployCluster() {
    s.deploy(Clusters.small(NAME, NS, "2023.2"));
    // from here on, a pod deleted while Stalled=True is a broken invariant
    s.env
        .sim()
        .invariants()
        .forbidPodDeletionWhen(
            (ns, cluster) -> {
              CinderCluster cc = s.env.get(ns, cluster);
              return cc != null
                  && cc.getStatus() != null
                  && Scenario.condition(cc.getStatus(), "Stalled")
                      .filter(Scenario::isTrue)
                      .isPresent();
            });
  }

  @Test
  void aBrokenDatabaseUrlStallsEvenAnUpgradeAndDeletesNoPod() {
    setDatabaseUrl("not a url");
    s.awaitStalled("InvalidDatabaseUrl", Duration.ofSeconds(20));
    assertThat(s.condition("Stalled").getMessage())
        .contains("cinder-db")
        .contains("mysql+pymysql://")
        .doesNotContain("not a url");
    assertThat(s.status().getPhase()).isEqualTo(Phase.Stalled);

    s.upgradeTo("2024.1");
    s.holdsFor(
        "still stalled on the URL, no pod deleted",
        Duration.ofSeconds(2),
        () ->
            s.deletedPods().isEmpty()
                && "InvalidDatabaseUrl".equals(s.condition("Stalled").getReason()));
    assertThat(s.eventMessages("PodReplaced")).isEmpty();

    setDatabaseUrl(SimulatedEnvironment.DB_URL);
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.env.sim().invariants().violations(Invariant.POD_DELETED_WHILE_STALLED)).isEmpty();
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void replicasWithoutActiveActiveStallAndDeleteNoPod() {
    s.edit(spec -> spec.getVolumes().get(0).setReplicas(2));
    s.awaitStalled("ReplicasNeedActiveActive", Duration.ofSeconds(20));
    assertThat(s.condition("Stalled").getMessage())
        .contains("spec.volumes[0]")
        .contains("activeActive");
    s.holdsFor(
        "no pod deleted or added",
        Duration.ofSeconds(2),
        () -> s.deletedPods().isEmpty() && s.pods("volume").size() == 1);

    s.edit(spec -> spec.getVolumes().get(0).setReplicas(1));
    s.awaitStatus("Ready again", Duration.ofSeconds(20), st -> st.getPhase() == Phase.Ready);
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  private void setDatabaseUrl(String url) {
    s.env
        .client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cinder-db")
                .withNamespace(NS)
                .endMetadata()
                .withStringData(Map.of("connection", url))
                .build())
        .update();
  }
}
