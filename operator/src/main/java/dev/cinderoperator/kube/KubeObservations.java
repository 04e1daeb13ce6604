package dev.cinderoperator.kube;

import dev.cinderoperator.upgrade.JobState;
import dev.cinderoperator.upgrade.JobView;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Turns Kubernetes objects (cached, or listed by {@code plan}) into the planners' views. */
public final class KubeObservations {
  private KubeObservations() {}

  static Optional<Component> component(java.util.Map<String, String> labels) {
    if (labels == null) {
      return Optional.empty();
    }
    String value = labels.get(Labels.COMPONENT);
    return Arrays.stream(Component.values()).filter(c -> c.label().equals(value)).findFirst();
  }

  /** The Cinder service pods (api, scheduler, volume, backup), terminating ones included. */
  public static List<PodView> pods(List<Pod> pods) {
    return pods.stream()
        .filter(
            p ->
                component(p.getMetadata().getLabels())
                    .filter(
                        c ->
                            c == Component.API
                                || c == Component.SCHEDULER
                                || c == Component.VOLUME
                                || c == Component.BACKUP)
                    .isPresent())
        .map(KubeObservations::pod)
        .toList();
  }

  static PodView pod(Pod p) {
    Component c = component(p.getMetadata().getLabels()).orElseThrow();
    var labels = p.getMetadata().getLabels();
    var annotations = p.getMetadata().getAnnotations();
    boolean running =
        p.getStatus() != null
            && p.getStatus().getContainerStatuses() != null
            && p.getStatus().getContainerStatuses().stream()
                .anyMatch(cs -> cs.getState() != null && cs.getState().getRunning() != null);
    return new PodView(
        p.getMetadata().getName(),
        c,
        labels.get(Labels.BACKEND),
        c == Component.API ? null : ordinal(p.getMetadata().getName()),
        PodState.image(p),
        annotations == null ? null : annotations.get(Labels.CONFIG_CHECKSUM),
        PodState.isReady(p),
        running,
        PodState.isTerminating(p),
        PodState.createdAt(p).orElse(null),
        PodState.startedAt(p).orElse(null),
        PodState.restartCount(p),
        p.getMetadata().getUid());
  }

  private static Integer ordinal(String name) {
    int dash = name.lastIndexOf('-');
    try {
      return Integer.parseInt(name.substring(dash + 1));
    } catch (RuntimeException e) {
      return null;
    }
  }

  static List<JobView> jobs(List<Job> jobs, List<Pod> pods) {
    return jobs.stream()
        .filter(j -> component(j.getMetadata().getLabels()).isPresent())
        .map(j -> job(j, pods))
        .toList();
  }

  static JobView job(Job j, List<Pod> pods) {
    var terminated = JobStatuses.terminated(j, pods);
    JobState state = JobStatuses.phase(j);
    String image =
        Optional.ofNullable(j.getMetadata().getAnnotations())
            .map(a -> a.get(Labels.TARGET_IMAGE))
            .orElseGet(() -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    var status = j.getStatus();
    return new JobView(
        j.getMetadata().getName(),
        component(j.getMetadata().getLabels()).orElseThrow(),
        image,
        state,
        terminated.map(t -> t.getExitCode()).orElse(null),
        terminated.map(t -> t.getMessage()).orElse(null),
        status == null || status.getStartTime() == null
            ? null
            : Instant.parse(status.getStartTime()),
        status == null || status.getCompletionTime() == null
            ? terminated
                .map(t -> t.getFinishedAt())
                .filter(f -> f != null)
                .map(Instant::parse)
                .orElse(null)
            : Instant.parse(status.getCompletionTime()));
  }
}
