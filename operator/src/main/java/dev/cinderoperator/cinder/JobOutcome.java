package dev.cinderoperator.cinder;

import java.time.Duration;
import java.util.Optional;

/**
 * What the operator does after one of Cinder's tools exited, read from the exit code the way each
 * tool documents it (cinder-upgrade-facts §5).
 *
 * @param verdict what to do next
 * @param reason an UpperCamelCase reason for the Event or condition
 * @param message what happened and what a person can do, for the Event or condition
 * @param retryAfter for {@link Verdict#RETRY}: how long to wait before the next run
 */
public record JobOutcome(
    Verdict verdict, String reason, String message, Optional<Duration> retryAfter) {

  /** The next action. */
  public enum Verdict {
    /** Done; go on. */
    SUCCEEDED,
    /** Done with warnings: go on, and tell people with an Event. */
    SUCCEEDED_WITH_WARNINGS,
    /** Made progress and has more to do: run again now. */
    RUN_AGAIN,
    /** Failed in a way that may pass: run again after {@code retryAfter}. */
    RETRY,
    /** Cannot go on without a person. */
    STALL
  }

  /** How often and how patiently to re-run a tool that failed for an unknown reason. */
  public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    public static RetryPolicy standard() {
      return new RetryPolicy(5, Duration.ofSeconds(10), Duration.ofMinutes(5));
    }

    /** Backoff before retry number {@code retry} (1-based): doubling, capped. */
    Duration backoff(int retry) {
      Duration d = initialBackoff;
      for (int i = 1; i < retry && d.compareTo(maxBackoff) < 0; i++) {
        d = d.multipliedBy(2);
      }
      return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
  }

  /** Interprets an exit code with the {@link RetryPolicy#standard() standard} retry policy. */
  public static JobOutcome of(JobKind kind, int exitCode, int failuresSoFar) {
    return of(kind, exitCode, failuresSoFar, RetryPolicy.standard());
  }

  /**
   * Interprets one run's exit code.
   *
   * @param failuresSoFar earlier runs of this job that ended in {@link Verdict#RETRY}
   */
  public static JobOutcome of(JobKind kind, int exitCode, int failuresSoFar, RetryPolicy policy) {
    return switch (kind) {
      case VERSION_PROBE ->
          exitCode == 0
              ? ok("VersionProbeSucceeded", "the version probe read the target image's versions")
              : stall(
                  "VersionProbeFailed",
                  "the version probe exited "
                      + exitCode
                      + ": the target image lacks python3 or Cinder's Python packages; check"
                      + " spec.image and the Job's log");
      case UPGRADE_CHECK ->
          switch (exitCode) {
            case 0 -> ok("UpgradeCheckPassed", "cinder-status upgrade check passed");
            case 1 ->
                new JobOutcome(
                    Verdict.SUCCEEDED_WITH_WARNINGS,
                    "UpgradeCheckWarnings",
                    "cinder-status upgrade check passed with warnings (exit 1); read the Job's"
                        + " log, the upgrade goes on",
                    Optional.empty());
            case 2 ->
                stall(
                    "UpgradeCheckFailed",
                    "cinder-status upgrade check failed (exit 2): the target release cannot run"
                        + " with this configuration; read the Job's log, fix, then retry");
            case 255 ->
                stall(
                    "UpgradeCheckError",
                    "cinder-status upgrade check hit an unexpected error (exit 255); read the"
                        + " Job's log");
            default ->
                stall(
                    "UpgradeCheckError",
                    "cinder-status upgrade check exited "
                        + exitCode
                        + " (not 0, 1, 2 or 255); read the Job's log");
          };
      case DB_SYNC ->
          switch (exitCode) {
            case 0 -> ok("DbSyncSucceeded", "cinder-manage db sync migrated the schema");
            case 1 ->
                stall(
                    "DbSyncFailed",
                    "cinder-manage db sync failed (exit 1): a schema migration failed or the"
                        + " database is newer than the image; read the Job's log");
            case 2 ->
                stall(
                    "DbSyncFailed",
                    "cinder-manage db sync failed while bumping service versions (exit 2); read"
                        + " the Job's log");
            default ->
                stall(
                    "DbSyncFailed",
                    "cinder-manage db sync exited " + exitCode + "; read the Job's log");
          };
      case ONLINE_DATA_MIGRATIONS ->
          switch (exitCode) {
            case 0 ->
                ok("DataMigrationComplete", "cinder-manage db online_data_migrations is complete");
            case 1 ->
                new JobOutcome(
                    Verdict.RUN_AGAIN,
                    "DataMigrationProgress",
                    "cinder-manage db online_data_migrations migrated a batch and has more to do",
                    Optional.empty());
            case 2 ->
                stall(
                    "DataMigrationNeedsAttention",
                    "cinder-manage db online_data_migrations hit errors it cannot get past"
                        + " (exit 2); read the Job's log and fix the rows it names");
            case 127 ->
                stall(
                    "DataMigrationInvalid",
                    "cinder-manage db online_data_migrations exited 127: --max_count was below 1"
                        + " or the command was not found; check"
                        + " spec.upgrade.onlineDataMigrationBatch and spec.image");
            default -> retryOrStall("exited " + exitCode, failuresSoFar, policy);
          };
    };
  }

  /**
   * Interprets a run whose container left no exit code (evicted, past its deadline, never started),
   * with the {@link RetryPolicy#standard() standard} retry policy.
   */
  public static JobOutcome withoutExitCode(JobKind kind, int failuresSoFar) {
    return withoutExitCode(kind, failuresSoFar, RetryPolicy.standard());
  }

  /**
   * Interprets a run whose container left no exit code. Only online data migrations are retried:
   * they are idempotent batches, while the other tools' results cannot be known.
   */
  public static JobOutcome withoutExitCode(JobKind kind, int failuresSoFar, RetryPolicy policy) {
    String what = "ended without an exit code (evicted, past its deadline or never started)";
    return switch (kind) {
      case VERSION_PROBE ->
          stall("VersionProbeFailed", "the version probe " + what + "; read the Job's events");
      case UPGRADE_CHECK ->
          stall(
              "UpgradeCheckError",
              "cinder-status upgrade check " + what + "; read the Job's events");
      case DB_SYNC ->
          stall(
              "DbSyncFailed",
              "cinder-manage db sync "
                  + what
                  + "; the schema may be half migrated: read the Job's events and log");
      case ONLINE_DATA_MIGRATIONS -> retryOrStall(what, failuresSoFar, policy);
    };
  }

  private static JobOutcome retryOrStall(String what, int failuresSoFar, RetryPolicy policy) {
    if (failuresSoFar >= policy.maxRetries()) {
      return stall(
          "DataMigrationFailed",
          "cinder-manage db online_data_migrations "
              + what
              + " after "
              + (failuresSoFar + 1)
              + " runs; read the Job's log");
    }
    Duration wait = policy.backoff(failuresSoFar + 1);
    return new JobOutcome(
        Verdict.RETRY,
        "DataMigrationRetry",
        "cinder-manage db online_data_migrations "
            + what
            + "; running it again in "
            + wait.toSeconds()
            + "s (retry "
            + (failuresSoFar + 1)
            + " of "
            + policy.maxRetries()
            + ")",
        Optional.of(wait));
  }

  private static JobOutcome ok(String reason, String message) {
    return new JobOutcome(Verdict.SUCCEEDED, reason, message, Optional.empty());
  }

  private static JobOutcome stall(String reason, String message) {
    return new JobOutcome(Verdict.STALL, reason, message, Optional.empty());
  }

  /** Whether the operator may move to the next step. */
  public boolean proceeds() {
    return verdict == Verdict.SUCCEEDED || verdict == Verdict.SUCCEEDED_WITH_WARNINGS;
  }
}
