package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * Which finished jobs may go. A job's existence and exit code are the operator's memory of its
 * outcome only while the step that reads it runs: once the status records a later step (or no
 * upgrade), nothing reads the job again, and a restarted operator resumes from that step without
 * it. So a finished job is removed once the status as stored says its step is over, never earlier,
 * and a running one never. Until the first install is recorded ({@code status.image}), its db sync
 * job stays.
 */
public final class FinishedJobs {
  private FinishedJobs() {}

  /**
   * @param status the status as stored (read at the start of the reconcile, before any act)
   * @return names of finished jobs whose outcome the status already carries
   */
  public static List<String> removable(
      String cluster, CinderClusterStatus status, List<JobView> jobs) {
    List<String> out = new ArrayList<>();
    if (status == null || status.getImage() == null) {
      return out;
    }
    UpgradeStatus u = status.getUpgrade();
    boolean upgrading =
        u != null
            && u.getStep() != null
            && u.getStep() != UpgradeStep.Complete
            && u.getMode() != UpgradeMode.Rollback;
    for (JobView j : jobs) {
      if (j.state() == JobState.ACTIVE || (upgrading && stillRead(cluster, u, j.name()))) {
        continue;
      }
      out.add(j.name());
    }
    return out;
  }

  /** Whether the planner may read this job at the recorded step of a forward upgrade. */
  private static boolean stillRead(String cluster, UpgradeStatus u, String job) {
    String from = u.getFromImage();
    String to = u.getToImage();
    return switch (u.getStep()) {
      case Preflight ->
          (from != null && isMigration(cluster, from, job))
              || (to != null
                  && (job.equals(JobSteps.name(cluster, UpgradeJob.VERSION_PROBE, to, 0))
                      || job.equals(JobSteps.name(cluster, UpgradeJob.UPGRADE_CHECK, to, 0))));
      case SchemaMigration ->
          to != null && job.equals(JobSteps.name(cluster, UpgradeJob.DB_SYNC, to, 0));
      case DataMigration -> to != null && isMigration(cluster, to, job);
      default -> false;
    };
  }

  private static boolean isMigration(String cluster, String image, String job) {
    return Names.dataMigrationRun(cluster, JobHash.of(image), job).isPresent();
  }
}
