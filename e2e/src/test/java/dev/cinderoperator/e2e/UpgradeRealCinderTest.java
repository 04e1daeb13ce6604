package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.db.testing.RealCinder;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import dev.cinderoperator.db.testing.TestRabbitMq;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.realcinder.RealCinderEnvironment;
import dev.cinderoperator.realcinder.RealCinderRuntime;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.workload.Component;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fresh deploy and a full rolling upgrade of 1 scheduler, 1 backend, 1 backup and 1 API pod,
 * where the scheduler, volume and backup pods run Debian's real Cinder 21.3.1 processes and the
 * jobs run the real {@code cinder-manage db sync}, {@code cinder-status upgrade check}, {@code
 * cinder-manage db online_data_migrations} and the version probe, against a private MariaDB and
 * RabbitMQ. cinder-api is not run (its pods are Ready at once).
 *
 * <p>Releases (see {@link RealCinderEnvironment}): the source image {@code cinder:yoga} runs the
 * installed code with its RPC constants lowered (volume 3.16, backup 2.2, Xena's; real Yoga reports
 * Zed's); the target {@code cinder:zed} is the unmodified 21.3.1 (volume 3.18, scheduler 3.12,
 * backup 2.3). Yoga to zed is N to N+1.
 *
 * <p>Skipped loudly unless root, Debian's Cinder, RabbitMQ and MariaDB are installed.
 */
class UpgradeRealCinderTest {
  static final String NS = "openstack";
  static final String PINS_RESET = "Resetting cached RPC version pins.";

  TestDatabase db;
  TestRabbitMq rabbit;
  RealCinderEnvironment real;
  long started;
  Path dir;

  @BeforeEach
  void start() throws Exception {
    RealCinder.assumeAvailable();
    RealCinderRuntime.unavailableReason()
        .or(RealCinderEnvironment.Releases::bookwormUnavailableReason)
        .ifPresent(
            why -> {
              System.err.println("\n*** SKIPPING the real-Cinder tier: " + why + " ***\n");
              Assumptions.abort(why);
            });
    started = System.nanoTime();
    db =
        TestMariaDb.shared()
            .createEmptyDatabase("real_upgrade_" + UUID.randomUUID().toString().substring(0, 8));
    dir = Files.createTempDirectory("real-cinder-upgrade-");
    rabbit = TestRabbitMq.start(Files.createDirectories(dir.resolve("rabbitmq")));
    System.out.printf("MariaDB and RabbitMQ up after %.1f s%n", seconds());
    real =
        RealCinderEnvironment.start(
            new RealCinderEnvironment.Backing(
                db.sqlAlchemyUrl(), rabbit.transportUrl(), dir.resolve("pods")),
            NS,
            OperatorSettings.defaults()
                .withPollIntervals(Duration.ofMillis(250), Duration.ofSeconds(2)));
  }

  @AfterEach
  void stop() {
    try {
      if (real != null) {
        real.close();
        assertThat(real.runtime().runs())
            .as("every Cinder process stopped")
            .noneMatch(r -> r.process().isAlive());
      }
    } finally {
      if (rabbit != null) {
        rabbit.close();
      }
      if (db != null) {
        db.drop();
      }
      if (dir != null && !Boolean.getBoolean("keepRealCinderLogs")) {
        deleteRecursively(dir);
      } else if (dir != null) {
        System.out.println("pods' config, state and logs kept in " + dir);
      }
      System.out.printf("everything stopped after %.1f s%n", seconds());
    }
  }

  @Test
  void deploysAndUpgradesRealCinderWithPinsResetBySighup() {
    CinderCluster cluster = Clusters.of("cinder", NS, "yoga", 1, 1, 1, fakeBackend());
    cluster.getSpec().setImage(RealCinderEnvironment.SOURCE_IMAGE);
    cluster.getSpec().setConfig(RealCinderEnvironment.testConfig());
    real.env().client().resource(cluster).create();

    await("fresh deploy Ready").atMost(Duration.ofMinutes(10)).until(() -> ready("yoga"));
    System.out.printf("fresh deploy Ready after %.1f s%n", seconds());
    // db sync ran for real: Cinder's own schema at its alembic head
    assertThat(db.value("SELECT version_num FROM alembic_version")).isEqualTo("c92a3e68beed");
    assertThat(
            db.value(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?", db.name()))
        .satisfies(n -> assertThat(((Number) n).intValue()).isGreaterThanOrEqualTo(30));
    await("the imitated yoga rows")
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () ->
                assertThat(versions())
                    .containsExactlyInAnyOrder(
                        "cinder-backup 2.2 1.39",
                        "cinder-scheduler 3.12 1.39",
                        "cinder-volume 3.16 1.39"));

    real.env()
        .editSpec(
            NS,
            "cinder",
            spec -> {
              spec.setRelease("zed");
              spec.setImage(RealCinderEnvironment.TARGET_IMAGE);
            });
    await("upgrade to zed complete").atMost(Duration.ofMinutes(15)).until(() -> ready("zed"));
    System.out.printf("upgrade complete after %.1f s%n", seconds());

    CinderCluster done = real.env().get(NS, "cinder");
    assertThat(done.getStatus().getUpgrade().getStep()).isEqualTo(UpgradeStep.Complete);
    // the rows real 21.3.1 writes, on the pods' hosts
    assertThat(versions())
        .containsExactlyInAnyOrder(
            "cinder-backup 2.3 1.39", "cinder-scheduler 3.12 1.39", "cinder-volume 3.18 1.39");
    assertThat(db.column("SELECT host FROM services WHERE deleted = 0 ORDER BY host"))
        .containsExactly("cinder-backup-0", "cinder-scheduler-0", "cinder-volume-fake-0@fake");

    // the real tools ran: one db sync per image, the probe read the real code's versions
    List<JobRunEvent> jobs = real.env().sim().recorder().jobRuns();
    assertThat(jobs)
        .filteredOn(j -> Component.DB_SYNC.label().equals(j.component()))
        .extracting(JobRunEvent::image, JobRunEvent::exitCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(RealCinderEnvironment.SOURCE_IMAGE, 0),
            org.assertj.core.groups.Tuple.tuple(RealCinderEnvironment.TARGET_IMAGE, 0));
    assertThat(jobs)
        .filteredOn(
            j ->
                Component.VERSION_PROBE.label().equals(j.component())
                    && RealCinderEnvironment.TARGET_IMAGE.equals(j.image()))
        .last()
        .satisfies(
            j ->
                assertThat(j.message())
                    .contains("\"cinder-volume\": \"3.18\"", "\"cinder-backup\": \"2.3\""));
    assertThat(jobs)
        .filteredOn(j -> Component.DATA_MIGRATION.label().equals(j.component()))
        .isNotEmpty()
        .allSatisfy(j -> assertThat(j.exitCode()).isZero());

    // each real service on the target image reset its pins on SIGHUP; the scheduler started
    // pinned to the imitated volume 3.16 and re-selected 3.18 after the reset
    for (String pod : List.of("cinder-scheduler-0", "cinder-volume-fake-0", "cinder-backup-0")) {
      assertThat(targetRun(pod).logText()).as(pod + "'s log").contains(PINS_RESET);
    }
    String scheduler = targetRun("cinder-scheduler-0").logText();
    int reset = scheduler.indexOf(PINS_RESET);
    assertThat(scheduler.substring(0, reset))
        .contains(
            "Automatically selected cinder-volume RPC version 3.16 as minimum service version");
    assertThat(scheduler.substring(reset))
        .contains(
            "Automatically selected cinder-volume RPC version 3.18 as minimum service version");
    assertThat(real.env().sim().invariants().violations()).isEmpty();
  }

  /**
   * Real Cinder writes the services row at start, before init_host, whether or not the driver
   * initialises; only report_state counts, and only while the service works. A backend whose driver
   * fails to initialise on the target (here: the NFS driver without its shares file, a real failure
   * of real Cinder) must hold the roll at its pod.
   */
  @Test
  void aBackendWhoseDriverFailsToInitialiseOnTheTargetHaltsTheRollThere() {
    VolumeBackendSpec broken = fakeBackend();
    broken.setName("broken");
    CinderCluster cluster = Clusters.of("cinder", NS, "yoga", 1, 1, 1, broken, fakeBackend());
    cluster.getSpec().setImage(RealCinderEnvironment.SOURCE_IMAGE);
    cluster.getSpec().setConfig(Map.of("DEFAULT", Map.of("graceful_shutdown_timeout", "5")));
    UpgradeSpec upgrade = new UpgradeSpec();
    // Long enough for a working service's first heartbeat on a loaded machine (a Cinder process
    // takes a minute or more to start there), short enough to stall within the test.
    upgrade.setServiceReportTimeout("120s");
    upgrade.setPodReadyTimeout("180s"); // a pod that never runs stalls too, and says so
    cluster.getSpec().setUpgrade(upgrade);
    real.env().client().resource(cluster).create();
    await("fresh deploy Ready").atMost(Duration.ofMinutes(10)).until(() -> ready("yoga"));
    System.out.printf("fresh deploy Ready after %.1f s%n", seconds());

    real.runtime()
        .appendConfig(
            RealCinderEnvironment.TARGET_IMAGE,
            "[broken]\nvolume_driver = cinder.volume.drivers.nfs.NfsDriver\n"
                + "nfs_shares_config = /nonexistent/nfs_shares\n");
    real.env()
        .editSpec(
            NS,
            "cinder",
            spec -> {
              spec.setRelease("zed");
              spec.setImage(RealCinderEnvironment.TARGET_IMAGE);
            });
    awaitStalled("the roll stalls at the broken backend", Duration.ofMinutes(10));
    System.out.printf("stalled after %.1f s%n", seconds());

    CinderCluster stalled = real.env().get(NS, "cinder");
    assertThat(stalled.getStatus().getUpgrade().getStep()).isEqualTo(UpgradeStep.RollingVolume);
    assertThat(stalled.getStatus().getUpgrade().getBlockedBy())
        .contains("cinder-volume cinder-volume-broken-0@broken")
        .contains("not heartbeated since the pod started");
    assertThat(stalled.getStatus().getConditions())
        .filteredOn(c -> c.getType().equals("Stalled"))
        .singleElement()
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("ServiceNotHeartbeating"));
    // real Cinder wrote the target's versions into the row, at start, and counted nothing since
    assertThat(
            db.column(
                "SELECT CONCAT(rpc_current_version, ' ', report_count) FROM services"
                    + " WHERE host = 'cinder-volume-broken-0@broken' AND deleted = 0"))
        .singleElement()
        .satisfies(v -> assertThat(v.toString()).startsWith("3.18 "));
    String log = targetRun("cinder-volume-broken-0").logText();
    assertThat(log).contains("Failed to initialize driver").contains("not sending heartbeat");
    // nothing further replaced: the other backend and the backup keep the source image
    for (String pod : List.of("cinder-volume-fake-0", "cinder-backup-0")) {
      assertThat(real.runtime().runs(NS, pod))
          .as(pod)
          .allSatisfy(r -> assertThat(r.image()).isEqualTo(RealCinderEnvironment.SOURCE_IMAGE));
    }
    assertThat(real.env().sim().invariants().violations()).isEmpty();
  }

  /**
   * An image labelled 2023.1 that carries Debian's 21.3.1: the real version probe reports the
   * package version (cinder.version), whose major 21 is zed by rule, and the upgrade stalls in
   * Preflight, before the db sync.
   */
  @Test
  void aMislabelledImageIsRefusedByTheRealProbesPackageVersion() {
    CinderCluster cluster = Clusters.of("cinder", NS, "zed", 1, 1, 0, fakeBackend());
    cluster.getSpec().setImage(RealCinderEnvironment.TARGET_IMAGE);
    real.env().client().resource(cluster).create();
    await("fresh deploy Ready").atMost(Duration.ofMinutes(10)).until(() -> ready("zed"));

    String mislabelled = RealCinderEnvironment.REGISTRY + "2023.1";
    real.runtime().image(mislabelled, java.nio.file.Path.of("/")); // 21.3.1, labelled 2023.1
    real.env()
        .editSpec(
            NS,
            "cinder",
            spec -> {
              spec.setRelease("2023.1");
              spec.setImage(mislabelled);
            });
    awaitStalled("the upgrade stalls", Duration.ofSeconds(240));
    System.out.printf("stalled after %.1f s%n", seconds());
    CinderCluster stalled = real.env().get(NS, "cinder");
    assertThat(stalled.getStatus().getConditions())
        .filteredOn(c -> c.getType().equals("Stalled"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getReason()).isEqualTo("ReleaseMismatch");
              assertThat(c.getMessage())
                  .contains("carries Cinder 21.3.1, which is zed, not spec.release 2023.1");
            });
    assertThat(stalled.getStatus().getUpgrade().getStep()).isEqualTo(UpgradeStep.Preflight);
    assertThat(stalled.getStatus().getRelease()).isEqualTo("zed");
    assertThat(real.env().sim().recorder().jobRuns())
        .noneMatch(
            j -> Component.DB_SYNC.label().equals(j.component()) && mislabelled.equals(j.image()));
  }

  /**
   * Waits for phase Stalled; if it does not come, fails with what the user would look at: the
   * status, and each pod's processes with the end of the last one's log.
   */
  void awaitStalled(String what, Duration atMost) {
    try {
      await(what)
          .atMost(atMost)
          .until(() -> real.env().get(NS, "cinder").getStatus().getPhase() == Phase.Stalled);
    } catch (ConditionTimeoutException e) {
      StringBuilder seen = new StringBuilder(e.getMessage());
      var status = real.env().get(NS, "cinder").getStatus();
      seen.append("\nphase ").append(status.getPhase());
      if (status.getUpgrade() != null) {
        seen.append(", step ")
            .append(status.getUpgrade().getStep())
            .append(", blocked by ")
            .append(status.getUpgrade().getBlockedBy());
      }
      status
          .getConditions()
          .forEach(c -> seen.append("\n  ").append(c.getType()).append(' ').append(c.getReason()));
      real.runtime().runs().stream()
          .filter(r -> r.component() != null && !r.pod().contains("-probe-"))
          .forEach(
              r -> {
                String log = r.logText();
                seen.append("\n").append(r.pod()).append(" on ").append(r.image());
                seen.append(
                    r.process().isAlive() ? " running" : " exited " + r.process().exitValue());
                seen.append(", log ends:\n    ")
                    .append(log.substring(Math.max(0, log.length() - 600)).replace("\n", "\n    "));
              });
      throw new AssertionError(seen.toString(), e);
    }
  }

  RealCinderRuntime.Run targetRun(String pod) {
    return real.runtime().runs(NS, pod).stream()
        .filter(r -> RealCinderEnvironment.TARGET_IMAGE.equals(r.image()))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no process of " + pod + " on the target image"));
  }

  List<Object> versions() {
    return db.column(
        "SELECT CONCAT(`binary`, ' ', rpc_current_version, ' ', object_current_version)"
            + " FROM services WHERE deleted = 0");
  }

  boolean ready(String release) {
    CinderCluster cc = real.env().get(NS, "cinder");
    return cc != null
        && cc.getStatus() != null
        && release.equals(cc.getStatus().getRelease())
        && cc.getStatus().getPhase() == Phase.Ready;
  }

  static VolumeBackendSpec fakeBackend() {
    VolumeBackendSpec v = new VolumeBackendSpec("fake");
    v.setReplicas(1);
    v.setConfig(Map.of("volume_driver", "cinder.tests.fake_driver.FakeLoggingVolumeDriver"));
    return v;
  }

  static void deleteRecursively(Path root) {
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (java.io.IOException e) {
      System.err.println("could not delete " + root + ": " + e.getMessage());
    }
  }

  double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }
}
