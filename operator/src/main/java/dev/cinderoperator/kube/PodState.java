package dev.cinderoperator.kube;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Optional;

/** What the operator reads off a pod. */
public final class PodState {
  private PodState() {}

  public static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  public static boolean isTerminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  /** The image of the Cinder container as the pod spec asks for it. */
  public static String image(Pod pod) {
    return pod.getSpec() == null || pod.getSpec().getContainers().isEmpty()
        ? null
        : pod.getSpec().getContainers().get(0).getImage();
  }

  public static Optional<Instant> startedAt(Pod pod) {
    return firstContainer(pod)
        .map(ContainerStatus::getState)
        .filter(s -> s.getRunning() != null && s.getRunning().getStartedAt() != null)
        .map(s -> Instant.parse(s.getRunning().getStartedAt()));
  }

  public static Optional<Instant> createdAt(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getCreationTimestamp()).map(Instant::parse);
  }

  public static int restartCount(Pod pod) {
    return firstContainer(pod).map(ContainerStatus::getRestartCount).orElse(0);
  }

  private static Optional<ContainerStatus> firstContainer(Pod pod) {
    if (pod.getStatus() == null
        || pod.getStatus().getContainerStatuses() == null
        || pod.getStatus().getContainerStatuses().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(pod.getStatus().getContainerStatuses().get(0));
  }
}
