package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.BackupDrainTimeoutAction;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.sim.cinder.SimBackupService;
import dev.cinderoperator.sim.cinder.SimBackupTraffic;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A backup pod is replaced only once nothing is in flight on its host and no scheduler would send
 * it a new backup; with users creating, restoring and deleting backups throughout, none ends in
 * error. The simulated Cinder places backups as Cinder does (docs/backup-drain.md), so an operator
 * that only disabled the host would be caught here.
 */
class BackupDrainE2ETest extends ScenarioTest {
  static final String OLD = Clusters.REGISTRY + "2023.2";
  static final String HOST = NAME + "-backup-0";
  static final String OTHER = NAME + "-backup-1";

  private void deploy(int backups, String drainTimeout, BackupDrainTimeoutAction onTimeout) {
    CinderCluster cc = Clusters.of(NAME, NS, "2023.2", 1, 1, backups, Clusters.backend("ceph", 1));
    UpgradeSpec u = new UpgradeSpec();
    u.setBackupDrainTimeout(drainTimeout);
    u.setBackupDrainTimeoutAction(onTimeout);
    cc.getSpec().setUpgrade(u);
    s.deploy(cc);
  }

  private boolean onOldImage(String pod) {
    return s.pods("backup").stream()
        .filter(p -> p.getMetadata().getName().equals(pod))
        .allMatch(p -> OLD.equals(Scenario.image(p)));
  }

  private SimBackupService backups() {
    return s.env.sim().cinder().backups();
  }

  private SimBackupTraffic traffic() {
    return SimBackupTraffic.start(s.env.sim(), NS, NAME, Duration.ofMillis(40));
  }

  @Test
  void withTwoBackupHostsUnderTrafficNoBackupEndsInError() {
    deploy(2, "1m", null);
    try (SimBackupTraffic traffic = traffic()) {
      s.awaitThat(
          "backups on both hosts before the upgrade",
          Duration.ofSeconds(20),
          () -> traffic.hosts().containsAll(java.util.Set.of(HOST, OTHER)));
      s.upgradeTo("2024.1");
      s.awaitReleased("2024.1", Duration.ofSeconds(90));
      traffic.stop();
      s.awaitThat(
          "the traffic's backups finished",
          Duration.ofSeconds(10),
          () -> traffic.stats().inFlight() == 0);
      SimBackupTraffic.Stats stats = traffic.stats();
      assertThat(traffic.failed()).as("backups in error: %s", stats).isEmpty();
      assertThat(stats.refused()).as("restores and deletes refused").isZero();
      assertThat(stats.created()).isGreaterThan(20);
    }
    assertThat(s.status().getUpgrade().getFailedBackupCount()).isNull();
    assertThat(s.events("BackupFailed")).isEmpty();
    assertThat(s.events("BackupDrainStarted")).hasSize(2);
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void theSimulatorCatchesAnOperatorThatOnlyDisablesTheHostAndTheOperatorReportsTheLoss() {
    // Schedulers that do not hear the operator: what disabling alone amounts to in Cinder.
    backups().deafSchedulers(true);
    deploy(2, "2s", BackupDrainTimeoutAction.Proceed);
    try (SimBackupTraffic traffic = traffic()) {
      s.awaitThat(
          "backups on both hosts", Duration.ofSeconds(20), () -> traffic.hosts().size() == 2);
      s.upgradeTo("2024.1");
      s.awaitReleased("2024.1", Duration.ofSeconds(90));
      s.awaitThat(
          "backups in error reported in status",
          Duration.ofSeconds(20),
          () -> {
            Integer reported = s.status().getUpgrade().getFailedBackupCount();
            return reported != null && reported >= traffic.stats().inError();
          });
      assertThat(traffic.stats().inError())
          .as("the drained hosts kept getting creates")
          .isPositive();
    }
    assertThat(s.eventMessages("BackupFailed"))
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m).contains("ended in error during the upgrade to 2024.1"));
    assertThat(s.status().getUpgrade().getFailedBackups())
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.getReason()).isNotBlank());
  }

  @Test
  void aSingleBackupHostKeepsServingWhileItsBackupsFinishAndIsDisabledOnlyForItsSwap() {
    deploy(1, "10m", null);
    s.servicesTable().setInFlightBackups(HOST, 2);
    s.upgradeTo("2024.1");
    s.awaitStep(UpgradeStep.RollingBackup);
    s.awaitThat(
        "the drain waits",
        Duration.ofSeconds(30),
        () -> String.valueOf(s.status().getUpgrade().getBlockedBy()).contains("2 backups"));
    s.holdsFor(
        "the only backup host keeps taking restores and deletes",
        Duration.ofSeconds(2),
        () -> onOldImage(HOST) && !s.servicesTable().newBackupsStopped(HOST));
    assertThat(s.status().getUpgrade().getBlockedBy()).contains("the only backup host");
    assertThat(s.condition("Stalled").getStatus()).isEqualTo("False");

    s.servicesTable().setInFlightBackups(HOST, 0);
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.servicesTable().newBackupsStopped(HOST)).isFalse();
    assertThat(s.servicesTable().peek())
        .filteredOn(r -> r.host().equals(HOST))
        .allSatisfy(r -> assertThat(r.disabled()).isFalse());
    assertThat(s.events("BackupDrainFinished")).isNotEmpty();
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  @Test
  void aSchedulerThatRestartsDuringTheDrainIsToldAgainToSkipTheHost() {
    deploy(2, "10m", null);
    s.servicesTable().setInFlightBackups(OTHER, 1);
    s.upgradeTo("2024.1");
    s.awaitStep(UpgradeStep.RollingBackup);
    s.awaitThat(
        "the drained host is off the scheduler",
        Duration.ofSeconds(30),
        () ->
            s.servicesTable().newBackupsStopped(OTHER) && !backups().schedulable(NS, NAME, OTHER));

    // The restarted scheduler asks every backup service to report; the running one says it works.
    s.env.sim().kubelet().restartContainer(NS, NAME + "-scheduler-0");
    s.awaitThat(
        "the drained host is off the new scheduler again",
        Duration.ofSeconds(30),
        () ->
            s.env.sim().cinder().processes(NS, NAME).stream()
                    .anyMatch(p -> p.component().equals("scheduler") && p.running())
                && !backups().schedulable(NS, NAME, OTHER)
                && backups().schedulable(NS, NAME, HOST));
    assertThat(onOldImage(OTHER)).isTrue();

    s.servicesTable().setInFlightBackups(OTHER, 0);
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(backups().schedulable(NS, NAME, OTHER)).isTrue();
    assertThat(backups().schedulable(NS, NAME, HOST)).isTrue();
  }

  @Test
  void stallsWhenTheDrainTimesOutAndProceedsWhenToldTo() {
    deploy(1, "2s", null);
    s.servicesTable().setInFlightBackups(HOST, 2);
    s.upgradeTo("2024.1");

    s.awaitStalled("BackupDrainTimeout", Duration.ofSeconds(40));
    assertThat(s.condition("Stalled").getMessage()).contains(HOST).contains("backupDrainTimeout");
    s.holdsFor(
        "the backup pod still runs the old image", Duration.ofSeconds(1), () -> onOldImage(HOST));

    s.editUpgrade(u -> u.setBackupDrainTimeoutAction(BackupDrainTimeoutAction.Proceed));
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    assertThat(s.eventMessages("PodReplaced"))
        .anySatisfy(m -> assertThat(m).contains(HOST).contains("backupDrainTimeout"));
    assertThat(s.servicesTable().newBackupsStopped(HOST)).isFalse();
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }
}
