package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_JOB;

import dev.cinderoperator.workload.Names;
import java.util.Optional;

/**
 * Jobs with deterministic names: a job is created once; if it exists (also after an operator
 * restart) its outcome is read instead. Online data migrations run as numbered jobs, one after the
 * other, until one exits 0.
 */
final class JobSteps {
  /** Consecutive unexpected failures of data-migration runs before the upgrade stalls. */
  static final int MAX_UNEXPECTED_FAILURES = 3;

  private JobSteps() {}

  static String name(String cluster, JobKind kind, String image, int run) {
    String hash = JobHash.of(image);
    return switch (kind) {
      case VERSION_PROBE -> Names.versionProbeJob(cluster, hash);
      case UPGRADE_CHECK -> Names.upgradeCheckJob(cluster, hash);
      case DB_SYNC -> Names.dbSyncJob(cluster, hash);
      case PRE_DATA_MIGRATION, DATA_MIGRATION -> Names.dataMigrationJob(cluster, hash, run);
    };
  }

  /** Either the finished job or the act that creates it / waits for it. */
  record Once(Blocked pending, JobView finished) {}

  /** A job run once per image: created when absent, waited for while active. */
  static Once once(PlanContext ctx, JobKind kind, String image) {
    String name = name(ctx.obs.cluster(), kind, image, 0);
    Optional<JobView> job = ctx.job(name);
    if (job.isEmpty()) {
      ctx.markInFlight(PlanContext.markerJob(name));
      return new Once(
          new Blocked(new Action.CreateJob(kind, image, name, 0), "job " + name + ": creating"),
          null);
    }
    if (job.get().state() == JobState.ACTIVE) {
      return new Once(
          PlanContext.waiting("WaitingForJob", "job " + name + ": running", RECHECK_JOB), null);
    }
    return new Once(null, job.get());
  }

  /**
   * Runs online data migrations on {@code image} until a run exits 0 (empty result). Exit 1 runs
   * again, exit 2 stalls, any other failure is retried {@link #MAX_UNEXPECTED_FAILURES} times.
   */
  static Optional<Blocked> migrations(PlanContext ctx, JobKind kind, String image) {
    ctx.ensureDraft();
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
    Integer exit = j.effectiveExitCode();
    if (exit != null && exit == 0) {
      return Optional.empty();
    }
    String which =
        kind == JobKind.PRE_DATA_MIGRATION
            ? "the running release's online data migrations (they must finish before the next"
                + " release's db sync)"
            : "online data migrations";
    if (exit != null && exit == 1) {
      return Optional.of(create(ctx, kind, image, run + 1));
    }
    if (exit != null && exit == 2) {
      return Optional.of(
          PlanContext.stall(
              "DataMigrationNeedsAttention",
              "job "
                  + name
                  + ": cinder-manage db online_data_migrations exited 2 for "
                  + which
                  + ": some migrations cannot progress. Read the job's log, fix the rows it"
                  + " names, then delete job "
                  + name
                  + " to run it again."
                  + detail(j),
              "job " + name + " exited 2"));
    }
    if (unexpectedFailures(ctx, kind, image, run) >= MAX_UNEXPECTED_FAILURES) {
      return Optional.of(
          PlanContext.stall(
              "DataMigrationFailed",
              "job "
                  + name
                  + ": "
                  + which
                  + " failed "
                  + MAX_UNEXPECTED_FAILURES
                  + " times in a row (last exit "
                  + exit
                  + "). Read the job's log; delete job "
                  + name
                  + " to try again."
                  + detail(j),
              "job " + name + " failed (exit " + exit + ")"));
    }
    return Optional.of(create(ctx, kind, image, run + 1));
  }

  private static Blocked create(PlanContext ctx, JobKind kind, String image, int run) {
    String name = name(ctx.obs.cluster(), kind, image, run);
    ctx.draft.setDataMigrationRuns(run);
    ctx.markInFlight(PlanContext.markerJob(name));
    return new Blocked(new Action.CreateJob(kind, image, name, run), "job " + name + ": creating");
  }

  /** The highest run number among existing data-migration jobs of this image, 0 if none. */
  static int highestRun(PlanContext ctx, String image) {
    String prefix = Names.dataMigrationJob(ctx.obs.cluster(), JobHash.of(image), 0);
    prefix = prefix.substring(0, prefix.length() - 1);
    int max = 0;
    for (JobView j : ctx.obs.jobs()) {
      if (j.name().startsWith(prefix)) {
        try {
          max = Math.max(max, Integer.parseInt(j.name().substring(prefix.length())));
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    }
    return max;
  }

  private static int unexpectedFailures(PlanContext ctx, JobKind kind, String image, int run) {
    int count = 0;
    for (int r = run; r >= 1; r--) {
      Optional<JobView> j = ctx.job(name(ctx.obs.cluster(), kind, image, r));
      if (j.isEmpty() || j.get().state() != JobState.FAILED) {
        break;
      }
      Integer exit = j.get().effectiveExitCode();
      if (exit != null && (exit == 1 || exit == 2)) {
        break;
      }
      count++;
    }
    return count;
  }

  static String detail(JobView j) {
    String msg = j.terminationMessage();
    if (msg == null || msg.isBlank()) {
      return "";
    }
    String trimmed = msg.strip();
    return " Output: " + (trimmed.length() > 300 ? trimmed.substring(0, 300) + "..." : trimmed);
  }
}
