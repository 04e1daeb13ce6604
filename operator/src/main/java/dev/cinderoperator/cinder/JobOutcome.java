package dev.cinderoperator.cinder;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the operator does after one of Cinder's tools exited, read from the exit code the way each
 * tool documents it (cinder-upgrade-facts §5), and from its output where the exit code is
 * ambiguous: any uncaught Python exception exits 1 ({@link ToolOutput}).
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

  /**
   * Interprets an exit code without the tool's output, with the {@link RetryPolicy#standard()
   * standard} retry policy: an exit 1 then cannot be told from a crash and counts as one.
   */
  public static JobOutcome of(JobKind kind, int exitCode, int failuresSoFar) {
    return of(kind, exitCode, null, failuresSoFar, RetryPolicy.standard());
  }

  /** Interprets one run with the {@link RetryPolicy#standard() standard} retry policy. */
  public static JobOutcome of(JobKind kind, int exitCode, String output, int failuresSoFar) {
    return of(kind, exitCode, output, failuresSoFar, RetryPolicy.standard());
  }

  /**
   * Interprets one run's exit code and, where the exit code alone is ambiguous, its output ({@link
   * ToolOutput}): an uncaught Python exception exits 1, which is neither cinder-status's "warnings"
   * nor online_data_migrations' "more to do" unless the tool printed its results.
   *
   * @param output the job's termination message (the tail of its log); may be null
   * @param failuresSoFar earlier runs of this job that ended in {@link Verdict#RETRY}
   */
  public static JobOutcome of(
      JobKind kind, int exitCode, String output, int failuresSoFar, RetryPolicy policy) {
    String raised = ToolOutput.exception(output).map(e -> ": " + e).orElse("");
    return switch (kind) {
      case VERSION_PROBE ->
          exitCode == 0
              ? ok("VersionProbeSucceeded", "the version probe read the target image's versions")
              : stall(
                  "VersionProbeFailed",
                  "the version probe exited "
                      + exitCode
                      + raised
                      + ": the target image lacks python3 or Cinder's Python packages; check"
                      + " spec.image and the Job's log");
      case UPGRADE_CHECK -> upgradeCheck(exitCode, output, raised);
      case DB_SYNC ->
          switch (exitCode) {
            case 0 -> ok("DbSyncSucceeded", "cinder-manage db sync migrated the schema");
            case 1 ->
                stall(
                    "DbSyncFailed",
                    "cinder-manage db sync failed (exit 1): a schema migration failed, the"
                        + " database could not be reached or is newer than the image, or the code"
                        + " raised"
                        + raised
                        + "; read the Job's log");
            case 2 ->
                stall(
                    "DbSyncFailed",
                    "cinder-manage db sync exited 2: it could not read its configuration files"
                        + " (the other cause of exit 2, --bump-versions, the operator never"
                        + " passes)"
                        + firstLine(output)
                        + "; check the config Secret and the Job's mounts");
            default ->
                stall(
                    "DbSyncFailed",
                    "cinder-manage db sync exited " + exitCode + raised + "; read the Job's log");
          };
      case ONLINE_DATA_MIGRATIONS ->
          dataMigrations(exitCode, output, raised, failuresSoFar, policy);
    };
  }

  private static JobOutcome upgradeCheck(int exitCode, String output, String raised) {
    Optional<List<ToolOutput.Check>> results = ToolOutput.upgradeCheck(output);
    int worst =
        results.map(r -> r.stream().mapToInt(ToolOutput.Check::result).max().orElse(0)).orElse(-1);
    return switch (exitCode) {
      case 0 -> ok("UpgradeCheckPassed", "cinder-status upgrade check passed");
      case 1 ->
          worst == 1
              ? new JobOutcome(
                  Verdict.SUCCEEDED_WITH_WARNINGS,
                  "UpgradeCheckWarnings",
                  "cinder-status upgrade check passed with warnings (exit 1): "
                      + ToolOutput.describe(results.get(), 1)
                      + "; the upgrade goes on",
                  Optional.empty())
              : stall(
                  "UpgradeCheckError",
                  "cinder-status upgrade check exited 1 without printing its results: a Python"
                      + " error, not warnings (an uncaught exception exits 1 too)"
                      + raised
                      + "; read the Job's log");
      case 2 ->
          stall(
              "UpgradeCheckFailed",
              "cinder-status upgrade check failed (exit 2)"
                  + (worst == 2 ? ": " + ToolOutput.describe(results.get(), 2) : "")
                  + ". The target release refuses what the check names: the configuration"
                  + " (spec.config, spec.volumes[].config, spec.backup.config) or the data (e.g."
                  + " 'Service UUIDs' fails while a volume that was never scheduled, in error"
                  + " without a host, is not deleted); fix it, then retry");
      case 255 ->
          stall(
              "UpgradeCheckError",
              "cinder-status upgrade check hit an unexpected error (exit 255)"
                  + raised
                  + "; read the Job's log");
      default ->
          stall(
              "UpgradeCheckError",
              "cinder-status upgrade check exited "
                  + exitCode
                  + " (not 0, 1, 2 or 255)"
                  + raised
                  + "; read the Job's log");
    };
  }

  private static JobOutcome dataMigrations(
      int exitCode, String output, String raised, int failuresSoFar, RetryPolicy policy) {
    return switch (exitCode) {
      case 0 -> ok("DataMigrationComplete", "cinder-manage db online_data_migrations is complete");
      case 1 -> {
        int migrated =
            ToolOutput.migrations(output)
                .map(rows -> rows.stream().mapToInt(ToolOutput.Migration::completed).sum())
                .orElse(0);
        yield migrated > 0
            ? new JobOutcome(
                Verdict.RUN_AGAIN,
                "DataMigrationProgress",
                "cinder-manage db online_data_migrations migrated "
                    + migrated
                    + " rows and has more to do",
                Optional.empty())
            : retryOrStall(
                "exited 1 but migrated nothing (no migration table: a Python error, not 'more to"
                    + " do')"
                    + raised,
                "DataMigrationNoProgress",
                failuresSoFar,
                policy);
      }
      case 2 ->
          stall(
              "DataMigrationNeedsAttention",
              "cinder-manage db online_data_migrations hit errors it cannot get past"
                  + " (exit 2)"
                  + raised
                  + "; read the Job's log and fix the rows it names");
      case 127 ->
          stall(
              "DataMigrationInvalid",
              "cinder-manage db online_data_migrations exited 127: --max_count was below 1"
                  + " or the command was not found; check"
                  + " spec.upgrade.onlineDataMigrationBatch and spec.image");
      default ->
          retryOrStall("exited " + exitCode + raised, "DataMigrationFailed", failuresSoFar, policy);
    };
  }

  private static String firstLine(String output) {
    if (output == null || output.isBlank()) {
      return "";
    }
    String line = output.strip().split("\\R", 2)[0];
    return ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
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
      case ONLINE_DATA_MIGRATIONS ->
          retryOrStall(what, "DataMigrationFailed", failuresSoFar, policy);
    };
  }

  private static JobOutcome retryOrStall(
      String what, String stallReason, int failuresSoFar, RetryPolicy policy) {
    if (failuresSoFar >= policy.maxRetries()) {
      return stall(
          stallReason,
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
