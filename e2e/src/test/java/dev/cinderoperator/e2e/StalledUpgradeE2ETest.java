package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.workload.Labels;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A new pod that never gets Ready, a service that never reports and a service whose driver never
 * initialises halt the upgrade.
 */
class StalledUpgradeE2ETest extends ScenarioTest {
  static final String OLD = Clusters.REGISTRY + "2023.2";
  static final String TARGET = Clusters.REGISTRY + "2024.1";

  private void deploy(UpgradeSpec upgrade) {
    CinderCluster cc = Clusters.of(NAME, NS, "2023.2", 2, 1, 1, Clusters.backend("ceph", 1));
    cc.getSpec().setUpgrade(upgrade);
    s.deploy(cc);
  }

  @Test
  void aBrokenImageHaltsTheRollUntilItIsFixed() {
    UpgradeSpec u = new UpgradeSpec();
    u.setPodReadyTimeout("2s");
    deploy(u);
    // the new image's container exits at once: CrashLoopBackOff, never Ready
    s.env.sim().kubelet().crashLoop(p -> TARGET.equals(Scenario.image(p)));

    s.upgradeTo("2024.1");
    s.awaitStalled("PodNotReady", Duration.ofSeconds(30));

    // the one scheduler pod replaced is the one that does not get Ready
    assertThat(s.eventMessages("PodReplaced")).hasSize(1);
    String broken = s.eventMessages("PodReplaced").get(0).split(" ")[2].replace(":", "");
    var st = s.status();
    assertThat(st.getPhase()).isEqualTo(Phase.Stalled);
    assertThat(st.getUpgrade().getBlockedBy()).contains("pod " + broken).contains("2s");
    assertThat(s.condition("Stalled").getMessage()).contains("podReadyTimeout");
    assertThat(s.events("PodNotReady")).isNotEmpty();
    // nothing further replaced: the other scheduler and every other pod keep the old image
    s.holdsFor(
        "one pod replaced",
        Duration.ofSeconds(2),
        () -> s.eventMessages("PodReplaced").size() == 1);
    for (String c : new String[] {"volume", "backup", "api"}) {
      assertThat(s.pods(c)).allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(OLD));
    }
    assertThat(s.pods("scheduler"))
        .filteredOn(p -> !p.getMetadata().getName().equals(broken))
        .singleElement()
        .satisfies(p -> assertThat(Scenario.image(p)).isEqualTo(OLD));

    // the image is fixed (the tag re-pushed): the container's next start works
    s.env.sim().kubelet().clearKnobs();
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.condition("Stalled").getStatus()).isEqualTo("False");
    assertThat(s.eventMessages("PodReplaced")).hasSize(4);
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void aServiceThatNeverReportsHaltsTheRoll() {
    UpgradeSpec u = new UpgradeSpec();
    u.setServiceReportTimeout("2s");
    deploy(u);
    // the new scheduler process runs and gets Ready but never writes its services row
    s.env
        .sim()
        .cinder()
        .muteServices(
            p ->
                TARGET.equals(Scenario.image(p))
                    && "scheduler".equals(p.getMetadata().getLabels().get(Labels.COMPONENT)));

    s.upgradeTo("2024.1");
    // the row it finds is the old process's, already at the scheduler's unchanged versions: only
    // the count of heartbeats tells that nothing runs behind it
    s.awaitStalled("ServiceNotHeartbeating", Duration.ofSeconds(30));

    var st = s.status();
    assertThat(st.getPhase()).isEqualTo(Phase.Stalled);
    String muted = s.eventMessages("PodReplaced").get(0).split(" ")[2].replace(":", "");
    assertThat(st.getUpgrade().getBlockedBy())
        .contains("pod " + muted)
        .contains("not heartbeated since the pod started");
    assertThat(s.condition("Stalled").getMessage()).contains("serviceReportTimeout");
    s.holdsFor(
        "one pod replaced",
        Duration.ofSeconds(2),
        () -> s.eventMessages("PodReplaced").size() == 1);
    assertThat(s.pods("volume")).allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(OLD));

    // a person fixes the cause and restarts the pod: the roll goes on
    s.env.sim().cinder().clearKnobs();
    s.env.client().pods().inNamespace(NS).withName(muted).delete();
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void aBackendWhoseDriverFailsToInitialiseHaltsTheRollThere() {
    UpgradeSpec u = new UpgradeSpec();
    u.setServiceReportTimeout("3s");
    CinderCluster cc =
        Clusters.of(
            NAME, NS, "2023.2", 1, 1, 1, Clusters.backend("ceph", 1), Clusters.backend("lvm", 1));
    cc.getSpec().setUpgrade(u);
    s.deploy(cc);
    // on the target, ceph's driver fails in init_host: the row gets written, never heartbeated
    s.env
        .sim()
        .cinder()
        .failDriverInit(
            p ->
                TARGET.equals(Scenario.image(p))
                    && "ceph".equals(p.getMetadata().getLabels().get(Labels.BACKEND)));

    s.upgradeTo("2024.1");
    s.awaitStalled("ServiceNotHeartbeating", Duration.ofSeconds(30));

    var st = s.status();
    assertThat(st.getUpgrade().getBlockedBy())
        .contains("cinder-volume " + NAME + "-volume-ceph-0@ceph")
        .contains("not heartbeated since the pod started");
    assertThat(s.condition("Stalled").getMessage())
        .contains("driver that failed to initialise")
        .contains("replaces nothing further");
    // the row says the target versions: what the old gate took for proof
    assertThat(s.env.sim().cinder().process(NS, NAME + "-volume-ceph-0").orElseThrow().row())
        .satisfies(r -> assertThat(r.rpcVersion()).isEqualTo("3.19"));
    s.holdsFor(
        "nothing after ceph replaced",
        Duration.ofSeconds(2),
        () -> s.pods("volume").stream().filter(p -> TARGET.equals(Scenario.image(p))).count() == 1);
    assertThat(s.pods("volume"))
        .filteredOn(p -> "lvm".equals(p.getMetadata().getLabels().get(Labels.BACKEND)))
        .allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(OLD));
    for (String c : new String[] {"backup", "api"}) {
      assertThat(s.pods(c)).allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(OLD));
    }

    // the driver's cause is fixed and the pod restarted: the roll goes on
    s.env.sim().cinder().clearKnobs();
    s.env.client().pods().inNamespace(NS).withName(NAME + "-volume-ceph-0").delete();
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }
}
