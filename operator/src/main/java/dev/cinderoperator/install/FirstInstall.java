package dev.cinderoperator.install;

import dev.cinderoperator.api.Phase;
import dev.cinderoperator.upgrade.JobState;
import dev.cinderoperator.upgrade.JobView;
import dev.cinderoperator.workload.Hashes;
import dev.cinderoperator.workload.Names;

/**
 * The decisions of a first install (no image recorded in status yet), as plain Java: the schema
 * first (a db-sync Job on the spec's image), then the workloads, Ready once every pod runs the
 * image and the services table can be read. The caller observes and acts.
 */
public final class FirstInstall {
  private FirstInstall() {}

  /**
   * What a first install looks at.
   *
   * @param cluster the CinderCluster's name
   * @param image spec.image
   * @param release spec.release
   * @param dbSync the db-sync Job of {@link #dbSyncJob}, null when there is none
   * @param pods the pods of the spec on {@code image}
   * @param servicesRead the services table was read into status.services (only looked at when
   *     {@link #readsServices} said so)
   */
  public record Observation(
      String cluster,
      String image,
      String release,
      JobView dbSync,
      PodReadiness pods,
      boolean servicesRead) {}

  /** When to look again without an event: a watched wait, the poll or the idle poll interval. */
  public enum Recheck {
    WATCHED,
    POLL,
    IDLE,
    SPEC_RETRY
  }

  /**
   * The one thing to do now and the state to report.
   *
   * @param createJob the db-sync Job to create, null for none
   * @param jobStarted the Event's message once that Job is created
   * @param applyWorkloads create or update the StatefulSets, Deployment, Service and PDBs
   * @param deployed the Event's message when Cinder is deployed: record spec.release and spec.image
   *     in status; null otherwise
   * @param phase Deploying, Ready or Stalled
   */
  public record Plan(
      String createJob,
      String jobStarted,
      boolean applyWorkloads,
      String deployed,
      Phase phase,
      String reason,
      String message,
      Recheck recheck) {}

  /** The db-sync Job of a first install: one per image. */
  public static String dbSyncJob(String cluster, String image) {
    return Names.dbSyncJob(cluster, Hashes.shortHash(image));
  }

  /** Whether the services table is read this time: the schema is there and every pod serves. */
  public static boolean readsServices(JobView dbSync, PodReadiness pods) {
    return dbSync != null && dbSync.state() == JobState.SUCCEEDED && pods.allReady();
  }

  public static Plan next(Observation o) {
    String job = dbSyncJob(o.cluster(), o.image());
    String running = "job " + job + " runs cinder-manage db sync";
    if (o.dbSync() == null) {
      String started = "job " + job + ": cinder-manage db sync on " + o.image();
      return new Plan(
          job, started, false, null, Phase.Deploying, "SchemaMigration", running, Recheck.WATCHED);
    }
    if (o.dbSync().state() == JobState.ACTIVE) {
      return working(false, "SchemaMigration", running, Recheck.WATCHED);
    }
    if (o.dbSync().state() == JobState.FAILED) {
      return new Plan(
          null,
          null,
          false,
          null,
          Phase.Stalled,
          "DbSyncFailed",
          "job "
              + job
              + " (cinder-manage db sync) failed"
              + detail(o.dbSync())
              + ": read kubectl logs job/"
              + job
              + ", fix the database or config, then delete the job to run it again",
          Recheck.SPEC_RETRY);
    }
    PodReadiness pods = o.pods();
    if (!pods.allReady()) {
      return working(true, "WaitingForPods", pods.summary(), Recheck.WATCHED);
    }
    if (!o.servicesRead()) {
      // Ready shows the services as every later Ready does; it waits for the table as they do.
      return working(
          true,
          "DatabaseUnavailable",
          "every pod is ready but the Cinder database cannot be reached to list its services",
          Recheck.POLL);
    }
    return new Plan(
        null,
        null,
        true,
        "Cinder " + o.release() + " runs on " + o.image() + ": " + pods.summary(),
        Phase.Ready,
        "Ready",
        "Cinder " + o.release() + " deployed: " + pods.summary(),
        Recheck.IDLE);
  }

  private static Plan working(boolean apply, String reason, String message, Recheck recheck) {
    return new Plan(null, null, apply, null, Phase.Deploying, reason, message, recheck);
  }

  private static String detail(JobView job) {
    if (job.exitCode() == null && job.terminationMessage() == null) {
      return "";
    }
    String message = job.terminationMessage();
    return " (exit code "
        + job.exitCode()
        + (message == null ? "" : ": " + abbreviate(message))
        + ")";
  }

  private static String abbreviate(String s) {
    String oneLine = s.replace('\n', ' ').trim();
    return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
  }
}
