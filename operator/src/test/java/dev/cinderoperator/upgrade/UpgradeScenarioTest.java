package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drives the planner through a whole 2023.2 to 2024.1 upgrade of 2 schedulers, 2 backends (ceph
 * with one pod, lvm active/active with two), 2 backups and 2 API pods, the test playing executor,
 * kubelet and Cinder.
 */
class UpgradeScenarioTest {

  @Test
  void rollingUpgradeRunsEveryStepInOrderOnePodAtATime() {
    World w = World.upgradeRequested();
    List<String> replaced = new ArrayList<>();
    List<UpgradeStep> steps = new ArrayList<>();
    List<String> jobs = new ArrayList<>();
    List<String> signalled = new ArrayList<>();
    Decision d = null;
    for (int i = 0; i < 400; i++) {
      assertAtMostOnePodDisrupted(w);
      d = w.plan();
      Action a = d.action();
      if (a instanceof Action.Stall s) {
        fail("stalled: " + s.reason() + ": " + s.message());
      }
      if (a instanceof Action.ReplacePod r) {
        assertOthersReady(w, r.pod());
        replaced.add(r.pod());
      }
      if (a instanceof Action.RestartPod r) {
        fail("no restart expected in a rolling upgrade: " + r);
      }
      if (a instanceof Action.RecordStep s) {
        steps.add(s.next());
      }
      if (a instanceof Action.CreateJob j) {
        jobs.add(j.kind() + " " + j.name());
      }
      if (a instanceof Action.SignalPod s) {
        signalled.add(s.pod());
      }
      w.apply(d);
      if (a instanceof Action.Complete) {
        break;
      }
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    assertThat(d.action()).isInstanceOf(Action.Complete.class);
    assertThat(d.phase()).isEqualTo(Phase.Ready);
    assertThat(w.status.getRelease()).isEqualTo("2024.1");
    assertThat(w.status.getImage()).isEqualTo(World.NEW);
    assertThat(w.upgrade().getStep()).isEqualTo(UpgradeStep.Complete);
    assertThat(w.upgrade().getCompletedSteps()).isEqualTo(w.upgrade().getTotalSteps());
    assertThat(w.upgrade().getTotalSteps()).isEqualTo(7 + 7 + 2);

    assertThat(steps)
        .containsExactly(
            UpgradeStep.SchemaMigration,
            UpgradeStep.Pinning,
            UpgradeStep.RollingScheduler,
            UpgradeStep.RollingVolume,
            UpgradeStep.RollingBackup,
            UpgradeStep.RollingApi,
            UpgradeStep.Unpinning,
            UpgradeStep.DataMigration);
    assertThat(replaced)
        .containsExactly(
            "cinder-scheduler-1",
            "cinder-scheduler-0",
            "cinder-volume-ceph-0",
            "cinder-volume-lvm-1",
            "cinder-volume-lvm-0",
            "cinder-backup-1",
            "cinder-backup-0");
    String from = JobHash.of(World.OLD);
    String to = JobHash.of(World.NEW);
    assertThat(jobs)
        .containsExactly(
            "PRE_DATA_MIGRATION cinder-data-migration-" + from + "-1",
            "VERSION_PROBE cinder-version-probe-" + to,
            "UPGRADE_CHECK cinder-upgrade-check-" + to,
            "DB_SYNC cinder-db-sync-" + to,
            "DATA_MIGRATION cinder-data-migration-" + to + "-1");
    assertThat(signalled)
        .containsExactlyInAnyOrder(
            "cinder-scheduler-0",
            "cinder-scheduler-1",
            "cinder-volume-ceph-0",
            "cinder-volume-lvm-0",
            "cinder-volume-lvm-1",
            "cinder-backup-0",
            "cinder-backup-1");
    assertThat(w.upgrade().getPins())
        .extracting(p -> p.getBinary() + " " + p.getRpcVersion())
        .contains("cinder-volume 3.18");
    assertThat(w.upgrade().getTargets())
        .extracting(p -> p.getBinary() + " " + p.getRpcVersion())
        .contains("cinder-volume 3.19");
    assertThat(w.stopped).isEmpty();
    assertThat(w.pods.values()).allMatch(p -> p.image().equals(World.NEW));
    // Finished: the next pass has nothing to do.
    assertThat(w.plan().action()).isInstanceOf(Action.Idle.class);
  }

  /** At every observed moment at most one StatefulSet pod is missing, not Ready or terminating. */
  static void assertAtMostOnePodDisrupted(World w) {
    ClusterLayout layout = new ClusterLayout(World.CLUSTER, w.spec);
    long disrupted =
        layout.forward().stream()
            .map(s -> w.pod(s.pod()))
            .filter(p -> p == null || !p.ready() || p.terminating())
            .count();
    assertThat(disrupted).as("pods disrupted at once").isLessThanOrEqualTo(1);
  }

  static void assertOthersReady(World w, String acting) {
    for (PodView p : w.pods.values()) {
      if (!p.name().equals(acting)) {
        assertThat(p.ready() && !p.terminating())
            .as("pod %s ready while %s is replaced", p.name(), acting)
            .isTrue();
      }
    }
    ClusterLayout layout = new ClusterLayout(World.CLUSTER, w.spec);
    for (ClusterLayout.Slot s : layout.forward()) {
      assertThat(w.pod(s.pod())).as("pod %s present", s.pod()).isNotNull();
    }
    assertThat(w.pods.values().stream().filter(p -> p.component() == Component.API).count())
        .isGreaterThanOrEqualTo(w.spec.apiReplicas());
  }

  /**
   * Crash safety: before every act the operator dies after writing the decision's status and before
   * acting. The restarted operator must ask for the same act, not a different or second one, and
   * the upgrade still completes.
   */
  @Test
  void anOperatorKilledBetweenStatusWriteAndActResumesWithTheSameAct() {
    World w = World.upgradeRequested();
    Decision d = null;
    for (int i = 0; i < 400; i++) {
      d = w.plan();
      if (d.action().changesWorld()) {
        w.status.setUpgrade(UpgradeStatuses.copy(d.upgrade()));
        Decision afterRestart = w.plan();
        assertThat(afterRestart.action()).as("after restart at %s", d.step()).isEqualTo(d.action());
      }
      // Asking twice on the same world changes nothing either.
      assertThat(w.plan().action()).isEqualTo(w.plan().action());
      w.apply(d);
      if (d.action() instanceof Action.Complete) {
        break;
      }
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }
    assertThat(d.action()).isInstanceOf(Action.Complete.class);
  }
}
