package dev.cinderoperator.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.cinder.BackupCapabilityReport;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.JobKind;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.cinder.TransportUrl;
import dev.cinderoperator.db.JdbcServiceRegistry;
import dev.cinderoperator.db.testing.CinderBackupClient;
import dev.cinderoperator.db.testing.RealCinder;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import dev.cinderoperator.db.testing.TestRabbitMq;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What keeps new backups off a cinder-backup host, shown on Debian's real Cinder 21.3.1: one
 * scheduler, one volume service whose volumes are local files (so backups really run), two backup
 * services {@code cinder-backup-0} and {@code cinder-backup-1} (POSIX driver, one shared backup
 * directory), each reporting its capabilities every 10 s (Cinder's minimum) instead of 60 s.
 * Backups are requested through Cinder's own API code. docs/backup-drain.md has the figures.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupSchedulingRealCinderTest {
  private static final String A = "cinder-backup-0";
  private static final String B = "cinder-backup-1";
  private static final int BATCH = 10;

  private static TestDatabase db;
  private static TestRabbitMq rabbit;
  private static RealCinder cinder;
  private static JdbcServiceRegistry registry;
  private static CinderBackupClient client;
  private static RabbitSchedulerBus bus;
  private static Path python;
  private static Path shared;
  private static RealCinder.Service hostA;
  private static RealCinder.Service hostB;
  private static List<String> volumes;

  @BeforeAll
  static void startCinder() throws Exception {
    RealCinder.assumeAvailable();
    RealCinder.assumeBackupsCanRun();
    db = TestMariaDb.shared().createEmptyDatabase("backup_sched_" + ProcessHandle.current().pid());
    Path dir = Files.createTempDirectory("cinder-backups-real-");
    rabbit = TestRabbitMq.start(dir.resolve("rabbitmq"));
    cinder = new RealCinder(dir, db.sqlAlchemyUrl(), rabbit.transportUrl());
    python = CinderBackupClient.unpack(dir.resolve("python"));
    shared = Files.createDirectories(dir.resolve("shared-backups"));
    Path conf = cinder.writeConf("client", "client", more());
    RealCinder.ToolRun sync =
        RealCinder.run(new CinderCommands(conf.toString()).dbSync(), dir.resolve("db-sync.log"));
    assertThat(JobOutcome.of(JobKind.DB_SYNC, sync.exitCode(), 0).proceeds())
        .as(sync.output())
        .isTrue();
    registry = new JdbcServiceRegistry(db.url());
    bus =
        new RabbitSchedulerBus(
            TransportUrl.parse(rabbit.transportUrl()).url().orElseThrow(),
            false,
            Duration.ofSeconds(5));
    // The scheduler last: at its start it asks every service for its capabilities, while a volume
    // service started after it reports them only at its first periodic task (up to two minutes),
    // and a create before that fails with NoValidBackend.
    cinder.start("cinder-volume", "cinder-volume-fake-0", more(), env(0));
    hostA = cinder.start("cinder-backup", A, more(), env(0));
    hostB = cinder.start("cinder-backup", B, more(), env(0));
    await("volume and backup services heartbeating")
        .atMost(Duration.ofMinutes(5))
        .until(() -> registry.read().rows().stream().filter(r -> r.reportCount() > 0).count() >= 3);
    cinder.start("cinder-scheduler", "cinder-scheduler-0", more(), env(0));
    await("the scheduler heartbeating")
        .atMost(Duration.ofMinutes(5))
        .until(
            () ->
                registry.read().rows().stream()
                    .anyMatch(r -> r.binary().equals("cinder-scheduler") && r.reportCount() > 0));
    client = CinderBackupClient.start(python, conf, dir.resolve("client.log"));
    volumes = client.volumes(BATCH);
    firstBackupOn(hostA, B);
    firstBackupOn(hostB, A);
  }

  /**
   * One backup onto a freshly started host alone, so that its first privsep daemon starts for one
   * request. Real Cinder 21.3.1 does not start it safely for several requests at once: the service
   * logs "privsep daemon already running" per request, then "greenlet.error: cannot switch to a
   * different thread", and hangs with its backups in creating and their volumes in backing-up.
   */
  private static void firstBackupOn(RealCinder.Service host, String other) {
    await("test volumes available")
        .atMost(Duration.ofMinutes(3))
        .until(() -> volumes.stream().allMatch(v -> client.volumeStatus(v).equals("available")));
    bus.publish(report(host.host(), true));
    bus.publish(report(other, false));
    String first = client.backup(volumes.get(0));
    await("placed").atMost(Duration.ofMinutes(1)).until(() -> client.show(first).host() != null);
    bus.publish(report(other, true));
    assertThat(client.show(first).host()).isEqualTo(host.host());
    await(host.host() + "'s first backup finished")
        .atMost(Duration.ofMinutes(3))
        .until(() -> !client.show(first).status().equals("creating"));
    assertThat(client.show(first).status()).isEqualTo("available");
    assertThat(host.logText()).contains("Spawned new privsep daemon");
  }

  @AfterAll
  static void stopCinder() {
    if (client != null) {
      client.close();
    }
    if (bus != null) {
      bus.close();
    }
    if (cinder != null) {
      cinder.close();
    }
    if (rabbit != null) {
      rabbit.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (db != null) {
      db.drop();
    }
  }

  /** Test drivers, a shared backup directory, a 10 s capability report. */
  private static Map<String, Map<String, String>> more() {
    Map<String, Map<String, String>> m = new LinkedHashMap<>();
    m.put(
        "DEFAULT",
        Map.of(
            "backup_driver", "cinder_test_drivers.SlowPosixBackupDriver",
            "backup_posix_path", shared.toString(),
            "backup_driver_stats_polling_interval", "10",
            "graceful_shutdown_timeout", "60",
            "quota_backups", "-1",
            "quota_volumes", "-1",
            "quota_gigabytes", "-1",
            "quota_backup_gigabytes", "-1"));
    m.put("fake", Map.of("volume_driver", "cinder_test_drivers.LocalFileVolumeDriver"));
    return m;
  }

  /** The test drivers on the path; each backup, restore or delete takes this much longer. */
  private static Map<String, String> env(int backupSeconds) {
    return Map.of(
        "PYTHONPATH", python.toString(),
        "CINDER_TEST_VOLUME_DIR", python.resolveSibling("volumes").toString(),
        "CINDER_TEST_BACKUP_SECONDS", Integer.toString(backupSeconds));
  }

  private static BackupCapabilityReport report(String host, boolean working) {
    return new BackupCapabilityReport(
        host, working, "cinder_test_drivers.SlowPosixBackupDriver", "nova", Instant.now());
  }

  /** One backup of every test volume, once they are all available; returns where each went. */
  private static List<CinderBackupClient.Backup> backupEveryVolume() {
    await("test volumes available")
        .atMost(Duration.ofMinutes(3))
        .until(() -> volumes.stream().allMatch(v -> client.volumeStatus(v).equals("available")));
    List<String> ids = new ArrayList<>();
    for (String v : volumes) {
      ids.add(client.backup(v));
    }
    List<CinderBackupClient.Backup> placed = new ArrayList<>();
    await("the scheduler placed every backup")
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> {
              placed.clear();
              ids.forEach(i -> placed.add(client.show(i)));
              return placed.stream().allMatch(b -> b.host() != null || b.status().equals("error"));
            });
    return List.copyOf(placed);
  }

  private static long on(List<CinderBackupClient.Backup> backups, String host) {
    return backups.stream().filter(b -> host.equals(b.host())).count();
  }

  private static void awaitFinished(List<CinderBackupClient.Backup> backups) {
    await("backups finished")
        .atMost(Duration.ofMinutes(3))
        .until(
            () ->
                backups.stream()
                    .map(b -> client.show(b.id()).status())
                    .noneMatch(s -> s.equals("creating")));
  }

  @Test
  @Order(1)
  void disablingAHostLeavesItInTheSchedulersChoiceForNewBackups() {
    registry.stopNewBackups(B);
    try {
      List<CinderBackupClient.Backup> placed = backupEveryVolume();
      System.out.printf(
          "real Cinder 21.3.1: %s disabled: %d of %d new backups went to it%n",
          B, on(placed, B), placed.size());
      assertThat(on(placed, B)).as("creates on the disabled host").isPositive();
      awaitFinished(placed);
    } finally {
      registry.allowNewBackups(B);
    }
  }

  @Test
  @Order(2)
  void aNotWorkingReportKeepsNewBackupsOffARunningHostUntilItReportsAgain() {
    assertThat(bus.publish(report(B, false))).as("a scheduler listens").isTrue();
    List<CinderBackupClient.Backup> placed = backupEveryVolume();
    System.out.printf(
        "real Cinder 21.3.1: after one not-working report for %s: %d of %d on it%n",
        B, on(placed, B), placed.size());
    assertThat(on(placed, B)).isZero();
    assertThat(placed).allSatisfy(b -> assertThat(b.status()).isNotEqualTo("error"));
    awaitFinished(placed);

    // cinder-backup-1 reports itself every 10 s: it is back in the choice by itself.
    await("the host's own report puts it back")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(5))
        .until(() -> on(backupEveryVolume(), B) > 0);
  }

  @Test
  @Order(3)
  void theOperatorsFenceHoldsAgainstTheHostsOwnReports() {
    try (BackupFences fences =
        new BackupFences((ns, name, url, ssl) -> bus, Clock.systemUTC(), BackupFences.INTERVAL)) {
      BackupHostFence fence = fences.forCluster("ns", "cinder", rabbit.transportUrl(), false);
      BiFunction<String, Boolean, BackupCapabilityReport> reports =
          BackupSchedulingRealCinderTest::report;
      fence.keepOff(Set.of(B), reports);
      List<CinderBackupClient.Backup> all = new ArrayList<>();
      Instant end = Instant.now().plusSeconds(25); // two and more of the host's own reports
      while (Instant.now().isBefore(end)) {
        List<CinderBackupClient.Backup> placed = backupEveryVolume();
        awaitFinished(placed);
        all.addAll(placed);
        fence.keepOff(Set.of(B), reports); // each reconcile states the set
      }
      System.out.printf(
          "real Cinder 21.3.1: with %s kept off for 25 s: %d of %d backups on it%n",
          B, on(all, B), all.size());
      assertThat(on(all, B)).isZero();
      fence.reportWorking(B, report(B, true));
    }
  }

  @Test
  @Order(4)
  void aStoppedServiceFinishesTheBackupItRunsWhileTheFenceSendsNewOnesElsewhere() throws Exception {
    cinder.terminate(hostB);
    hostB.process().waitFor();
    hostB = cinder.start("cinder-backup", B, more(), env(8));
    await("the slow service reported")
        .atMost(Duration.ofMinutes(2))
        .until(() -> hostB.logText().contains("Cleaning up incomplete backup operations"));
    await("test volumes available")
        .atMost(Duration.ofMinutes(3))
        .until(() -> volumes.stream().allMatch(v -> client.volumeStatus(v).equals("available")));
    // one backup onto cinder-backup-1 alone, then cinder-backup-0 back in
    bus.publish(report(A, false));
    String slow = client.backup(volumes.get(0));
    await("placed").atMost(Duration.ofMinutes(1)).until(() -> client.show(slow).host() != null);
    bus.publish(report(A, true));
    assertThat(client.show(slow).host()).isEqualTo(B);
    // continue_backup starts the service's first privsep daemon, then copies for 8 s
    await("its data is being copied")
        .atMost(Duration.ofMinutes(2))
        .until(() -> hostB.logText().contains("Spawned new privsep daemon"));

    bus.publish(report(B, false));
    long t = System.nanoTime();
    cinder.terminate(hostB);
    List<String> during = new ArrayList<>();
    for (String v : volumes.subList(1, volumes.size())) {
      during.add(client.backup(v));
    }
    hostB.process().waitFor();
    long stoppedMs = (System.nanoTime() - t) / 1_000_000;
    CinderBackupClient.Backup finished = client.show(slow);
    System.out.printf(
        "real Cinder 21.3.1: SIGTERM during an 8 s backup: the service exited after %d ms;"
            + " the backup is %s%n",
        stoppedMs, finished.status());
    assertThat(finished.status()).isEqualTo("available");
    List<CinderBackupClient.Backup> placed = new ArrayList<>();
    during.forEach(i -> placed.add(client.show(i)));
    assertThat(on(placed, B)).as("creates sent to the stopping host").isZero();
    awaitFinished(placed);
    assertThat(placed)
        .allSatisfy(b -> assertThat(client.show(b.id()).status()).isEqualTo("available"));
  }

  @Test
  @Order(5)
  void createsSentToAHostWhoseServiceStoppedEndInErrorWhenItStartsAgain() throws Exception {
    hostB = cinder.start("cinder-backup", B, more(), env(0));
    await("cinder-backup-1 reported itself working")
        .atMost(Duration.ofMinutes(2))
        .until(() -> hostB.logText().contains("Cleaning up incomplete backup operations"));
    firstBackupOn(hostB, A);
    await("cinder-backup-1 takes creates again")
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> {
              List<CinderBackupClient.Backup> placed = backupEveryVolume();
              awaitFinished(placed);
              return on(placed, B) > 0;
            });
    // Stopped, as a pod being replaced is; the scheduler keeps its last report (working).
    cinder.terminate(hostB);
    hostB.process().waitFor();
    List<CinderBackupClient.Backup> placed = backupEveryVolume();
    long queued = on(placed, B);
    hostB = cinder.start("cinder-backup", B, more(), env(0));
    awaitFinished(placed);
    List<CinderBackupClient.Backup> after = new ArrayList<>();
    placed.forEach(b -> after.add(client.show(b.id())));
    long failed = after.stream().filter(b -> b.status().equals("error")).count();
    System.out.printf(
        "real Cinder 21.3.1: %d of %d creates went to the stopped %s; %d ended in error (%s)%n",
        queued,
        placed.size(),
        B,
        failed,
        after.stream()
            .filter(b -> b.status().equals("error"))
            .map(CinderBackupClient.Backup::failReason)
            .distinct()
            .toList());
    assertThat(queued).isPositive();
    assertThat(failed).isEqualTo(queued);
  }

  @Test
  @Order(6)
  void restoresAndDeletesGoToAnotherEnabledHostAndAreRefusedWithoutOne() {
    List<CinderBackupClient.Backup> placed = backupEveryVolume();
    awaitFinished(placed);
    CinderBackupClient.Backup onB =
        placed.stream().filter(b -> B.equals(b.host())).findFirst().orElse(null);
    registry.stopNewBackups(B);
    try {
      if (onB != null) {
        assertThat(client.delete(onB.id())).isNull();
        assertThat(client.show(onB.id()).host()).as("rewritten to the enabled host").isEqualTo(A);
      }
      registry.stopNewBackups(A);
      CinderBackupClient.Backup any =
          placed.stream().filter(b -> onB == null || !b.id().equals(onB.id())).findFirst().get();
      String refused = client.restore(any.id(), volumes.get(0));
      System.out.printf(
          "real Cinder 21.3.1: restore with every backup host disabled: %s%n", refused);
      assertThat(refused).contains("ServiceNotFound");
    } finally {
      registry.allowNewBackups(A);
      registry.allowNewBackups(B);
    }
  }
}
