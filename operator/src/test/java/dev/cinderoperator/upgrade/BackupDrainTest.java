package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.BackupDrainTimeoutAction;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.FailedBackupRow;
import dev.cinderoperator.cinder.FailedBackups;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a cinder-backup pod is drained and swapped, as decisions: what keeps new backups, restores
 * and deletes off the host, when its pod may go, and what a failed backup leaves behind
 * (docs/backup-drain.md).
 */
class BackupDrainTest {

  private static World oneBackupHost() {
    return World.upgradeRequested(w -> w.spec.getBackup().setReplicas(1))
        .driveTo(UpgradeStep.RollingBackup);
  }

  @Test
  void withAnotherHostServingTheDrainingHostIsDisabledAndSkippedByTheSchedulersUntilItsNewPod() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);

    Decision stop = w.plan();
    assertThat(stop.action()).isEqualTo(new Action.StopNewBackups("cinder-backup-1"));
    assertThat(stop.keepOffSchedulers()).containsExactly("cinder-backup-1");
    w.apply(stop);

    w.backupsInFlight.put("cinder-backup-1", 3);
    Decision draining = w.plan();
    assertThat(((Action.Wait) draining.action()).reason()).isEqualTo("BackupDraining");
    assertThat(draining.blockedBy()).contains("3 backups in flight on cinder-backup-1");
    assertThat(draining.keepOffSchedulers()).containsExactly("cinder-backup-1");
    w.apply(draining);

    w.backupsInFlight.put("cinder-backup-1", 0);
    Decision replace = w.plan();
    Action.ReplacePod r = (Action.ReplacePod) replace.action();
    assertThat(r.pod()).isEqualTo("cinder-backup-1");
    assertThat(r.swap()).isEqualTo(new Action.BackupSwap("cinder-backup-1", false, true, true));
    w.apply(replace);

    Decision terminating = w.plan();
    assertThat(terminating.keepOffSchedulers())
        .as("a create sent to a host that is going would be reset to error at its restart")
        .containsExactly("cinder-backup-1");

    w.settle(); // the new pod exists (not Ready yet): its own start reports it working
    Decision newPod = w.plan();
    assertThat(newPod.keepOffSchedulers()).isEmpty();
    w.settle(); // Ready, its row written at start
    w.operatorLooks(); // the heartbeat baseline
    w.reportInterval(); // its first heartbeat: the gate passes
    Decision allow = w.plan();
    assertThat(allow.action()).isEqualTo(new Action.AllowNewBackups("cinder-backup-1"));
    w.apply(allow);
    assertThat(w.reportedWorking).containsExactly("cinder-backup-1");

    Decision next = w.plan();
    assertThat(next.action()).isEqualTo(new Action.StopNewBackups("cinder-backup-0"));
    assertThat(next.keepOffSchedulers()).containsExactly("cinder-backup-0");
  }

  @Test
  void aSingleBackupHostKeepsServingRestoresAndDeletesUntilItsSwap() {
    World w = oneBackupHost();
    w.backupsInFlight.put("cinder-backup-0", 2);

    Decision draining = w.plan();
    assertThat(((Action.Wait) draining.action()).reason()).isEqualTo("BackupDraining");
    assertThat(draining.blockedBy())
        .contains("the only backup host")
        .contains("2 backups in flight on cinder-backup-0");
    assertThat(draining.keepOffSchedulers()).as("no other host could take them").isEmpty();
    w.apply(draining);
    assertThat(w.stopped).as("restores and deletes still reach it").isEmpty();

    w.backupsInFlight.put("cinder-backup-0", 0);
    Decision swap = w.plan();
    Action.ReplacePod r = (Action.ReplacePod) swap.action();
    assertThat(r.swap()).isEqualTo(new Action.BackupSwap("cinder-backup-0", true, false, true));
    w.apply(swap);
    assertThat(w.stopped)
        .as("disabled for the swap: Cinder's API refuses a restore instead of losing it")
        .containsExactly("cinder-backup-0");
    assertThat(w.plan().keepOffSchedulers()).isEmpty();

    w.settle();
    w.settle(); // Ready, its row written at start
    w.operatorLooks(); // the heartbeat baseline
    w.reportInterval(); // its first heartbeat: the gate passes
    Decision allow = w.plan();
    assertThat(allow.action()).isEqualTo(new Action.AllowNewBackups("cinder-backup-0"));
    w.apply(allow);
    assertThat(w.stopped).isEmpty();
  }

  @Test
  void aBackupStartedAfterTheCountKeepsThePodAndReEnablesASingleHost() {
    World w = oneBackupHost();
    w.startBeforeRecount.put("cinder-backup-0", 1);

    Decision swap = w.plan();
    assertThat(swap.action()).isInstanceOf(Action.ReplacePod.class);
    w.apply(swap);
    assertThat(w.refusedSwaps).isEqualTo(1);
    assertThat(w.pod("cinder-backup-0").terminating()).isFalse();
    assertThat(w.stopped).isEmpty();

    Decision waiting = w.plan();
    assertThat(((Action.Wait) waiting.action()).reason()).isEqualTo("BackupDraining");
    assertThat(waiting.blockedBy()).contains("1 backups in flight on cinder-backup-0");

    w.backupsInFlight.put("cinder-backup-0", 0);
    w.apply(w.plan());
    assertThat(w.pod("cinder-backup-0").terminating()).isTrue();
  }

  @Test
  void theHostStaysUntilTheSchedulersCanBeToldAndTheTimeoutDecidesAsForBackupsInFlight() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);
    w.busProblem = "cannot cast to Cinder's schedulers through RabbitMQ at rabbitmq:5672: refused";
    w.apply(w.plan()); // StopNewBackups

    Decision waiting = w.plan();
    assertThat(((Action.Wait) waiting.action()).reason()).isEqualTo("BackupDraining");
    assertThat(waiting.blockedBy())
        .contains("telling the schedulers to skip cinder-backup-1 failed")
        .contains("rabbitmq:5672: refused");
    w.apply(waiting);

    w.tick(w.policy().backupDrainTimeoutOrDefault().plusMinutes(1));
    Action.Stall stall = (Action.Stall) w.plan().action();
    assertThat(stall.reason()).isEqualTo("BackupDrainTimeout");

    w.policy().setBackupDrainTimeoutAction(BackupDrainTimeoutAction.Proceed);
    Action.ReplacePod r = (Action.ReplacePod) w.plan().action();
    assertThat(r.swap().keepOff()).as("going on without the schedulers told").isFalse();
    assertThat(r.swap().requireIdle()).isTrue();
  }

  @Test
  void aBackupInErrorIsListedInStatusAndToldOnce() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);
    w.failedBackups =
        new FailedBackups(
            1,
            List.of(
                new FailedBackupRow(
                    "b-1",
                    "cinder-backup-1",
                    "incomplete backup reset on manager restart",
                    Instant.parse("2025-03-01T10:20:00Z"))));

    Decision first = w.plan();
    assertThat(first.notices())
        .filteredOn(n -> n.reason().equals("BackupFailed"))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.warning()).isTrue();
              assertThat(n.message())
                  .contains("b-1")
                  .contains("cinder-backup-1")
                  .contains("2024.1")
                  .contains("incomplete backup reset on manager restart");
            });
    assertThat(first.upgrade().getFailedBackupCount()).isEqualTo(1);
    assertThat(first.upgrade().getFailedBackups())
        .singleElement()
        .satisfies(f -> assertThat(f.getHost()).isEqualTo("cinder-backup-1"));
    w.apply(first);

    assertThat(w.plan().notices()).noneMatch(n -> n.reason().equals("BackupFailed"));
  }

  @Test
  void noBackupInErrorLeavesTheStatusWithoutAList() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);
    w.failedBackups = FailedBackups.none();
    Decision d = w.plan();
    assertThat(d.upgrade().getFailedBackups()).isEmpty();
    assertThat(d.upgrade().getFailedBackupCount()).isNull();
  }

  @Test
  void anOfflineUpgradeKeepsEveryBackupHostOffTheSchedulersUntilTheOldPodsAreGone() {
    World w = World.running();
    w.status.setRelease("2023.1");
    w.spec.setRelease("2024.1");
    w.spec.setImage(World.NEW);
    w.policy().setAllowSkipLevel(true);

    Decision first = w.stepUntil(d -> d.action() instanceof Action.StopNewBackups, 100);
    assertThat(first.keepOffSchedulers())
        .containsExactlyInAnyOrder("cinder-backup-0", "cinder-backup-1");
    w.apply(first);
    w.apply(w.plan());
    Decision done = w.plan();
    assertThat(done.action())
        .isEqualTo(new Action.RecordStep(UpgradeStep.Preflight, UpgradeStep.SchemaMigration));
    w.apply(done);
    Decision stopping = w.plan();
    assertThat(stopping.action()).isInstanceOf(Action.StopServices.class);
    assertThat(stopping.keepOffSchedulers())
        .containsExactlyInAnyOrder("cinder-backup-0", "cinder-backup-1");
    w.apply(stopping);
    w.settle();
    assertThat(w.plan().keepOffSchedulers()).isEmpty();
  }

  @Test
  void theDrainCountsAgainWhenThePodStayedAfterAReplace() {
    World w = World.upgradeRequested().driveTo(UpgradeStep.RollingBackup);
    w.apply(w.plan()); // StopNewBackups
    w.startBeforeRecount.put("cinder-backup-1", 2);
    w.apply(w.plan()); // ReplacePod, refused by the recount
    assertThat(w.refusedSwaps).isEqualTo(1);
    Decision d = w.plan();
    assertThat(d.blockedBy()).contains("2 backups in flight on cinder-backup-1");
    assertThat(d.keepOffSchedulers()).containsExactly("cinder-backup-1");
    assertThat(w.stopped).containsExactly("cinder-backup-1");
    w.tick(Duration.ofSeconds(5));
  }
}
