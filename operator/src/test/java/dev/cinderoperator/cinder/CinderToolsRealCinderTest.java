package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.db.testing.RealCinder;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The operator's command lines and exit-code handling against Debian's real Cinder 21.3.1. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CinderToolsRealCinderTest {
  private static Path dir;
  private static TestDatabase db;
  private static CinderCommands commands;
  private static long started;

  @BeforeAll
  static void setUp() throws IOException {
    started = System.nanoTime();
    RealCinder.assumeAvailable();
    db = TestMariaDb.shared().createEmptyDatabase("tools_" + ProcessHandle.current().pid());
    dir = Files.createTempDirectory("cinder-tools-");
    Path conf = new RealCinder(dir, db.sqlAlchemyUrl(), "fake://").writeConf("tools", "tools-0");
    commands = new CinderCommands(conf.toString());
  }

  @AfterAll
  static void tearDown() {
    if (db != null) {
      db.drop();
    }
    System.out.printf(
        "CinderToolsRealCinderTest took %d ms%n", (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  @Order(1)
  void dbSyncOnAnEmptyDatabaseSucceeds() {
    RealCinder.ToolRun run = RealCinder.run(commands.dbSync(), dir.resolve("db-sync.log"));
    assertThat(JobOutcome.of(JobKind.DB_SYNC, run.exitCode(), 0).verdict())
        .as(run.output())
        .isEqualTo(JobOutcome.Verdict.SUCCEEDED);
    assertThat(db.column("SHOW TABLES")).contains("services", "backups", "clusters", "volumes");
  }

  @Test
  @Order(2)
  void onlineDataMigrationsOnAFreshSchemaAreDone() {
    RealCinder.ToolRun run =
        RealCinder.run(commands.onlineDataMigrations(50), dir.resolve("odm.log"));
    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, run.exitCode(), 0).verdict())
        .as(run.output())
        .isEqualTo(JobOutcome.Verdict.SUCCEEDED);
  }

  @Test
  @Order(3)
  void upgradeCheckPasses() {
    RealCinder.ToolRun run = RealCinder.run(commands.upgradeCheck(), dir.resolve("check.log"));
    assertThat(JobOutcome.of(JobKind.UPGRADE_CHECK, run.exitCode(), 0).verdict())
        .as(run.output())
        .isEqualTo(JobOutcome.Verdict.SUCCEEDED);
    assertThat(run.output()).contains("Upgrade Check Results");
  }

  @Test
  @Order(4)
  void theVersionProbeReadsZedsVersions() throws IOException {
    Path termination = dir.resolve("termination-log");
    List<String> argv = new ArrayList<>(commands.versionProbe(termination.toString()));
    argv.set(0, "/usr/bin/python3"); // Debian's Cinder lives in the system Python
    RealCinder.ToolRun run = RealCinder.run(argv, dir.resolve("probe.log"));

    assertThat(JobOutcome.of(JobKind.VERSION_PROBE, run.exitCode(), 0).verdict())
        .as(run.output())
        .isEqualTo(JobOutcome.Verdict.SUCCEEDED);
    VersionProbeResult fromTerminationLog = VersionProbeResult.parse(Files.readString(termination));
    assertThat(VersionProbeResult.parse(run.output().strip())).isEqualTo(fromTerminationLog);
    assertThat(fromTerminationLog)
        .isEqualTo(VersionProbeResult.parse(VersionProbeResultTest.realZedOutput()));
    assertThat(fromTerminationLog.targets())
        .extracting(p -> p.getBinary() + " " + p.getRpcVersion() + " " + p.getObjectVersion())
        .containsExactly(
            "cinder-scheduler 3.12 1.39", "cinder-volume 3.18 1.39", "cinder-backup 2.3 1.39");
  }

  @Test
  @Order(5)
  void aBrokenDatabaseUrlFailsDbSync() throws IOException {
    Path conf =
        new RealCinder(dir, "mysql+pymysql://nobody:wrong@127.0.0.1:1/none", "fake://")
            .writeConf("broken", "broken-0");
    RealCinder.ToolRun run =
        RealCinder.run(new CinderCommands(conf.toString()).dbSync(), dir.resolve("broken.log"));
    JobOutcome outcome = JobOutcome.of(JobKind.DB_SYNC, run.exitCode(), 0);
    System.out.println("db sync against a closed port exited " + run.exitCode());
    assertThat(outcome.verdict()).isEqualTo(JobOutcome.Verdict.STALL);
  }

  /** A log config that cannot be read: oslo.log raises before the tool does its work. */
  private static Path crashing() throws IOException {
    Path extra = dir.resolve("crash.conf");
    Files.writeString(extra, "[DEFAULT]\nlog_config_append = /nonexistent-logging.conf\n");
    return extra;
  }

  private static java.util.List<String> plus(java.util.List<String> argv, Path extra) {
    java.util.List<String> out = new ArrayList<>(argv);
    out.addAll(3, java.util.List.of("--config-file", extra.toString()));
    return out;
  }

  @Test
  @Order(6)
  void aDataMigrationThatCrashesWithExit1IsNotMoreToDo() throws IOException {
    RealCinder.ToolRun run =
        RealCinder.run(
            plus(commands.onlineDataMigrations(50), crashing()), dir.resolve("odm-crash.log"));
    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    JobOutcome outcome = JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 1, run.output(), 0);
    assertThat(outcome.verdict()).isEqualTo(JobOutcome.Verdict.RETRY);
    assertThat(outcome.message()).contains("migrated nothing").contains("LogConfigError");
  }

  @Test
  @Order(7)
  void anUpgradeCheckThatCrashesWithExit1IsNotAWarning() {
    java.util.List<String> argv = new ArrayList<>(commands.upgradeCheck());
    argv.set(2, dir.resolve("no-such.conf").toString());
    RealCinder.ToolRun run = RealCinder.run(argv, dir.resolve("check-crash.log"));
    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    JobOutcome outcome = JobOutcome.of(JobKind.UPGRADE_CHECK, 1, run.output(), 0);
    assertThat(outcome.reason()).isEqualTo("UpgradeCheckError");
    assertThat(outcome.message()).contains("ConfigFilesNotFoundError");
  }

  @Test
  @Order(8)
  void dbSyncExits2ForAConfigFileItCannotRead() {
    RealCinder.ToolRun run =
        RealCinder.run(
            new CinderCommands(dir.resolve("no-such.conf").toString()).dbSync(),
            dir.resolve("sync-noconf.log"));
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(JobOutcome.of(JobKind.DB_SYNC, 2, run.output(), 0).message())
        .contains("could not read its configuration files")
        .contains("Failed to read configuration file(s)");
  }

  /** The batch loop of the data-migration Job, with real cinder-manage and rows to migrate. */
  @Test
  @Order(9)
  void theBatchLoopMigratesEveryRowInOneContainer() throws IOException {
    db.execute(
        "INSERT INTO volumes (id, deleted, volume_type_id, use_quota)"
            + " SELECT UUID(), 0, 'standard', NULL FROM seq_1_to_120");
    Path termination = dir.resolve("loop-termination-log");
    List<String> argv =
        new ArrayList<>(commands.onlineDataMigrationsUntilDone(50, termination.toString()));
    argv.set(0, "/usr/bin/python3");
    RealCinder.ToolRun run = RealCinder.run(argv, dir.resolve("loop.log"));

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(OnlineMigrationReport.parse(Files.readString(termination)))
        .contains(
            new OnlineMigrationReport(4, 0, false, 120, 0, OnlineMigrationReport.Stopped.COMPLETE));
    assertThat(db.value("SELECT COUNT(*) FROM volumes WHERE use_quota IS NULL")).hasToString("0");
    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, run.exitCode(), 0).verdict())
        .isEqualTo(JobOutcome.Verdict.SUCCEEDED);
  }

  /**
   * A crash exits 1 like "more to do" (facts: exit codes): the loop stops at once and says it was a
   * traceback, for JobOutcome to count it as an error.
   */
  @Test
  @Order(10)
  void aCrashEndsTheBatchLoopReportedAsATraceback() throws IOException {
    Path conf = dir.resolve("malformed.conf");
    Files.writeString(conf, "[DEFAULT]\nnot an option line\n");
    Path termination = dir.resolve("crash-termination-log");
    List<String> argv =
        new ArrayList<>(
            new CinderCommands(conf.toString())
                .onlineDataMigrationsUntilDone(50, termination.toString()));
    argv.set(0, "/usr/bin/python3");
    RealCinder.ToolRun run = RealCinder.run(argv, dir.resolve("crash.log"));

    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    String message = Files.readString(termination);
    assertThat(OnlineMigrationReport.parse(message))
        .contains(
            new OnlineMigrationReport(1, 1, true, 0, 0, OnlineMigrationReport.Stopped.TRACEBACK));
    assertThat(message).contains("ConfigFileParseError");
  }
}
