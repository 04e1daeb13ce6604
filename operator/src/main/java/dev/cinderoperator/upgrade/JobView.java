package dev.cinderoperator.upgrade;

import dev.cinderoperator.workload.Component;
import java.time.Instant;

/**
 * One job of the cluster as observed.
 *
 * @param name job name
 * @param kind its {@code app.kubernetes.io/component}
 * @param image the image it runs
 * @param state active, succeeded or failed (jobs are created with backoffLimit 0, so a non-zero
 *     exit is FAILED)
 * @param exitCode the container's exit code once it terminated, else null
 * @param terminationMessage the container's termination message, null when none
 * @param startedAt when the job started, null if not yet
 * @param finishedAt when it finished, null if not yet
 */
public record JobView(
    String name,
    Component kind,
    String image,
    JobState state,
    Integer exitCode,
    String terminationMessage,
    Instant startedAt,
    Instant finishedAt) {

  /** The exit code, with success counted as 0 when the kubelet did not report one. */
  public Integer effectiveExitCode() {
    if (exitCode != null) {
      return exitCode;
    }
    return state == JobState.SUCCEEDED ? Integer.valueOf(0) : null;
  }
}
