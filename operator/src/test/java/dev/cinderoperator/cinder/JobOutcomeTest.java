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

class JobOutcomeTest {

  @ParameterizedTest(name = "{0} exit {1} -> {2} {3}")
  @CsvSource({
    "VERSION_PROBE, 0, SUCCEEDED, VersionProbeSucceeded",
    "VERSION_PROBE, 1, STALL, VersionProbeFailed",
    "UPGRADE_CHECK, 0, SUCCEEDED, UpgradeCheckPassed",
    "UPGRADE_CHECK, 1, SUCCEEDED_WITH_WARNINGS, UpgradeCheckWarnings",
    "UPGRADE_CHECK, 2, STALL, UpgradeCheckFailed",
    "UPGRADE_CHECK, 255, STALL, UpgradeCheckError",
    "UPGRADE_CHECK, 137, STALL, UpgradeCheckError",
    "DB_SYNC, 0, SUCCEEDED, DbSyncSucceeded",
    "DB_SYNC, 1, STALL, DbSyncFailed",
    "DB_SYNC, 2, STALL, DbSyncFailed",
    "DB_SYNC, 137, STALL, DbSyncFailed",
    "ONLINE_DATA_MIGRATIONS, 0, SUCCEEDED, DataMigrationComplete",
    "ONLINE_DATA_MIGRATIONS, 1, RUN_AGAIN, DataMigrationProgress",
    "ONLINE_DATA_MIGRATIONS, 2, STALL, DataMigrationNeedsAttention",
    "ONLINE_DATA_MIGRATIONS, 127, STALL, DataMigrationInvalid",
    "ONLINE_DATA_MIGRATIONS, 137, RETRY, DataMigrationRetry",
  })
  void exitCodesMeanWhatEachToolDocuments(
      JobKind kind, int exit, JobOutcome.Verdict verdict, String reason) {
    JobOutcome outcome = JobOutcome.of(kind, exit, 0);
    assertThat(outcome.verdict()).isEqualTo(verdict);
    assertThat(outcome.reason()).isEqualTo(reason);
    assertThat(outcome.message()).isNotBlank();
    assertThat(outcome.proceeds())
        .isEqualTo(verdict == SUCCEEDED || verdict == SUCCEEDED_WITH_WARNINGS);
  }

  @Test
  void dbSyncMessagesSayWhatFailed() {
    assertThat(JobOutcome.of(JobKind.DB_SYNC, 1, 0).message()).contains("migration");
    assertThat(JobOutcome.of(JobKind.DB_SYNC, 2, 0).message()).contains("bumping");
  }

  @Test
  void unknownDataMigrationFailuresBackOffThenStall() {
    JobOutcome.RetryPolicy policy =
        new JobOutcome.RetryPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(25));

    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, 0, policy).retryAfter())
        .contains(Duration.ofSeconds(10));
    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, 1, policy).retryAfter())
        .contains(Duration.ofSeconds(20));
    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, 2, policy).retryAfter())
        .contains(Duration.ofSeconds(25));
    JobOutcome last = JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, 3, policy);
    assertThat(last.verdict()).isEqualTo(STALL);
    assertThat(last.reason()).isEqualTo("DataMigrationFailed");
    assertThat(last.message()).contains("after 4 runs");
    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 1, 3, policy).verdict())
        .as("progress is never limited")
        .isEqualTo(RUN_AGAIN);
    assertThat(JobOutcome.of(JobKind.ONLINE_DATA_MIGRATIONS, 3, 0, policy).verdict())
        .isEqualTo(RETRY);
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
