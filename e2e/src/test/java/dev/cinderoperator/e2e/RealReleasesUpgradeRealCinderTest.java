package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import dev.cinderoperator.db.testing.TestRabbitMq;
import dev.cinderoperator.e2e.reliability.FaultRecord;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.realcinder.CinderRoots;
import dev.cinderoperator.realcinder.RealCinderEnvironment;
import dev.cinderoperator.realcinder.RealCinderRuntime;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.traffic.TrafficClient;
import dev.cinderoperator.traffic.TrafficReport;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import dev.cinderoperator.workload.Names;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real upgrade: Debian's Cinder 2026.1 (testing) to 2026.2 (unstable), each release its own
 * root filesystem ({@code scripts/testenv/roots.sh}), every pod a container of its image: two
 * cinder-api pods behind the API Service, a scheduler, a single-pod backend and an active/active
 * backend of two pods (coordinated through tooz on the same MariaDB), two backup pods; volumes are
 * local files (the test drivers) so users' backups really run; the jobs run the target's real db
 * sync, version probe, {@code cinder-status upgrade check} and online data migrations. Users' API
 * traffic runs before, during and after the upgrade; in one run the database and the message bus
 * are restarted in the middle of the roll.
 *
 * <p>Skipped loudly, naming why, without root, MariaDB, RabbitMQ, the roots, or when Debian's
 * archive no longer carries two adjacent releases (the roots found are named).
 */
class RealReleasesUpgradeRealCinderTest {
  static final String NS = "openstack";
  static final String NAME = "cinder";
  static final String PINS_RESET = "Resetting cached RPC version pins.";
  static final Path REAL_UPGRADE_JSON = Path.of("target", "bench", "real-upgrade.json");
  static final Path OUTAGES_JSON = Path.of("target", "bench", "outages.json");
  static final String TEST_STORAGE = "/srv/cinder-test";
  // the operator module's test drivers (its bookworm tier runs them too); Maven runs in e2e/
  static final Path TEST_DRIVERS =
      Path.of(
          "..",
          "operator",
          "src",
          "test",
          "resources",
          "dev",
          "cinderoperator",
          "db",
          "testing",
          "python",
          "cinder_test_drivers.py");
  // oslo.messaging retries a lost broker with a growing pause of up to 30 s (rabbit_interval_max)
  static final Duration RECONNECT_ALLOWANCE = Duration.ofSeconds(30);

  /** The class's own MariaDB: one test restarts it. */
  static TestMariaDb server;

  CinderRoots.Pair pair;
  TestDatabase db;
  TestRabbitMq rabbit;
  RealCinderEnvironment real;
  TrafficClient traffic;
  TrafficClient backupUsers;
  long started;
  Path dir;

  @BeforeEach
  void start() throws Exception {
    String why =
        RealCinderRuntime.unavailableReason()
            .or(
                () ->
                    TestRabbitMq.installed()
                        ? java.util.Optional.empty()
                        : java.util.Optional.of("no rabbitmq-server"))
            .orElse(null);
    if (why == null) {
      try {
        pair = CinderRoots.fromEnvironment().pair();
      } catch (CinderRoots.Unavailable e) {
        why = e.getMessage();
      }
    }
    if (why != null) {
      System.err.println(
          "\n*** SKIPPING the real-releases tier (2026.1 -> 2026.2): " + why + " ***\n");
      Assumptions.abort(why);
    }
    System.out.println("real releases: " + pair.source() + " -> " + pair.target());
    started = System.nanoTime();
    if (server == null) {
      server = TestMariaDb.startPrivate();
    }
    db =
        server.createEmptyDatabase("real_releases_" + UUID.randomUUID().toString().substring(0, 8));
    dir = Files.createTempDirectory("real-releases-upgrade-");
    rabbit = TestRabbitMq.start(Files.createDirectories(dir.resolve("rabbitmq")));
    System.out.printf("MariaDB and RabbitMQ up after %.1f s%n", seconds());
    real =
        RealCinderEnvironment.start(
            new RealCinderEnvironment.Backing(
                db.sqlAlchemyUrl(), rabbit.transportUrl(), dir.resolve("pods")),
            NS,
            OperatorSettings.defaults()
                .withPollIntervals(Duration.ofMillis(250), Duration.ofSeconds(2)),
            RealCinderEnvironment.Releases.of(pair));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop();
    }
  }

  @AfterEach
  void stop() {
    try {
      if (traffic != null) {
        traffic.close();
      }
      if (backupUsers != null) {
        backupUsers.close();
      }
      if (real != null) {
        real.close();
        assertThat(real.runtime().runs())
            .as("every container stopped")
            .noneMatch(r -> r.process().isAlive());
      }
    } finally {
      if (rabbit != null) {
        rabbit.close();
      }
      if (db != null) {
        try (java.sql.Connection c = db.server().admin();
            java.sql.Statement st = c.createStatement()) {
          st.execute("DROP USER IF EXISTS '" + toozUser() + "'@'%'");
        } catch (java.sql.SQLException e) {
          System.err.println("could not drop the coordination user: " + e.getMessage());
        }
        db.drop();
      }
      if (dir != null && !Boolean.getBoolean("keepRealCinderLogs")) {
        UpgradeRealCinderTest.deleteRecursively(dir);
      } else if (dir != null) {
        System.out.println("pods' volumes and logs kept in " + dir);
      }
      System.out.printf("everything stopped after %.1f s%n", seconds());
    }
  }

  /** Deploys the source release, starts the users, and once they are served, the upgrade. */
  void deployAndStartUpgradeUnderTraffic() throws Exception {
    String from = pair.source().series();
    real.env().client().resource(cluster(from)).create();
    await("fresh deploy of " + from + " Ready")
        .atMost(Duration.ofMinutes(10))
        .until(() -> ready(from));
    System.out.printf("fresh deploy Ready after %.1f s%n", seconds());

    traffic =
        TrafficClient.start(
            real.apiUrl(NS, NAME), List.of("fake"), TrafficClient.Settings.defaults());
    await("users' first volumes done before the upgrade")
        .atMost(Duration.ofMinutes(2))
        .until(() -> traffic.report().resourcesReached().getOrDefault("volume delete", 0) >= 4);

    traffic.upgradeStarted();
    real.env()
        .editSpec(
            NS,
            NAME,
            spec -> {
              spec.setRelease(pair.target().series());
              spec.setImage(real.releases().targetImage());
            });
  }

  @Test
  void upgradesRealReleasesWhileUsersSeeNoFailedRequest() throws Exception {
    String to = pair.target().series();
    HeartbeatLog beats = new HeartbeatLog(db);
    ContainerExits exits = new ContainerExits(real.runtime());
    deployAndStartUpgradeUnderTraffic();
    long upgradeStart = System.nanoTime();
    java.time.Instant from = java.time.Instant.now();
    // Users who back their volumes up, from the volume pods' roll on: each backup makes several
    // calls and casts to its volume's service while that service is replaced, and each backup
    // host is drained and replaced under their backups. Before the rendered use_queue_manager, a
    // message that reached a volume service in its last second was lost (docs/cinder-pods.md).
    // Not earlier: a backup created while the only scheduler restarts fails (Cinder's: the new
    // scheduler takes the creates queued meanwhile before any backup host has reported to it;
    // docs/backup-drain.md). In a project of their own, one every 4 s: Cinder locks a project's
    // quota rows for every
    // create and delete, and under load concurrent ones deadlock until oslo.db gives up (HTTP
    // 500), upgrade or not.
    awaitStepFrom(UpgradeStep.RollingVolume);
    backupUsers =
        TrafficClient.start(
            real.apiUrl(NS, NAME),
            List.of("fake"),
            TrafficClient.Settings.defaults()
                .withBackups(true)
                .withProject("traffic-backups")
                .withInterval(Duration.ofSeconds(4)));
    backupUsers.upgradeStarted();
    await("upgrade to " + to + " complete").atMost(Duration.ofMinutes(20)).until(() -> ready(to));
    double upgradeSeconds = (System.nanoTime() - upgradeStart) / 1e9;
    RealUpgradeLimit limit =
        RealUpgradeLimit.of(
            real.runtime().runs(),
            real.env().sim().recorder().pods(),
            exits,
            beats,
            from,
            java.time.Instant.now());
    beats.close();
    exits.close();
    System.out.printf(
        "physical limit %.1f s (ratio %.2f): %s, volume backends side by side %s%n",
        limit.seconds(), upgradeSeconds / limit.seconds(), limit.parts(), limit.volumeBackends());
    System.out.printf("upgrade complete in %.1f s (after %.1f s)%n", upgradeSeconds, seconds());
    traffic.upgradeFinished(Duration.ofSeconds(20));
    backupUsers.upgradeFinished(Duration.ofSeconds(20));
    TrafficReport report = traffic.awaitEnd();
    TrafficReport backups = backupUsers.awaitEnd();
    System.out.println("traffic: " + report.summary());
    System.out.println("backup users' traffic: " + backups.summary());

    Map<String, Long> served =
        real.env().sim().serviceProxy().connectionsByPod(NS, Names.api(NAME), 8776);
    Set<String> readyApiPods = new TreeSet<>();
    for (PodEvent e : real.env().sim().recorder().pods()) {
      if (e.kind() == PodEvent.Kind.READY
          && Component.API.label().equals(e.labels().get(Labels.COMPONENT))) {
        readyApiPods.add(e.pod());
      }
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("from", pair.source().toString());
    extra.put("to", pair.target().toString());
    extra.put("upgradeSeconds", upgradeSeconds);
    extra.put("limitSeconds", limit.seconds());
    extra.put("ratio", upgradeSeconds / limit.seconds());
    extra.put("limitParts", limit.parts());
    extra.put("limitVolumeBackends", limit.volumeBackends());
    extra.put("limitUnmeasured", limit.unmeasured());
    extra.put("apiPodsReady", readyApiPods);
    extra.put("connectionsByApiPod", served);
    extra.put("backupUsers", backups.summary());
    report.write(REAL_UPGRADE_JSON, extra);
    System.out.println("wrote " + REAL_UPGRADE_JSON.toAbsolutePath());

    assertThat(report.failures()).as("failed requests and resources").isEmpty();
    assertThat(limit.unmeasured()).as("parts of the physical limit not measured").isEmpty();
    assertThat(report.requests()).isGreaterThanOrEqualTo(200);
    assertThat(report.failedRequests()).isZero();
    assertThat(report.resourcesInError()).isZero();
    assertThat(report.resourcesStuck()).isZero();
    assertThat(report.phases().get("during").requests()).isPositive();
    for (String backend : List.of("cinder-volume-fake-%", "cinder-volume-ha-%")) {
      assertThat(db.column("SELECT COUNT(*) FROM volumes WHERE host LIKE '" + backend + "'"))
          .as("users' volumes on " + backend)
          .singleElement()
          .satisfies(n -> assertThat(((Number) n).longValue()).isPositive());
    }
    assertThat(readyApiPods).as("API pods that became Ready").hasSizeGreaterThanOrEqualTo(4);
    assertBackupsRanOnBothHostsAndNoneFailed(backups);
    for (String pod : readyApiPods) {
      assertThat(served.getOrDefault(pod, 0L)).as("connections served by " + pod).isPositive();
      assertThat(apiRequestsLogged(pod)).as("requests in " + pod + "'s log").isPositive();
    }

    assertCompleteWithEveryServiceOnTheTarget();

    // the target's own tools ran: db sync, probe (reporting the package's version), check
    List<JobRunEvent> jobs = real.env().sim().recorder().jobRuns();
    String target = real.releases().targetImage();
    assertThat(jobs)
        .filteredOn(
            j -> Component.DB_SYNC.label().equals(j.component()) && target.equals(j.image()))
        .extracting(JobRunEvent::exitCode)
        .containsExactly(0);
    assertThat(jobs)
        .filteredOn(
            j -> Component.VERSION_PROBE.label().equals(j.component()) && target.equals(j.image()))
        .last()
        .satisfies(
            j -> {
              assertThat(j.message())
                  .contains(
                      "\"cinder-backup\": \"2.4\"",
                      "\"cinder-scheduler\": \"3.12\"",
                      "\"cinder-volume\": \"3.20\"");
              // the package's own version: the series by rule
              assertThat(j.message())
                  .contains("\"package\": \"" + pair.target().cinderVersion() + "\"");
            });
    assertThat(jobs)
        .filteredOn(j -> Component.DATA_MIGRATION.label().equals(j.component()))
        .isNotEmpty()
        .allSatisfy(j -> assertThat(j.exitCode()).isZero());

    // every scheduler, volume and backup process of the target reset its pins on SIGHUP
    List<String> withoutReset = new ArrayList<>();
    for (RealCinderRuntime.Run r : real.runtime().runs()) {
      boolean service =
          RealCinderRuntime.binaryOf(r.component()).isPresent() && target.equals(r.image());
      if (service && !r.logText().contains(PINS_RESET)) {
        withoutReset.add(r.pod());
      }
    }
    assertThat(withoutReset).as("target services whose log lacks the pin reset").isEmpty();
    assertThat(real.env().sim().invariants().violations()).isEmpty();
  }

  /**
   * MariaDB stopped while the scheduler is being replaced, RabbitMQ while the volume pods are: the
   * operator says it waits for the database and completes, with no invariant broken; Cinder's
   * services come back; users' failures are only those whose flow overlapped an outage window (the
   * stop to the restart, plus oslo.messaging's reconnect allowance), and the report counts them.
   */
  @Test
  void anUpgradeWaitsOutRestartsOfTheDatabaseAndTheMessageBus() throws Exception {
    try (StatusHistory history = new StatusHistory(real.env().client(), NS, NAME)) {
      deployAndStartUpgradeUnderTraffic();
      long upgradeStart = System.nanoTime();

      UpgradeStep dbStep = awaitStepFrom(UpgradeStep.RollingScheduler);
      traffic.outageStarted("MariaDB");
      long t = System.nanoTime();
      server.stop();
      await("the operator says it waits for the database")
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  history.seen().stream().anyMatch(RealReleasesUpgradeRealCinderTest::waitsForDb));
      server.start();
      double dbDown = (System.nanoTime() - t) / 1e9;
      traffic.outageEnded("MariaDB", RECONNECT_ALLOWANCE);
      System.out.printf("MariaDB down for %.1f s during %s%n", dbDown, dbStep);

      UpgradeStep busStep = awaitStepFrom(UpgradeStep.RollingVolume);
      traffic.outageStarted("RabbitMQ");
      t = System.nanoTime();
      rabbit.stopServer();
      await("Cinder's services lost the message bus")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> runningLogsContain("is unreachable"));
      rabbit.startServer();
      double busDown = (System.nanoTime() - t) / 1e9;
      traffic.outageEnded("RabbitMQ", RECONNECT_ALLOWANCE);
      System.out.printf("RabbitMQ down for %.1f s during %s%n", busDown, busStep);

      String to = pair.target().series();
      await("upgrade to " + to + " complete").atMost(Duration.ofMinutes(20)).until(() -> ready(to));
      double upgradeSeconds = (System.nanoTime() - upgradeStart) / 1e9;
      System.out.printf("upgrade complete in %.1f s (after %.1f s)%n", upgradeSeconds, seconds());
      traffic.upgradeFinished(Duration.ofSeconds(20));
      TrafficReport report = traffic.awaitEnd();
      System.out.println("traffic: " + report.summary());
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("from", pair.source().toString());
      extra.put("to", pair.target().toString());
      extra.put("upgradeSeconds", upgradeSeconds);
      extra.put("mariadb", Map.of("step", dbStep.name(), "downSeconds", dbDown));
      extra.put("rabbitmq", Map.of("step", busStep.name(), "downSeconds", busDown));
      report.write(OUTAGES_JSON, extra);
      System.out.println("wrote " + OUTAGES_JSON.toAbsolutePath());
      new FaultRecord(
              "MariaDB and RabbitMQ restarted under real Cinder 2026.1 -> 2026.2, users' traffic"
                  + " running",
              "MariaDB stopped at RollingScheduler until the operator reported it, RabbitMQ at"
                  + " RollingVolume until Cinder's services logged it",
              "RealReleasesUpgradeRealCinderTest",
              "-",
              FaultRecord.counts(
                  "MariaDB down s",
                  Math.round(dbDown),
                  "RabbitMQ down s",
                  Math.round(busDown),
                  "requests",
                  report.requests(),
                  "failed inside the windows",
                  report.outages().stream()
                      .mapToInt(o -> o.failedRequests() + o.resourcesFailed())
                      .sum(),
                  "failed outside",
                  report.failuresOutsideOutages(),
                  "invariant violations",
                  real.env().sim().invariants().violations().size(),
                  "upgrades completed",
                  ready(to) ? 1 : 0))
          .write();

      assertThat(dbStep).isEqualTo(UpgradeStep.RollingScheduler);
      assertThat(busStep).isEqualTo(UpgradeStep.RollingVolume);
      assertThat(report.failuresOutsideOutages())
          .as("failures outside the outage windows: %s", report.failures())
          .isZero();
      // a user whose flow an outage broke may fail after the upgrade too: counted in the window
      assertThat(report.phases().get("during").requests()).isPositive();
      assertCompleteWithEveryServiceOnTheTarget();
      assertThat(real.env().sim().invariants().violations()).isEmpty();
    }
  }

  static boolean waitsForDb(StatusHistory.Seen s) {
    return "DatabaseUnavailable".equals(s.reason())
        || (s.blockedBy() != null && s.blockedBy().contains("database cannot be reached"));
  }

  /** Waits until the upgrade is at {@code step} or beyond, and returns where it is. */
  UpgradeStep awaitStepFrom(UpgradeStep step) {
    java.util.concurrent.atomic.AtomicReference<UpgradeStep> at =
        new java.util.concurrent.atomic.AtomicReference<>();
    await("the upgrade at " + step)
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              CinderCluster cc = real.env().get(NS, NAME);
              UpgradeStep now =
                  cc.getStatus() == null || cc.getStatus().getUpgrade() == null
                      ? null
                      : cc.getStatus().getUpgrade().getStep();
              at.set(now);
              return now != null && now.ordinal() >= step.ordinal();
            });
    return at.get();
  }

  boolean runningLogsContain(String text) {
    return real.runtime().runs().stream()
        .filter(r -> r.process().isAlive())
        .anyMatch(r -> r.logText().contains(text));
  }

  void assertCompleteWithEveryServiceOnTheTarget() {
    CinderCluster done = real.env().get(NS, NAME);
    assertThat(done.getStatus().getRelease()).isEqualTo(pair.target().series());
    assertThat(done.getStatus().getUpgrade().getStep()).isEqualTo(UpgradeStep.Complete);
    // every live row on the target's versions (2026.1 and 2026.2 report the same)
    assertThat(
            db.column(
                "SELECT DISTINCT CONCAT(`binary`, ' ', rpc_current_version, ' ', object_current_version) FROM services WHERE deleted = 0"))
        .containsExactlyInAnyOrder(
            "cinder-backup 2.4 1.39", "cinder-scheduler 3.12 1.39", "cinder-volume 3.20 1.39");
    List<Object> hosts = db.column("SELECT host FROM services WHERE deleted = 0 ORDER BY host");
    assertThat(hosts)
        .containsExactly(
            "cinder-backup-0",
            "cinder-backup-1",
            "cinder-scheduler-0",
            "cinder-volume-fake-0@fake",
            "cinder-volume-ha-0@ha",
            "cinder-volume-ha-1@ha");
  }

  /**
   * Users' backups ran on both backup hosts while they were rolled, and none ended in error: each
   * host was drained and fenced while the other took the creates, restores and deletes.
   */
  void assertBackupsRanOnBothHostsAndNoneFailed(TrafficReport report) {
    assertThat(report.failures()).as("backup users' failed requests and resources").isEmpty();
    assertThat(report.resourcesReached().getOrDefault("backup", 0))
        .as("backups that became available")
        .isPositive();
    assertThat(db.column("SELECT DISTINCT host FROM backups ORDER BY host"))
        .as("hosts that ran users' backups")
        .contains("cinder-backup-0", "cinder-backup-1");
    assertThat(db.column("SELECT COUNT(*) FROM backups WHERE status = 'error'"))
        .as("backups in error")
        .singleElement()
        .satisfies(n -> assertThat(((Number) n).longValue()).isZero());
    CinderCluster cc = real.env().get(NS, NAME);
    assertThat(cc.getStatus().getUpgrade().getFailedBackupCount())
        .as("failed backups the operator reported")
        .satisfiesAnyOf(n -> assertThat(n).isNull(), n -> assertThat(n).isZero());
  }

  /** Requests to /v3 (not the probes' GET /) in the API pod's logs. */
  long apiRequestsLogged(String pod) {
    return real.runtime().runs(NS, pod).stream()
        .flatMap(r -> r.logText().lines())
        .filter(l -> l.contains("/v3/"))
        .count();
  }

  CinderCluster cluster(String release) throws Exception {
    VolumeBackendSpec single = new VolumeBackendSpec("fake");
    single.setReplicas(1);
    single.setConfig(Map.of("volume_driver", "cinder_test_drivers.LocalFileVolumeDriver"));
    Path storage = testStorage();
    mountTestStorage(single, storage);
    VolumeBackendSpec ha = new VolumeBackendSpec("ha");
    ha.setReplicas(2);
    ha.setActiveActive(true);
    ha.setConfig(Map.of("volume_driver", "cinder_test_drivers.LocalFileHAVolumeDriver"));
    mountTestStorage(ha, storage);
    CinderCluster cc = Clusters.of(NAME, NS, release, 1, 2, 1, single);
    cc.getSpec().setVolumes(List.of(single, ha));
    cc.getSpec().setImage(real.releases().sourceImage());
    Map<String, Map<String, String>> config =
        new LinkedHashMap<>(RealCinderEnvironment.testConfig());
    config.put("coordination", Map.of("backend_url", coordinationUrl()));
    // Cinder's fake drivers report volume_backend_name 'fake' whatever their backend is called, so
    // one volume type reaches both backends; the ChanceWeigher spreads creates over them.
    Map<String, String> defaults = new LinkedHashMap<>(config.get("DEFAULT"));
    defaults.put("scheduler_default_weighers", "ChanceWeigher");
    config.put("DEFAULT", defaults);
    cc.getSpec().setConfig(config);
    // two backup hosts: while one drains, the other takes creates, restores and deletes
    BackupSpec backup = new BackupSpec();
    backup.setReplicas(2);
    backup.setConfig(
        Map.of(
            "backup_driver",
            "cinder.backup.drivers.posix.PosixBackupDriver",
            "backup_posix_path",
            TEST_STORAGE + "/backups"));
    mountTestStorage(backup, storage);
    cc.getSpec().setBackup(backup);
    cc.getSpec().setApi(new ComponentSpec(2));
    return cc;
  }

  /**
   * The node's storage for the test drivers, one hostPath as a platform team would give its pods a
   * backend's storage: the drivers' module, the volumes (sparse files the volume services create
   * and the backup services attach by path with os-brick's local connector) and the POSIX backups,
   * shared by every volume and backup pod, old and new.
   */
  Path testStorage() throws java.io.IOException {
    Path storage = dir.resolve("storage");
    Path drivers = Files.createDirectories(storage.resolve("drivers"));
    Files.createDirectories(storage.resolve("volumes"));
    Files.createDirectories(storage.resolve("backups"));
    Files.copy(TEST_DRIVERS, drivers.resolve("cinder_test_drivers.py"));
    return storage;
  }

  /** Mounts the node's test storage into a component's pods, with the drivers' environment. */
  static void mountTestStorage(dev.cinderoperator.api.PodSettings pods, Path storage) {
    pods.setExtraVolumes(
        List.of(
            new VolumeBuilder()
                .withName("test-storage")
                .withNewHostPath()
                .withPath(storage.toString())
                .withType("Directory")
                .endHostPath()
                .build()));
    pods.setExtraVolumeMounts(
        List.of(
            new VolumeMountBuilder().withName("test-storage").withMountPath(TEST_STORAGE).build()));
    pods.setEnv(
        List.of(
            new EnvVar("PYTHONPATH", TEST_STORAGE + "/drivers", null),
            new EnvVar("CINDER_TEST_VOLUME_DIR", TEST_STORAGE + "/volumes", null)));
  }

  /**
   * tooz's MySQL driver on the same MariaDB: every active/active member reaches it. Its own user:
   * tooz takes the password from the URL without percent-decoding it, so the test user's (which
   * needs encoding) cannot be used. tooz's locks are the server's GET_LOCK, which needs no
   * privilege, so the user gets none and connects to information_schema.
   */
  String coordinationUrl() throws java.sql.SQLException {
    try (java.sql.Connection c = db.server().admin();
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE USER IF NOT EXISTS '" + toozUser() + "'@'%' IDENTIFIED BY 'tooz'");
    }
    return "mysql://"
        + toozUser()
        + ":tooz@"
        + db.server().host()
        + ":"
        + db.server().port()
        + "/information_schema";
  }

  String toozUser() {
    return "tooz_" + db.name().substring(db.name().length() - 8);
  }

  boolean ready(String release) {
    CinderCluster cc = real.env().get(NS, NAME);
    return cc != null
        && cc.getStatus() != null
        && release.equals(cc.getStatus().getRelease())
        && cc.getStatus().getPhase() == Phase.Ready;
  }

  double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }
}
