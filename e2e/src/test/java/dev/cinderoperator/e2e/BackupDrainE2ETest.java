package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.BackupDrainTimeoutAction;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStep;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A backup pod is replaced only once its in-flight backups are done, or the drain timed out. */
class BackupDrainE2ETest extends ScenarioTest {
  static final String OLD = Clusters.REGISTRY + "2023.2";
  static final String HOST = NAME + "-backup-0";

  private void deploy(String drainTimeout) {
    CinderCluster cc = Clusters.small(NAME, NS, "2023.2");
    UpgradeSpec u = new UpgradeSpec();
    u.setBackupDrainTimeout(drainTimeout);
    cc.getSpec().setUpgrade(u);
    s.deploy(cc);
  }

  private boolean backupOnOldImage() {
    return s.pods("backup").stream().allMatch(p -> OLD.equals(Scenario.image(p)));
  }

  @Test
  void waitsForInFlightBackupsBeforeReplacingTheBackupPod() {
    deploy("10m");
    s.servicesTable().setInFlightBackups(HOST, 2);
    s.upgradeTo("2024.1");

    s.awaitThat(
        "new backups stopped on " + HOST,
        Duration.ofSeconds(30),
        () -> s.servicesTable().newBackupsStopped(HOST));
    s.awaitStep(UpgradeStep.RollingBackup);
    s.holdsFor(
        "the backup pod still runs the old image", Duration.ofSeconds(2), this::backupOnOldImage);
    assertThat(s.status().getUpgrade().getBlockedBy()).contains(HOST);
    assertThat(s.condition("Stalled").getStatus()).isEqualTo("False");
    assertThat(s.status().getServices())
        .anySatisfy(
            r -> {
              assertThat(r.getHost()).isEqualTo(HOST);
              assertThat(r.getDisabled()).isTrue();
            });

    s.servicesTable().setInFlightBackups(HOST, 0);
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.servicesTable().newBackupsStopped(HOST)).isFalse();
    assertThat(s.servicesTable().peek())
        .filteredOn(r -> r.host().equals(HOST))
        .allSatisfy(r -> assertThat(r.disabled()).isFalse());
    assertThat(s.events("BackupDrainStarted")).isNotEmpty();
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void stallsWhenTheDrainTimesOutAndProceedsWhenToldTo() {
    deploy("2s");
    s.servicesTable().setInFlightBackups(HOST, 2);
    s.upgradeTo("2024.1");

    s.awaitStalled("BackupDrainTimeout", Duration.ofSeconds(40));
    assertThat(s.condition("Stalled").getMessage()).contains(HOST).contains("backupDrainTimeout");
    s.holdsFor(
        "the backup pod still runs the old image", Duration.ofSeconds(1), this::backupOnOldImage);

    s.editUpgrade(u -> u.setBackupDrainTimeoutAction(BackupDrainTimeoutAction.Proceed));
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.eventMessages("PodReplaced"))
        .anySatisfy(m -> assertThat(m).contains(HOST).contains("backupDrainTimeout"));
    assertThat(s.servicesTable().newBackupsStopped(HOST)).isFalse();
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }
}
