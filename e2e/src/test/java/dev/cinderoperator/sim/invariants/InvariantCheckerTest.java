package dev.cinderoperator.sim.invariants;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.sim.cinder.CachedPin;
import dev.cinderoperator.sim.cinder.CinderProcess;
import dev.cinderoperator.sim.cinder.ImageNames;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent.Kind;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import dev.cinderoperator.sim.invariants.InvariantChecker.Invariant;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The checker fed with hand-written events: each rule caught, a clean upgrade passes. */
class InvariantCheckerTest {
  private static final String OLD = "registry.example/cinder:2023.2";
  private static final String NEW = "registry.example/cinder:2024.1";
  private static final ReleaseCatalog CATALOG = ReleaseCatalog.standard();

  private final List<ServiceRow> rows = new ArrayList<>();
  private final List<CinderProcess> processes = new ArrayList<>();
  private final InvariantChecker checker =
      new InvariantChecker(
          image -> CATALOG.find(ImageNames.tagOf(image)),
          (ns, cluster) -> rows,
          (ns, cluster) -> processes);
  private int uid;
  private final Map<String, String> uids = new java.util.HashMap<>();

  @BeforeEach
  void deployed() {
    for (String pod : List.of("s-0", "s-1")) {
      up(pod, Component.SCHEDULER, null, OLD);
    }
    for (String pod : List.of("v-0", "v-1")) {
      up(pod, Component.VOLUME, "ceph", OLD);
    }
    up("b-0", Component.BACKUP, null, OLD);
    up("api-1", Component.API, null, OLD);
    assertThat(checker.violations()).isEmpty();
  }

  private void up(String pod, Component component, String backend, String image) {
    create(pod, component, backend, image);
    pod(Kind.READY, pod, component, backend, image);
  }

  private void create(String pod, Component component, String backend, String image) {
    uids.put(pod, "uid-" + uid++);
    pod(Kind.CREATED, pod, component, backend, image);
  }

  private void replace(String pod, Component component, String backend, String image) {
    pod(Kind.DELETED, pod, component, backend, OLD);
    up(pod, component, backend, image);
  }

  private void pod(Kind kind, String pod, Component component, String backend, String image) {
    Map<String, String> labels =
        backend == null ? Labels.of("cinder", component) : Labels.ofVolume("cinder", backend);
    checker.accept(new PodEvent(Instant.now(), kind, "ns", pod, uids.get(pod), image, labels));
  }

  @Test
  void aRollInOrderOneAtATimePasses() {
    replace("s-0", Component.SCHEDULER, null, NEW);
    replace("s-1", Component.SCHEDULER, null, NEW);
    replace("v-0", Component.VOLUME, "ceph", NEW);
    replace("v-1", Component.VOLUME, "ceph", NEW);
    replace("b-0", Component.BACKUP, null, NEW);
    up("api-2", Component.API, null, NEW);
    pod(Kind.DELETED, "api-1", Component.API, null, OLD);

    assertThat(checker.violations()).isEmpty();
  }

  @Test
  void aVolumeOnTheNewImageBeforeEverySchedulerIsAnOrderViolation() {
    replace("s-0", Component.SCHEDULER, null, NEW);
    replace("v-0", Component.VOLUME, "ceph", NEW);

    assertThat(checker.violations(Invariant.UPGRADE_ORDER))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("v-0").contains("s-1"));
  }

  @Test
  void twoPodsOfOneBackendDownAtOnceIsCaught() {
    replace("s-0", Component.SCHEDULER, null, NEW);
    replace("s-1", Component.SCHEDULER, null, NEW);
    pod(Kind.DELETED, "v-0", Component.VOLUME, "ceph", OLD);
    pod(Kind.NOT_READY, "v-1", Component.VOLUME, "ceph", OLD);

    assertThat(checker.violations(Invariant.ONE_DOWN_AT_A_TIME))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("volume-ceph"));
  }

  @Test
  void aSighupWhileARowReportsTheOldVersionIsCaught() {
    replace("s-0", Component.SCHEDULER, null, NEW);
    rows.add(row("cinder-volume", "v-0@ceph", "3.18"));

    checker.accept(new SignalEvent(Instant.now(), "ns", "cinder", "s-0", "SIGHUP", true));

    assertThat(checker.violations(Invariant.SIGHUP_BEFORE_TARGET))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("v-0@ceph").contains("3.18"));
  }

  @Test
  void aSecondSuccessfulDbSyncForOneImageIsCaught() {
    checker.accept(job(Component.DB_SYNC, "cinder-db-sync-a", 1));
    checker.accept(job(Component.DB_SYNC, "cinder-db-sync-a", 0));
    assertThat(checker.violations()).isEmpty();

    checker.accept(job(Component.DB_SYNC, "cinder-db-sync-b", 0));

    assertThat(checker.violations(Invariant.DB_SYNC_ONCE)).hasSize(1);
  }

  @Test
  void dataMigrationsWhileAProcessIsStillPinnedAndSighupsAfterThemAreCaught() {
    replace("s-0", Component.SCHEDULER, null, NEW);
    CinderProcess pinned =
        new CinderProcess(
            "ns",
            "s-0",
            "u",
            "cinder",
            "scheduler",
            null,
            "s-0",
            null,
            CATALOG.find("2024.1").orElseThrow(),
            Instant.now(),
            true);
    pinned.pin(dev.cinderoperator.cinder.CinderBinary.VOLUME, new CachedPin("3.18", "1.39"));
    processes.add(pinned);

    checker.accept(job(Component.DATA_MIGRATION, "cinder-data-migration-a-1", 0));
    checker.accept(new SignalEvent(Instant.now(), "ns", "cinder", "s-0", "SIGHUP", true));

    assertThat(checker.violations(Invariant.DATA_MIGRATION_BEFORE_UNPIN))
        .hasSize(2)
        .anySatisfy(v -> assertThat(v.message()).contains("pins cinder-volume to 3.18"))
        .anySatisfy(v -> assertThat(v.message()).contains("after online data migrations"));
  }

  @Test
  void deletingAPodWhileTheTestSaysStalledOnBadInputIsCaught() {
    checker.forbidPodDeletionWhen((ns, cluster) -> cluster.equals("cinder"));

    pod(Kind.DELETED, "s-1", Component.SCHEDULER, null, OLD);

    assertThat(checker.violations(Invariant.POD_DELETED_WHILE_STALLED)).hasSize(1);
  }

  private static JobRunEvent job(Component component, String name, int exitCode) {
    return new JobRunEvent(
        Instant.now(), "ns", "cinder", name, name + "-x", component.label(), NEW, exitCode, "");
  }

  private static ServiceRow row(String binary, String host, String rpc) {
    return new ServiceRow(
        1, binary, host, null, rpc, "1.39", false, Instant.now(), Instant.now(), 1, "u");
  }
}
