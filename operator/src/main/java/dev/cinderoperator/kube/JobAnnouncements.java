package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.cinder.JobKind;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.cinder.OnlineMigrationReport;
import dev.cinderoperator.upgrade.JobState;
import dev.cinderoperator.upgrade.JobView;
import dev.cinderoperator.workload.Component;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * One Event per finished job (JobFinished or JobFailed), remembered by cluster uid and job name.
 */
final class JobAnnouncements {
  private final Clock clock;
  private final EventRecorder events;
  private final Set<String> announced = ConcurrentHashMap.newKeySet();
  private final Instant startedAt;

  JobAnnouncements(Clock clock, EventRecorder events) {
    this.clock = clock;
    this.events = events;
    // whole seconds, as Kubernetes records a job's completion
    this.startedAt = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
  }

  void announce(CinderCluster cc, List<JobView> jobs) {
    Instant recent = Instant.now(clock).minus(Duration.ofMinutes(10));
    for (JobView j : jobs) {
      // A job that finished before this operator started was announced by the one before it (or
      // by nobody, if it was down): a restart must not repeat it, nor write an Event per cluster.
      if (j.state() == JobState.ACTIVE
          || (j.finishedAt() != null
              && (j.finishedAt().isBefore(recent) || j.finishedAt().isBefore(startedAt)))) {
        continue;
      }
      if (announced.add(prefix(cc) + j.name())) {
        announce(cc, j);
      }
    }
  }

  private void announce(CinderCluster cc, JobView j) {
    if (j.state() == JobState.SUCCEEDED) {
      events.normal(cc, "JobFinished", text(j));
    } else if (withWarnings(j)) {
      // cinder-status exits 1 for warnings: the upgrade goes on (UpgradeCheckWarnings).
      events.normal(cc, "JobFinished", "job " + j.name() + " finished with warnings (exit code 1)");
    } else {
      events.warning(cc, "JobFailed", text(j));
    }
  }

  private static String text(JobView j) {
    return "job "
        + j.name()
        + " "
        + (j.state() == JobState.SUCCEEDED ? "succeeded" : "failed")
        + (j.exitCode() == null ? "" : " (exit code " + j.exitCode() + ")")
        + (j.kind() == Component.DATA_MIGRATION
            ? OnlineMigrationReport.parse(j.terminationMessage())
                .map(r -> ": " + r.summary())
                .orElse("")
            : "");
  }

  private static boolean withWarnings(JobView j) {
    return j.kind() == Component.UPGRADE_CHECK
        && j.exitCode() != null
        && JobOutcome.of(JobKind.UPGRADE_CHECK, j.exitCode(), j.terminationMessage(), 0).verdict()
            == JobOutcome.Verdict.SUCCEEDED_WITH_WARNINGS;
  }

  /** Forgets the announcements of the cluster's jobs that are gone. */
  void forgetGone(CinderCluster cc, List<Job> present) {
    String prefix = prefix(cc);
    Set<String> names =
        present.stream().map(j -> prefix + j.getMetadata().getName()).collect(Collectors.toSet());
    announced.removeIf(k -> k.startsWith(prefix) && !names.contains(k));
  }

  void release(CinderCluster cc) {
    announced.removeIf(k -> k.startsWith(prefix(cc)));
  }

  int heldFor(CinderCluster cc) {
    return (int) announced.stream().filter(k -> k.startsWith(prefix(cc))).count();
  }

  private static String prefix(CinderCluster cc) {
    return cc.getMetadata().getUid() + "/";
  }
}
