package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_JOB;

import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.cinder.JobOutcome.Verdict;
import dev.cinderoperator.cinder.OnlineMigrationReport;
import dev.cinderoperator.workload.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Jobs with deterministic names: a job is created once; if it exists (also after an operator
 * restart) its outcome is read instead. Online data migrations run as numbered jobs, one after the
 * other, until one exits 0. What an exit code means is {@link JobOutcome}'s alone.
 */
public final class JobSteps {
  private JobSteps() {}

  public static String name(String cluster, UpgradeJob kind, String image, int run) {
    String hash = JobHash.of(image);
    return switch (kind) {
      case VERSION_PROBE -> Names.versionProbeJob(cluster, hash);
      case UPGRADE_CHECK -> Names.upgradeCheckJob(cluster, hash);
      case DB_SYNC -> Names.dbSyncJob(cluster, hash);
      case PRE_DATA_MIGRATION, DATA_MIGRATION -> Names.dataMigrationJob(cluster, hash, run);
    };
  }

  /** Either the finished job or the act that creates it / waits for it. */
  public record Once(NextAct pending, JobView finished) {}

  /** A job run once per image: created when absent, waited for while active. */
  public static Once once(PlanContext ctx, UpgradeJob kind, String image) {
    String name = name(ctx.obs.cluster(), kind, image, 0);
    Optional<JobView> job = ctx.job(name);
    if (job.isEmpty()) {
      return new Once(
          new NextAct(new Action.CreateJob(kind, image, name, 0), "job " + name + ": creating")
              .with(ctx.inFlight(PlanContext.markerJob(name))),
          null);
    }
    if (job.get().state() == JobState.ACTIVE) {
      return new Once(
          PlanContext.waiting("WaitingForJob", "job " + name + ": running", RECHECK_JOB), null);
    }
    return new Once(null, job.get());
  }

  /**
   * What a finished job's exit means, as {@link JobOutcome} documents it for the tool.
   *
   * @param failuresSoFar earlier runs of the same job that ended in {@link Verdict#RETRY}
   */
  public static JobOutcome outcome(UpgradeJob kind, JobView job, int failuresSoFar) {
    Integer exit = job.effectiveExitCode();
    return exit == null
        ? JobOutcome.withoutExitCode(kind.tool(), failuresSoFar)
        : JobOutcome.of(kind.tool(), exit, job.terminationMessage(), failuresSoFar);
  }

  /**
   * A job run once per image, interpreted: empty when the upgrade may go on (a warning adds a
   * notice), else the stall.
   *
   * @param context what the job was for, put in front of the outcome's message; may be empty
   */
  public static Optional<NextAct> verdict(
      UpgradeJob kind, JobView job, String context, List<Decision.Notice> notices) {
    JobOutcome o = outcome(kind, job, 0);
    if (o.proceeds()) {
      notice(o, job, notices);
      return Optional.empty();
    }
    return Optional.of(stall(o, job, context));
  }

  /** The Event for a job that succeeded with warnings; nothing otherwise. */
  public static void notice(JobOutcome o, JobView job, List<Decision.Notice> notices) {
    if (o.verdict() == Verdict.SUCCEEDED_WITH_WARNINGS) {
      notices.add(
          new Decision.Notice(
              o.reason(), "job " + job.name() + ": " + o.message() + detail(job), true));
    }
  }

  /** JobOutcome's reason and message, the job, and how a person retries once they fixed it. */
  public static NextAct stall(JobOutcome o, JobView job, String context) {
    String name = job.name();
    return PlanContext.stall(
        o.reason(),
        "job "
            + name
            + ": "
            + (context.isEmpty() ? "" : context + ": ")
            + o.message()
            + ". Once fixed, delete the job ("
            + name
            + ") to retry."
            + detail(job),
        "job " + name + ": " + o.reason() + exitText(job));
  }

  private static String exitText(JobView job) {
    Integer exit = job.effectiveExitCode();
    return exit == null ? " (no exit code)" : " (exit " + exit + ")";
  }

  /**
   * Runs online data migrations on {@code image} until a run exits 0 (empty result), each run's
   * exit read by {@link JobOutcome}: RUN_AGAIN starts the next run at once, RETRY after its backoff
   * (timed from the failed run's end), STALL stalls naming the job.
   */
  public static Optional<NextAct> migrations(
      PlanContext ctx, UpgradeJob kind, String image, List<Decision.Notice> notices) {
    Integer recordedRun = ctx.draft.getDataMigrationRuns();
    int run = recordedRun == null ? highestRun(ctx, image) + 1 : recordedRun;
    String name = name(ctx.obs.cluster(), kind, image, run);
    Optional<JobView> job = ctx.job(name);
    if (recordedRun == null || job.isEmpty()) {
      return Optional.of(create(ctx, kind, image, run));
    }
    JobView j = job.get();
    if (j.state() == JobState.ACTIVE) {
      return Optional.of(
          PlanContext.waiting("WaitingForJob", "job " + name + ": running", RECHECK_JOB));
    }
    JobOutcome o = outcome(kind, j, retriesBefore(ctx, kind, image, run));
    return switch (o.verdict()) {
      case SUCCEEDED, SUCCEEDED_WITH_WARNINGS -> {
        notice(o, j, notices);
        yield Optional.empty();
      }
      case RUN_AGAIN -> Optional.of(create(ctx, kind, image, run + 1));
      case RETRY -> {
        Instant ended = j.finishedAt() != null ? j.finishedAt() : j.startedAt();
        Duration backoff = o.retryAfter().orElse(Duration.ZERO);
        if (ended != null && ctx.now().isBefore(ended.plus(backoff))) {
          Duration left = Duration.between(ctx.now(), ended.plus(backoff));
          yield Optional.of(
              PlanContext.waiting(
                  o.reason(),
                  "job " + name + ": " + o.message(),
                  new PlanContext.Recheck( // a timer: no event ends it
                      left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left,
                      false)));
        }
        yield Optional.of(create(ctx, kind, image, run + 1));
      }
      case STALL ->
          Optional.of(
              stall(
                  o,
                  j,
                  kind == UpgradeJob.PRE_DATA_MIGRATION
                      ? "the running release's online data migrations (they must finish before"
                          + " the next release's db sync)"
                      : ""));
    };
  }

  /**
   * The first run number of the running release's data migrations in a new upgrade, or null to
   * number from the jobs that exist. Finished jobs are deleted once the status records their
   * outcome, so the runs the last upgrade (or rollback) used on {@code image} are known from its
   * status alone: numbering goes on after them, and a finished job's name is never used again.
   *
   * @param last the status of the last upgrade, or null
   * @param image the image the cluster runs, on which the new upgrade's first migrations run
   */
  public static Integer nextRunAfter(UpgradeStatus last, String image) {
    if (last == null || last.getDataMigrationRuns() == null || image == null) {
      return null;
    }
    // A rollback carries the Preflight's runs on the image it returns to; a forward upgrade's runs
    // are on its source image until DataMigration, then on its target.
    boolean onTarget =
        last.getMode() == UpgradeMode.Rollback
            || last.getStep() == UpgradeStep.DataMigration
            || last.getStep() == UpgradeStep.Complete;
    String runsOn = onTarget ? last.getToImage() : last.getFromImage();
    return image.equals(runsOn) ? last.getDataMigrationRuns() + 1 : null;
  }

  private static NextAct create(PlanContext ctx, UpgradeJob kind, String image, int run) {
    String name = name(ctx.obs.cluster(), kind, image, run);
    StatusChange numbered = u -> u.setDataMigrationRuns(run);
    return new NextAct(new Action.CreateJob(kind, image, name, run), "job " + name + ": creating")
        .with(numbered.then(ctx.inFlight(PlanContext.markerJob(name))));
  }

  /** The highest run number among existing data-migration jobs of this image, 0 if none. */
  public static int highestRun(PlanContext ctx, String image) {
    String hash = JobHash.of(image);
    int max = 0;
    for (JobView j : ctx.obs.jobs()) {
      max = Math.max(max, Names.dataMigrationRun(ctx.obs.cluster(), hash, j.name()).orElse(0));
    }
    return max;
  }

  /** Consecutive runs before {@code run} that JobOutcome answered with RETRY. */
  private static int retriesBefore(PlanContext ctx, UpgradeJob kind, String image, int run) {
    int count = 0;
    for (int r = run - 1; r >= 1; r--) {
      Optional<JobView> j = ctx.job(name(ctx.obs.cluster(), kind, image, r));
      if (j.isEmpty()
          || j.get().state() != JobState.FAILED
          || outcome(kind, j.get(), 0).verdict() != Verdict.RETRY) {
        break;
      }
      count++;
    }
    return count;
  }

  public static String detail(JobView j) {
    String msg = j.terminationMessage();
    if (msg == null || msg.isBlank()) {
      return "";
    }
    // The end of a tool's output says most (the exception, the results table); the data-migration
    // loop's report line goes first, in words.
    String report = "";
    Optional<OnlineMigrationReport> parsed = OnlineMigrationReport.parse(msg);
    if (parsed.isPresent()) {
      int end = msg.indexOf('\n');
      report = parsed.get().summary() + ". ";
      msg = end < 0 ? "" : msg.substring(end + 1);
    }
    String trimmed = msg.strip();
    return " Output: "
        + report
        + (trimmed.length() > 300 ? "..." + trimmed.substring(trimmed.length() - 300) : trimmed);
  }
}
