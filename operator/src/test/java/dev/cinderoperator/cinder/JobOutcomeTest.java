package dev.cinderoperator.cinder;

import static dev.cinderoperator.cinder.JobOutcome.Verdict.RETRY;
import static dev.cinderoperator.cinder.JobOutcome.Verdict.RUN_AGAIN;
import static dev.cinderoperator.cinder.JobOutcome.Verdict.STALL;
import static dev.cinderoperator.cinder.JobOutcome.Verdict.SUCCEEDED;
import static dev.cinderoperator.cinder.JobOutcome.Verdict.SUCCEEDED_WITH_WARNINGS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exit codes and, where they are ambiguous, the tools' real output: every {@code *.out} under
 * {@code cinder-21.3.1/} was printed by Debian's Cinder 21.3.1 on this project's machine (the long
 * ones cut to the last 2048 bytes, as a Job's termination message is).
 */
class JobOutcomeTest {

  static String output(String name) {
    return dev.cinderoperator.testing.RealOutputs.of(name);
  }

  @ParameterizedTest(name = "{0} exit {1} ({2}) -> {3} {4}")
  @CsvSource({
    "VERSION_PROBE, 0, , SUCCEEDED, VersionProbeSucceeded",
    "VERSION_PROBE, 1, , STALL, VersionProbeFailed",
    "UPGRADE_CHECK, 0, , SUCCEEDED, UpgradeCheckPassed",
    "UPGRADE_CHECK, 1, upgrade-check-warning.json.out, SUCCEEDED_WITH_WARNINGS,"
        + " UpgradeCheckWarnings",
    "UPGRADE_CHECK, 1, upgrade-check-missing-config.exit1.out, STALL, UpgradeCheckError",
    "UPGRADE_CHECK, 1, , STALL, UpgradeCheckError",
    "UPGRADE_CHECK, 2, upgrade-check-removed-driver.json.out, STALL, UpgradeCheckFailed",
    "UPGRADE_CHECK, 2, upgrade-check-removed-driver.table.out, STALL, UpgradeCheckFailed",
    "UPGRADE_CHECK, 255, upgrade-check-database-down.exit255.out, STALL, UpgradeCheckError",
    "UPGRADE_CHECK, 137, , STALL, UpgradeCheckError",
    "DB_SYNC, 0, , SUCCEEDED, DbSyncSucceeded",
    "DB_SYNC, 1, db-sync-database-down.exit1.out, STALL, DbSyncFailed",
    "DB_SYNC, 2, db-sync-missing-config.exit2.out, STALL, DbSyncFailed",
    "DB_SYNC, 137, , STALL, DbSyncFailed",
    "ONLINE_DATA_MIGRATIONS, 0, odm-done.exit0.out, SUCCEEDED, DataMigrationComplete",
    "ONLINE_DATA_MIGRATIONS, 1, odm-batch.exit1.out, RUN_AGAIN, DataMigrationProgress",
    "ONLINE_DATA_MIGRATIONS, 1, odm-traceback.exit1.out, RETRY, DataMigrationRetry",
    "ONLINE_DATA_MIGRATIONS, 1, , RETRY, DataMigrationRetry",
    "ONLINE_DATA_MIGRATIONS, 2, odm-database-down.exit2.out, STALL, DataMigrationNeedsAttention",
    "ONLINE_DATA_MIGRATIONS, 127, , STALL, DataMigrationInvalid",
    "ONLINE_DATA_MIGRATIONS, 137, , RETRY, DataMigrationRetry",
  })
  void exitCodesMeanWhatEachToolDoesNotWhatItsDocsHope(
      JobKind kind, int exit, String file, JobOutcome.Verdict verdict, String reason) {
    JobOutcome outcome = JobOutcome.of(kind, exit, file == null ? null : output(file), 0);
    assertThat(outcome.verdict()).isEqualTo(verdict);
    assertThat(outcome.reason()).isEqualTo(reason);
    assertThat(outcome.message()).isNotBlank();
    assertThat(outcome.proceeds())
        .isEqualTo(verdict == SUCCEEDED || verdict == SUCCEEDED_WITH_WARNINGS);
  }

  @Test
  void aFailedCheckIsReportedInCindersOwnWords() {
    for (String file :
        new String[] {
          "upgrade-check-removed-driver.json.out", "upgrade-check-removed-driver.table.out"
        }) {
      assertThat(JobOutcome.of(JobKind.UPGRADE_CHECK, 2, output(file), 0).message())
          .as(file)
          .contains(
              "Check 'Removed Drivers': Failure: Found driver"
                  + " cinder.volume.drivers.sheepdog.SheepdogDriver configured in your cinder.conf"
                  + " file. This driver has been removed and all data should be migrated off of"
                  + " this backend before upgrading Cinder.")
          .doesNotContain("Backup Driver Path");
    }
  }

  @Test
  void warningsAreNamedAndAPythonErrorIsNotAWarning() {
    assertThat(
            JobOutcome.of(JobKind.UPGRADE_CHECK, 1, output("upgrade-check-warning.json.out"), 0)
                .message())
        .contains("Check 'Periodic Interval Use': Warning: Detected non-default value");
    assertThat(
            JobOutcome.of(
                    JobKind.UPGRADE_CHECK, 1, output("upgrade-check-missing-config.exit1.out"), 0)
                .message())
        .contains("not warnings")
        .contains("ConfigFilesNotFoundError: Failed to find some config files: /nonexistent.conf");
  }

  @Test
  void dbSyncMessagesSayWhatFailed() {
    assertThat(
            JobOutcome.of(JobKind.DB_SYNC, 1, output("db-sync-database-down.exit1.out"), 0)
                .message())
        .contains("migration")
        .contains("DBConnectionError");
    assertThat(
            JobOutcome.of(JobKind.DB_SYNC, 2, output("db-sync-missing-config.exit2.out"), 0)
                .message())
        .contains("could not read its configuration files")
        .contains("Failed to read configuration file(s): ['/nonexistent.conf']")
        .doesNotContain("while bumping");
  }

  @Test
  void aDataMigrationThatMigratesNothingBacksOffThenStallsInsteadOfLooping() {
    JobOutcome.RetryPolicy policy =
        new JobOutcome.RetryPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(25));
    String crash = output("odm-traceback.exit1.out");
    JobOutcome first = JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 1, crash, 0, policy);
    assertThat(first.verdict()).isEqualTo(RETRY);
    assertThat(first.message()).contains("migrated nothing").contains("LogConfigError");
    JobOutcome last = JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 1, crash, 3, policy);
    assertThat(last.verdict()).isEqualTo(STALL);
    assertThat(last.reason()).isEqualTo("DataMigrationNoProgress");
    assertThat(last.message()).contains("after 4 runs");
    assertThat(
            JobOutcome.of(
                    JobKind.ONLINE_DATA_MIGRATIONS, 1, output("odm-batch.exit1.out"), 3, policy)
                .verdict())
        .as("progress is never limited")
        .isEqualTo(RUN_AGAIN);
  }

  @Test
  void unknownDataMigrationFailuresBackOffThenStall() {
    JobOutcome.RetryPolicy policy =
        new JobOutcome.RetryPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(25));

    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, null, 0, policy).retryAfter())
        .contains(Duration.ofSeconds(10));
    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, null, 1, policy).retryAfter())
        .contains(Duration.ofSeconds(20));
    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, null, 2, policy).retryAfter())
        .contains(Duration.ofSeconds(25));
    JobOutcome last = JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, null, 3, policy);
    assertThat(last.verdict()).isEqualTo(STALL);
    assertThat(last.reason()).isEqualTo("DataMigrationFailed");
    assertThat(last.message()).contains("after 4 runs");
  }

  @ParameterizedTest(name = "{0} without exit code -> {1} {2}")
  @CsvSource({
    "VERSION_PROBE, STALL, VersionProbeFailed",
    "UPGRADE_CHECK, STALL, UpgradeCheckError",
    "DB_SYNC, STALL, DbSyncFailed",
    "ONLINE_DATA_MIGRATIONS, RETRY, DataMigrationRetry",
  })
  void aRunWithoutAnExitCodeIsRetriedOnlyForDataMigrations(
      JobKind kind, JobOutcome.Verdict verdict, String reason) {
    JobOutcome outcome = JobOutcome.withoutExitCode(kind, 0);
    assertThat(outcome.verdict()).isEqualTo(verdict);
    assertThat(outcome.reason()).isEqualTo(reason);
    assertThat(outcome.message()).contains("without an exit code");
  }

  @Test
  void dataMigrationsWithoutExitCodesStallOnceRetriesRunOut() {
    JobOutcome.RetryPolicy policy =
        new JobOutcome.RetryPolicy(2, Duration.ofSeconds(10), Duration.ofSeconds(25));
    assertThat(JobOutcome.withoutExitCode(JobKind.ONLINE_DATA_MIGRATIONS, 1, policy).retryAfter())
        .contains(Duration.ofSeconds(20));
    JobOutcome last = JobOutcome.withoutExitCode(JobKind.ONLINE_DATA_MIGRATIONS, 2, policy);
    assertThat(last.verdict()).isEqualTo(STALL);
    assertThat(last.reason()).isEqualTo("DataMigrationFailed");
    assertThat(last.message()).contains("after 3 runs");
  }
}
