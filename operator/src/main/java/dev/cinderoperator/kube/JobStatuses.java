package dev.cinderoperator.kube;

import dev.cinderoperator.upgrade.JobState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Optional;

/** Whether a Job is running, done or failed, and what its pod said when it ended. */
public final class JobStatuses {
  private JobStatuses() {}

  public static JobState phase(Job job) {
    var s = job.getStatus();
    if (s == null) {
      return JobState.ACTIVE;
    }
    if (s.getConditions() != null) {
      for (var c : s.getConditions()) {
        if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
          return JobState.SUCCEEDED;
        }
        if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
          return JobState.FAILED;
        }
      }
    }
    if (s.getSucceeded() != null && s.getSucceeded() > 0) {
      return JobState.SUCCEEDED;
    }
    return JobState.ACTIVE;
  }

  /** The terminated state of the job's last pod, carrying exit code and termination message. */
  public static Optional<ContainerStateTerminated> terminated(Job job, List<Pod> pods) {
    return pods.stream()
        .filter(p -> p.getMetadata().getLabels() != null)
        .filter(
            p -> job.getMetadata().getName().equals(p.getMetadata().getLabels().get("job-name")))
        .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null)
        .flatMap(p -> p.getStatus().getContainerStatuses().stream())
        .map(cs -> cs.getState() == null ? null : cs.getState().getTerminated())
        .filter(t -> t != null)
        .reduce((a, b) -> b);
  }
}
