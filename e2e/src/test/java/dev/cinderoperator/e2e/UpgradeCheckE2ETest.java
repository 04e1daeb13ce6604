package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The upgrade check sees the whole configuration: a backend configured with a driver the target
 * release removed stops the upgrade before the db sync, in cinder-status's own words.
 */
class UpgradeCheckE2ETest extends ScenarioTest {

  @Test
  void aConfiguredDriverThatTheTargetRemovedStopsTheUpgradeBeforeTheDbSync() {
    VolumeBackendSpec legacy = new VolumeBackendSpec("legacy");
    legacy.setConfig(Map.of("volume_driver", "cinder.volume.drivers.sheepdog.SheepdogDriver"));
    CinderCluster cc =
        Clusters.of(NAME, NS, "2023.2", 1, 1, 1, Clusters.backend("ceph", 1), legacy);
    s.deploy(cc);

    s.upgradeTo("2024.1");
    s.awaitStalled("UpgradeCheckFailed", Duration.ofSeconds(30));

    assertThat(s.status().getUpgrade().getStep()).isEqualTo(UpgradeStep.Preflight);
    assertThat(s.condition("Stalled").getMessage())
        .contains(
            "Check 'Removed Drivers': Failure: Found driver"
                + " cinder.volume.drivers.sheepdog.SheepdogDriver configured in your cinder.conf"
                + " file.");
    List<JobRunEvent> jobs = s.env.sim().recorder().of(JobRunEvent.class);
    assertThat(jobs)
        .filteredOn(j -> Component.UPGRADE_CHECK.label().equals(j.component()))
        .singleElement()
        .satisfies(j -> assertThat(j.exitCode()).isEqualTo(2));
    s.holdsFor(
        "no db sync on the target, no pod replaced",
        Duration.ofSeconds(2),
        () ->
            s.deletedPods().isEmpty()
                && s.env.sim().recorder().of(JobRunEvent.class).stream()
                    .noneMatch(
                        j ->
                            Component.DB_SYNC.label().equals(j.component())
                                && (Clusters.REGISTRY + "2024.1").equals(j.image())));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }
}
