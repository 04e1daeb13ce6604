package dev.cinderoperator.sim.node;

import static dev.cinderoperator.sim.node.PodFacts.isJob;

import dev.cinderoperator.sim.SimConfig;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;

/** The kubelet's view of one pod, by uid: its lifecycle state and what its status is made of. */
final class PodLife {
  enum State {
    PENDING,
    RUNNING,
    BACK_OFF,
    TERMINATED,
    TERMINATING
  }

  final String uid;
  final String namespace;
  final String name;
  final String podIp;
  final Instant createdAt;
  volatile Pod pod;
  volatile State state = State.PENDING;
  Instant startAt;
  Instant startedAt;
  Instant readyAfter;
  Instant readyChangedAt;
  Instant finishedAt;
  Instant goneAt;
  boolean ready;
  int restartCount;
  int exitCode;
  String message;
  ContainerState lastState;

  /** The status last written or found equal, and the pod's version then. */
  PodStatus writtenStatus;

  String writtenVersion;

  /** What that status was built from. */
  StatusInputs writtenInputs;

  PodLife(Pod pod, Instant now, Instant startAt, String podIp) {
    this.pod = pod;
    this.uid = pod.getMetadata().getUid();
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    this.createdAt = now;
    this.startAt = startAt;
    this.podIp = podIp;
  }

  Instant nextDeadline(SimConfig config) {
    return switch (state) {
      case PENDING, BACK_OFF -> startAt;
      case RUNNING -> isJob(pod) ? startedAt.plus(config.jobRunTime()) : ready ? null : readyAfter;
      case TERMINATED -> null;
      case TERMINATING -> goneAt;
    };
  }

  /**
   * Everything {@link PodStatusWriter#statusOf} reads that can change (the pod's spec changes its
   * version).
   */
  record StatusInputs(
      State state,
      Instant startedAt,
      boolean ready,
      Instant readyChangedAt,
      int restartCount,
      int exitCode,
      String message,
      Instant finishedAt,
      ContainerState lastState,
      String podVersion) {
    static StatusInputs of(PodLife l) {
      return new StatusInputs(
          l.state,
          l.startedAt,
          l.ready,
          l.readyChangedAt,
          l.restartCount,
          l.exitCode,
          l.message,
          l.finishedAt,
          l.lastState,
          l.pod.getMetadata().getResourceVersion());
    }
  }
}
