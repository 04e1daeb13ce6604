package dev.cinderoperator.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.CinderProbes;
import dev.cinderoperator.cinder.JobKind;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.db.testing.RealCinder;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import dev.cinderoperator.db.testing.TestRabbitMq;
import dev.cinderoperator.workload.ServiceHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The registry reading rows that Debian's real Cinder 21.3.1 services wrote: one scheduler, one
 * volume service (fake driver) and one backup service (POSIX driver), hosts named like the pods of
 * a CinderCluster called {@code cinder}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceRegistryRealCinderTest {
  private static final String SCHEDULER = "cinder-scheduler-0";
  private static final String VOLUME = "cinder-volume-fake-0@fake";
  private static final String BACKUP = "cinder-backup-0";
  private static final String SCALED_AWAY = "cinder-volume-fake-1@fake";
  private static final Predicate<ServiceRow> OURS = ServiceHosts.ownedBy("cinder");
  private static final Duration DOWN_TIME = ServicesTable.serviceDownTime(RealCinder.config());

  private static long started;
  private static TestDatabase db;
  private static TestRabbitMq rabbit;
  private static RealCinder cinder;
  private static JdbcServiceRegistry registry;
  private static RealCinder.Service scheduler;
  private static RealCinder.Service volume;
  private static RealCinder.Service backup;

  @BeforeAll
  static void startCinder() throws Exception {
    started = System.nanoTime();
    RealCinder.assumeAvailable();
    db = TestMariaDb.shared().createEmptyDatabase("real_cinder_" + ProcessHandle.current().pid());
    Path dir = Files.createTempDirectory("cinder-real-");
    rabbit = TestRabbitMq.start(dir.resolve("rabbitmq"));
    cinder = new RealCinder(dir, db.sqlAlchemyUrl(), rabbit.transportUrl());
    Path conf = cinder.writeConf("db-sync", "db-sync");
    RealCinder.ToolRun sync =
        RealCinder.run(new CinderCommands(conf.toString()).dbSync(), dir.resolve("db-sync.log"));
    assertThat(JobOutcome.of(JobKind.DB_SYNC, sync.exitCode(), 0).proceeds())
        .as(sync.output())
        .isTrue();
    // a replica scaled away an hour ago, still at an older release's versions (Ussuri-Wallaby)
    db.insertService("cinder-volume", SCALED_AWAY, "3.16", "1.38", 3600);
    registry = new JdbcServiceRegistry(db.url());
    scheduler = cinder.start("cinder-scheduler", SCHEDULER);
    volume = cinder.start("cinder-volume", "cinder-volume-fake-0");
    backup = cinder.start("cinder-backup", BACKUP);
    System.out.printf("real Cinder: set up in %d ms%n", (System.nanoTime() - started) / 1_000_000);
  }

  @AfterAll
  static void stopCinder() {
    long t = System.nanoTime();
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
    System.out.printf(
        "real Cinder: stopped in %d ms; whole class %d ms%n",
        (System.nanoTime() - t) / 1_000_000, (System.nanoTime() - started) / 1_000_000);
  }

  private static Optional<ServiceRow> row(ServicesSnapshot s, String host) {
    return s.rows().stream().filter(r -> host.equals(r.host())).findFirst();
  }

  private static boolean up(String host) {
    ServicesSnapshot s = registry.read();
    return row(s, host).map(r -> ServicesTable.isUp(r, s.databaseNow(), DOWN_TIME)).orElse(false);
  }

  @Test
  @Order(1)
  void realServicesWriteTheirVersionsAndReportUp() {
    // three Cinder services importing at once take minutes on a loaded 2-core machine
    await("scheduler, volume and backup rows up")
        .atMost(Duration.ofSeconds(300))
        .until(() -> up(SCHEDULER) && up(VOLUME) && up(BACKUP));

    ServicesSnapshot s = registry.read();
    assertThat(row(s, SCHEDULER).orElseThrow())
        .extracting(ServiceRow::binary, ServiceRow::rpcVersion, ServiceRow::objectVersion)
        .containsExactly("cinder-scheduler", "3.12", "1.39");
    assertThat(row(s, VOLUME).orElseThrow())
        .extracting(ServiceRow::binary, ServiceRow::rpcVersion, ServiceRow::objectVersion)
        .containsExactly("cinder-volume", "3.18", "1.39");
    assertThat(row(s, BACKUP).orElseThrow())
        .extracting(ServiceRow::binary, ServiceRow::rpcVersion, ServiceRow::objectVersion)
        .containsExactly("cinder-backup", "2.3", "1.39");
    assertThat(ServicesTable.minimumVersions(s.rows()))
        .containsExactly(
            new VersionPin("cinder-scheduler", "3.12", "1.39"),
            new VersionPin("cinder-volume", "3.16", "1.38"),
            new VersionPin("cinder-backup", "2.3", "1.39"));
    assertThat(
            ServicesTable.blockingRows(
                s.rows(),
                "2023.1",
                ReleaseCatalog.standard().knownObjectVersions("2023.1").orElseThrow()))
        .isEmpty();
    // Cinder itself pinned to the old row, as the operator computed
    await("the scheduler's pin in its log")
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                scheduler
                    .logText()
                    .contains("Automatically selected cinder-volume RPC version 3.16"));
  }

  @Test
  @Order(2)
  void removingTheStaleRowAndSighupLiftThePins() {
    ServicesSnapshot s = registry.read();
    List<ServiceRow> stale =
        ServicesTable.staleRows(
            s.rows(), OURS, Set.of(SCHEDULER, VOLUME, BACKUP), s.databaseNow(), DOWN_TIME);
    assertThat(stale).extracting(ServiceRow::host).containsExactly(SCALED_AWAY);

    assertThat(registry.remove(stale.get(0))).isTrue();
    assertThat(row(registry.read(), SCALED_AWAY)).isEmpty();

    for (RealCinder.Service survivor : List.of(scheduler, volume, backup)) {
      cinder.sighup(survivor);
    }
    await("every survivor resets its pins")
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                List.of(scheduler, volume, backup).stream()
                    .allMatch(x -> x.logText().contains("Resetting cached RPC version pins")));
    await("the scheduler re-pins to the live volume service")
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                scheduler
                    .logText()
                    .contains("Automatically selected cinder-volume RPC version 3.18"));
    assertThat(List.of(scheduler, volume, backup))
        .as("SIGHUP resets, it does not stop")
        .allMatch(x -> x.process().isAlive());
  }

  @Test
  @Order(3)
  void backupsCanBeStoppedAndAllowedOnARealRow() {
    registry.stopNewBackups(BACKUP);
    assertThat(row(registry.read(), BACKUP).orElseThrow().disabled()).isTrue();
    assertThat(registry.inFlightBackups(BACKUP)).isZero();
    registry.allowNewBackups(BACKUP);
    assertThat(row(registry.read(), BACKUP).orElseThrow().disabled()).isFalse();
  }

  @Test
  @Order(4)
  void aStoppedServiceGoesDownAndARenamedHostLeavesAStaleRow() {
    cinder.kill(backup);
    long t = System.nanoTime();
    await("the killed backup service turns down")
        .atMost(Duration.ofSeconds(120))
        .until(() -> !up(BACKUP));
    System.out.printf(
        "real Cinder: killed backup seen down after %d ms (service_down_time %s)%n",
        (System.nanoTime() - t) / 1_000_000, DOWN_TIME);

    cinder.start("cinder-backup", "cinder-backup-1");
    await("the renamed backup service reports")
        .atMost(Duration.ofSeconds(180))
        .until(() -> up("cinder-backup-1"));

    ServicesSnapshot s = registry.read();
    List<ServiceRow> stale =
        ServicesTable.staleRows(
            s.rows(),
            OURS,
            Set.of(SCHEDULER, VOLUME, "cinder-backup-1"),
            s.databaseNow(),
            DOWN_TIME);
    assertThat(stale).extracting(ServiceRow::host).containsExactly(BACKUP);
    assertThat(registry.remove(stale.get(0))).isTrue();
    assertThat(registry.read().rows())
        .extracting(ServiceRow::host)
        .containsExactlyInAnyOrder(SCHEDULER, VOLUME, "cinder-backup-1");
  }

  /** The heartbeat probes of the pod templates, run with Debian's Python against real rows. */
  @Test
  @Order(5)
  void theHeartbeatProbesReadTheRealServicesOwnHeartbeat() throws Exception {
    Path dir = Files.createTempDirectory("probe-");
    Path conf = scheduler.conf();
    String text = Files.readString(conf);
    String url = db.sqlAlchemyUrl();
    assertThat(text).contains("connection = " + url);
    // the same database through SQLAlchemy (a URL with more than a charset), and a closed port
    Path viaSqlAlchemy = dir.resolve("sqlalchemy.conf");
    Files.writeString(viaSqlAlchemy, text.replace(url, url + "&local_infile=0"));
    Path outage = dir.resolve("outage.conf");
    Files.writeString(
        outage, text.replace(url, "mysql+pymysql://cinder:not-this-password@127.0.0.1:1/cinder"));
    Path state = dir.resolve("state");

    // the first look only learns the count this container started with
    RealCinder.ToolRun first = probe("ready", conf, state, dir);
    assertThat(first.exitCode()).as(first.output()).isEqualTo(1);
    assertThat(first.output()).contains("report_count");
    await("a heartbeat after the probe's first look makes the pod ready")
        .atMost(Duration.ofSeconds(60))
        .until(() -> probe("ready", conf, state, dir).exitCode() == 0);
    assertThat(probe("ready", conf, state, dir).output()).contains("(pymysql)");
    await("the same through SQLAlchemy")
        .atMost(Duration.ofSeconds(60))
        .until(() -> probe("ready", viaSqlAlchemy, dir.resolve("sa"), dir).exitCode() == 0);
    assertThat(probe("ready", viaSqlAlchemy, dir.resolve("sa"), dir).output())
        .contains("(sqlalchemy)");
    RealCinder.ToolRun live = probe("live", conf, state, dir);
    assertThat(live.exitCode()).as(live.output()).isZero();

    // a database outage: readiness keeps its verdict, liveness passes, no password is printed
    RealCinder.ToolRun readyInOutage = probe("ready", outage, state, dir);
    assertThat(readyInOutage.exitCode()).as(readyInOutage.output()).isZero();
    assertThat(readyInOutage.output()).contains("database unreachable", "keeping the last verdict");
    RealCinder.ToolRun liveInOutage = probe("live", outage, state, dir);
    assertThat(liveInOutage.exitCode()).as(liveInOutage.output()).isZero();
    assertThat(readyInOutage.output() + liveInOutage.output()).doesNotContain("not-this-password");
    RealCinder.ToolRun neverReady = probe("ready", outage, dir.resolve("fresh"), dir);
    assertThat(neverReady.exitCode()).as("a pod never seen ready stays unready").isEqualTo(1);

    // the database is back: an outage never counts towards a hang
    assertThat(probe("live", conf, state, dir).exitCode()).isZero();

    // a hang: its count stands still (here: since 2000) while the database answers. Liveness
    // judges only a service that heartbeated in this container, so one heartbeat first.
    int firstSeen = reportCount(live.output());
    await("a heartbeat after the first live look")
        .atMost(Duration.ofSeconds(60))
        .until(() -> reportCount(probe("live", conf, state, dir).output()) > firstSeen);
    cinder.kill(scheduler);
    assertThat(probe("live", conf, state, dir).exitCode()).isZero(); // sees the last count
    Path liveState = dir.resolve("state-live.json");
    Files.writeString(
        liveState,
        Files.readString(liveState)
            .replaceAll("\"moved\": \"[^\"]+\"", "\"moved\": \"2000-01-01T00:00:00\""));
    RealCinder.ToolRun hung = probe("live", conf, state, dir);
    assertThat(hung.exitCode()).as(hung.output()).isEqualTo(1);
    assertThat(hung.output()).contains("stuck");
    await("a service that stopped heartbeating is not ready")
        .atMost(Duration.ofSeconds(30))
        .until(() -> probe("ready", conf, state, dir).exitCode() == 1);
  }

  private static int reportCount(String probeOutput) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("report_count (\\d+)").matcher(probeOutput);
    assertThat(m.find()).as(probeOutput).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static RealCinder.ToolRun probe(String mode, Path conf, Path state, Path dir) {
    List<String> argv =
        new java.util.ArrayList<>(
            CinderProbes.command(
                mode, "cinder-scheduler", null, state.toString(), List.of(conf.toString())));
    argv.set(0, "/usr/bin/python3"); // Debian's, with Cinder's PyMySQL and SQLAlchemy
    return RealCinder.run(argv, dir.resolve(mode + ".log"));
  }
}
