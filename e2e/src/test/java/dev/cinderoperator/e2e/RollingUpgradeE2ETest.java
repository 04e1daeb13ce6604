package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A fresh deploy and an N to N+1 upgrade of the large cluster (3 schedulers, 3 backends one
 * of them active/active with 3 pods, 2 backups, 3 API) on the simulated cluster, invariants checked
 * throughout.
 */
class RollingUpgradeE2ETest extends ScenarioTest {
  static final String TARGET = Clusters.REGISTRY + "2024.1";

  @Test
  void deploysThenUpgradesOneReleaseWithoutBreakingAnInvariant() {
    s.deploy(Clusters.large(NAME, NS, "2023.2"));
    assertThat(s.status().getRelease()).isEqualTo("2023.2");
    assertThat(s.condition("Ready").getStatus()).isEqualTo("True");
    assertThat(s.pods("volume")).hasSize(5);
    assertThat(s.status().getServices()).hasSize(3 + 5 + 2);

    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(120));

    CinderCluster done = s.get();
    assertThat(done.getStatus().getPhase()).isEqualTo(Phase.Ready);
    assertThat(done.getStatus().getImage()).isEqualTo(TARGET);
    assertThat(done.getStatus().getUpgrade().getStep()).isEqualTo(UpgradeStep.Complete);
    assertThat(done.getStatus().getUpgrade().getFinishedAt()).isNotNull();
    assertThat(done.getStatus().getUpgrade().getTargets())
        .anySatisfy(
            t -> {
              assertThat(t.getBinary()).isEqualTo("cinder-volume");
              assertThat(t.getRpcVersion()).isEqualTo("3.19");
            });
    assertThat(done.getStatus().getServices())
        .hasSize(10)
        .allSatisfy(row -> assertThat(row.getStale()).isFalse());
    for (String component : List.of("scheduler", "volume", "backup", "api")) {
      assertThat(s.pods(component))
          .allSatisfy(p -> assertThat(Scenario.image(p)).isEqualTo(TARGET));
    }

    // PodReplaced events: every scheduler, then every volume, then every backup pod, once each
    List<String> replaced =
        s.eventMessages("PodReplaced").stream().map(RollingUpgradeE2ETest::componentOf).toList();
    assertThat(replaced)
        .containsExactly(
            "scheduler",
            "scheduler",
            "scheduler",
            "volume",
            "volume",
            "volume",
            "volume",
            "volume",
            "backup",
            "backup");
    // the API Deployment rolls after the last backup pod went
    Instant lastBackupDeleted =
        s.deletedPods().stream()
            .filter(e -> e.component().equals("backup"))
            .map(PodEvent::at)
            .max(Instant::compareTo)
            .orElseThrow();
    List<PodEvent> newApi =
        s.env
            .sim()
            .recorder()
            .of(
                PodEvent.class,
                e ->
                    e.kind() == PodEvent.Kind.CREATED
                        && "api".equals(e.component())
                        && TARGET.equals(e.image()));
    assertThat(newApi).hasSizeGreaterThanOrEqualTo(3);
    assertThat(newApi).allSatisfy(e -> assertThat(e.at()).isAfter(lastBackupDeleted));

    // one successful db sync for the target image (the first install ran one on 2023.2)
    List<JobRunEvent> dbSyncs =
        s.env
            .sim()
            .recorder()
            .of(
                JobRunEvent.class,
                j ->
                    "db-sync".equals(j.component())
                        && j.exitCode() == 0
                        && TARGET.equals(j.image()));
    assertThat(dbSyncs).hasSize(1);

    // SIGHUP to every scheduler, volume and backup process, each after every row reported 3.19
    List<SignalEvent> signals = s.env.sim().recorder().signals();
    assertThat(signals).allSatisfy(sig -> assertThat(sig.delivered()).isTrue());
    Set<String> signalled = signals.stream().map(SignalEvent::pod).collect(Collectors.toSet());
    assertThat(signalled).hasSize(10);
    Instant lastSignal =
        signals.stream().map(SignalEvent::at).max(Instant::compareTo).orElseThrow();
    Instant firstSignal =
        signals.stream().map(SignalEvent::at).min(Instant::compareTo).orElseThrow();
    assertThat(lastRowNotAtTargetBefore(firstSignal)).isFalse();

    // the target's online data migrations after the last signal (Preflight ran 2023.2's earlier)
    List<JobRunEvent> migrations =
        s.env
            .sim()
            .recorder()
            .of(
                JobRunEvent.class,
                j -> "data-migration".equals(j.component()) && TARGET.equals(j.image()));
    assertThat(migrations).isNotEmpty();
    assertThat(migrations).allSatisfy(m -> assertThat(m.at()).isAfter(lastSignal));
    assertThat(s.eventMessages("UpgradeComplete")).hasSize(1);

    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }

  /** True when, at the first signal, some services row still reported a version below 2024.1's. */
  private boolean lastRowNotAtTargetBefore(Instant firstSignal) {
    var rows =
        s.env.sim().recorder().rows().stream()
            .filter(r -> !r.at().isAfter(firstSignal))
            .collect(
                Collectors.toMap(
                    r -> r.row().binary() + " " + r.row().host(), r -> r, (a, b) -> b));
    return rows.values().stream()
        .anyMatch(
            r ->
                r.change() != dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent.Change.DELETED
                    && r.row().binary().equals("cinder-volume")
                    && !"3.19".equals(r.row().rpcVersion()));
  }

  /** "replacing pod cinder-volume-ceph-hdd-1: ..." is a volume pod. */
  static String componentOf(String podReplacedMessage) {
    for (String c : List.of("scheduler", "volume", "backup", "api")) {
      if (podReplacedMessage.startsWith("replacing pod " + NAME + "-" + c)) {
        return c;
      }
    }
    return podReplacedMessage;
  }
}
