package dev.cinderoperator.sim.node;

import dev.cinderoperator.sim.KubeTime;
import dev.cinderoperator.sim.informers.SimCaches;
import dev.cinderoperator.sim.node.PodLife.State;
import dev.cinderoperator.sim.node.PodLife.StatusInputs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A pod's status as the kubelet reports it (phase, conditions, container states, image IDs),
 * written with a PUT of the whole status only when the API server's copy differs.
 */
final class PodStatusWriter {
  private static final String NODE_IP = "10.0.0.10";

  private final KubernetesClient client;
  private final SimCaches caches;

  PodStatusWriter(KubernetesClient client, SimCaches caches) {
    this.client = client;
    this.caches = caches;
  }

  /** Writes the pod's status when the API server's copy differs from what the pod's life says. */
  void write(PodLife life) {
    if (life.state == State.TERMINATING) {
      return;
    }
    StatusInputs inputs = StatusInputs.of(life);
    boolean untouched =
        Objects.equals(life.pod.getMetadata().getResourceVersion(), life.writtenVersion);
    if (untouched && inputs.equals(life.writtenInputs)) {
      // nothing the status is made of changed and nobody wrote since: not even build it
      return;
    }
    PodStatus desired = statusOf(life);
    if (desired.equals(life.writtenStatus) && untouched) {
      // the API server holds what we last wrote and nobody wrote since: skip the comparison
      life.writtenInputs = inputs;
      return;
    }
    String desiredJson = client.getKubernetesSerialization().asJson(desired);
    PodStatus current = life.pod.getStatus();
    String currentJson = current == null ? "" : client.getKubernetesSerialization().asJson(current);
    if (desiredJson.equals(currentJson)) {
      life.writtenStatus = desired;
      life.writtenVersion = life.pod.getMetadata().getResourceVersion();
      life.writtenInputs = inputs;
      return;
    }
    // PUT of the whole status (a merge patch would merge the old container state into the new)
    Pod update = new PodBuilder(life.pod).withStatus(desired).build();
    Pod written =
        caches.pods.wrote(
            client.pods().inNamespace(life.namespace).resource(update).updateStatus());
    life.writtenStatus = desired;
    life.writtenVersion = written.getMetadata().getResourceVersion();
    life.writtenInputs = inputs;
  }

  private PodStatus statusOf(PodLife life) {
    String phase =
        switch (life.state) {
          case PENDING -> life.startedAt == null ? "Pending" : "Running";
          case RUNNING, BACK_OFF -> "Running";
          case TERMINATED -> life.exitCode == 0 ? "Succeeded" : "Failed";
          case TERMINATING -> "Running";
        };
    String created = KubeTime.format(life.createdAt);
    String readyTime =
        KubeTime.format(life.readyChangedAt != null ? life.readyChangedAt : life.createdAt);
    String readyStatus = life.ready ? "True" : "False";
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition("PodScheduled", "True", created));
    conditions.add(condition("Initialized", "True", created));
    conditions.add(condition("ContainersReady", readyStatus, readyTime));
    conditions.add(condition("Ready", readyStatus, readyTime));
    List<ContainerStatus> containers = new ArrayList<>();
    for (Container c : life.pod.getSpec().getContainers()) {
      ContainerStatusBuilder b =
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withImageID(life.startedAt == null ? "" : imageId(c.getImage()))
              .withReady(life.ready)
              .withStarted(life.state == State.RUNNING)
              .withRestartCount(life.restartCount)
              .withState(containerState(life));
      if (life.startedAt != null) {
        b.withContainerID("containerd://" + sha256(life.uid + c.getName()).substring(0, 64));
      }
      if (life.lastState != null) {
        b.withLastState(life.lastState);
      }
      containers.add(b.build());
    }
    return new PodStatusBuilder()
        .withPhase(phase)
        .withConditions(conditions)
        .withContainerStatuses(containers)
        .withHostIP(NODE_IP)
        .withPodIP(life.podIp)
        .withStartTime(created)
        .withQosClass("BestEffort")
        .build();
  }

  private ContainerState containerState(PodLife life) {
    return switch (life.state) {
      case PENDING ->
          new ContainerStateBuilder()
              .withNewWaiting()
              .withReason("ContainerCreating")
              .endWaiting()
              .build();
      case RUNNING, TERMINATING ->
          new ContainerStateBuilder()
              .withNewRunning()
              .withStartedAt(KubeTime.format(life.startedAt))
              .endRunning()
              .build();
      case BACK_OFF ->
          new ContainerStateBuilder()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .withMessage("back-off restarting failed container")
              .endWaiting()
              .build();
      case TERMINATED ->
          terminated(
              life.exitCode,
              life.exitCode == 0 ? "Completed" : "Error",
              life.message,
              life.startedAt,
              life.finishedAt);
    };
  }

  static ContainerState terminated(
      int exitCode, String reason, String message, Instant started, Instant finished) {
    return new ContainerStateBuilder()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withReason(reason)
        .withMessage(message)
        .withStartedAt(started == null ? null : KubeTime.format(started))
        .withFinishedAt(KubeTime.format(finished))
        .endTerminated()
        .build();
  }

  private static PodCondition condition(String type, String status, String time) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(time)
        .build();
  }

  private static String imageId(String image) {
    String repository = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int colon = repository.lastIndexOf(':');
    if (colon > repository.lastIndexOf('/')) {
      repository = repository.substring(0, colon);
    }
    return repository + "@sha256:" + sha256(image);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
