package dev.cinderoperator.sim.node;

import static dev.cinderoperator.sim.node.PodFacts.cluster;
import static dev.cinderoperator.sim.node.PodFacts.image;
import static dev.cinderoperator.sim.node.PodFacts.isJob;
import static dev.cinderoperator.sim.node.PodFacts.jobName;
import static dev.cinderoperator.sim.node.PodFacts.label;

import dev.cinderoperator.kube.PodExec;
import dev.cinderoperator.kube.PodSignaller;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import dev.cinderoperator.sim.events.SimEventLog;
import dev.cinderoperator.sim.informers.ControlLoop;
import dev.cinderoperator.sim.informers.SimCaches;
import dev.cinderoperator.sim.node.ContainerRuntime.JobResult;
import dev.cinderoperator.sim.node.PodLife.State;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet of the one simulated node. Every pod bound to it (or not bound at all) goes Pending,
 * Running after its start delay, Ready after the readiness delay once the runtime's probe passes;
 * job pods run to completion; deleted pods are stopped and their names held for the grace period.
 * Status is re-asserted whenever the API server's copy differs (a PUT by someone else may wipe it:
 * the mock server has no status subresource for built-in kinds).
 */
public final class Kubelet extends ControlLoop {
  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);
  private static final Duration STOP_RECHECK = Duration.ofMillis(100); // a stopping process

  private final KubernetesClient client;
  private final SimConfig config;
  private final SimEventLog recorder;
  private final PodTerminations terminations;
  private final SimCaches caches;
  private final PodStatusWriter statuses;
  private final Map<String, PodLife> lives = new ConcurrentHashMap<>();
  private final PodBehaviour behaviour = new PodBehaviour();
  private final ContainerExec containers;
  private int podIpCounter = 2;

  public Kubelet(
      KubernetesClient client,
      SimConfig config,
      SimEventLog recorder,
      PodTerminations terminations,
      SimCaches caches) {
    super("kubelet", config.resyncInterval());
    this.caches = caches;
    this.statuses = new PodStatusWriter(client, caches);
    this.containers = new ContainerExec(config, recorder, behaviour, this::findRunning);
    this.client = client;
    this.config = config;
    this.recorder = recorder;
    this.terminations = terminations;
  }

  // ---- knobs

  /** Runs containers whose image matches with the runtime (later registrations win). */
  public void useRuntime(Predicate<String> image, ContainerRuntime runtime) {
    behaviour.useRuntime(image, runtime);
  }

  /** Pods matching start after this delay instead of the configured one (later ones win). */
  public void startDelay(Predicate<Pod> pods, Duration delay) {
    behaviour.startDelay(pods, delay);
  }

  /** Matching pods run but never pass their readiness probe, until {@link #clearKnobs()}. */
  public void withholdReadiness(Predicate<Pod> pods) {
    behaviour.withholdReadiness(pods);
    wake();
  }

  /** Matching pods' containers exit right after they start and wait in CrashLoopBackOff. */
  public void crashLoop(Predicate<Pod> pods) {
    behaviour.crashLoop(pods);
    wake();
  }

  /**
   * Restarts the container of one pod once (restartCount goes up, the pod is briefly not Ready).
   */
  public void restartContainer(String namespace, String pod) {
    behaviour.restartOnce(namespace, pod);
    wake();
  }

  /** Drops every start delay, withheld readiness and crash loop set so far. */
  public void clearKnobs() {
    behaviour.clear();
    wake();
  }

  public PodTerminations terminations() {
    return terminations;
  }

  // ---- exec

  /**
   * Delivers a signal to PID 1 of the pod's main container, as {@code kubectl exec <pod> -- kill
   * -HUP 1} does.
   *
   * @throws PodSignaller.SignalFailedException when the pod has no running container
   */
  public void onSignal(String namespace, String pod, String signal) {
    containers.signal(namespace, pod, signal);
  }

  /** Where a running pod's declared port is reached on this machine, if its runtime serves it. */
  public Optional<java.net.InetSocketAddress> endpoint(Pod pod, int containerPort) {
    return behaviour.runtimeFor(pod).endpoint(pod, containerPort);
  }

  /**
   * Runs a command in a running pod's main container, as {@code kubectl exec} does; a command that
   * signals PID 1 ({@link SignalCommand}) is recorded as a {@link SignalEvent}, delivered when it
   * exited 0.
   *
   * @throws IllegalStateException when the pod has no running container
   */
  public ContainerRuntime.ExecResult exec(String namespace, String pod, List<String> argv) {
    return containers.exec(namespace, pod, argv);
  }

  /** The operator's seam for exec (the mock API server has none), run by this kubelet. */
  public PodExec podExec() {
    return (namespace, pod, container, argv) -> {
      ContainerRuntime.ExecResult r = exec(namespace, pod, argv);
      return new PodExec.ExecResult(r.exitCode(), r.output());
    };
  }

  private PodLife findRunning(String namespace, String pod) {
    for (PodLife life : lives.values()) {
      if (life.namespace.equals(namespace)
          && life.name.equals(pod)
          && life.state == State.RUNNING
          && !isJob(life.pod)) {
        return life;
      }
    }
    return null;
  }

  // ---- the loop

  @Override
  protected void watchAll() {
    wakeOn(caches.pods);
  }

  @Override
  protected void reconcile() {
    Instant now = config.clock().instant();
    List<Pod> pods = caches.pods.list();
    List<Pod> mine = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Pod pod : pods) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      if (node == null || node.equals(config.nodeName())) {
        mine.add(pod);
        seen.add(pod.getMetadata().getUid());
      }
    }
    Instant next = null;
    // deletions first, so the recorded order matches the API server's
    for (PodLife life : List.copyOf(lives.values())) {
      if (!seen.contains(life.uid) && life.state != State.TERMINATING) {
        beginTermination(life, now);
      }
      if (life.state == State.TERMINATING) {
        if (now.isBefore(life.goneAt)) {
          next = earliest(next, life.goneAt);
        } else if (behaviour.runtimeFor(life.pod).stopped(life.pod)) {
          lives.remove(life.uid);
          terminations.gone(life.uid);
          record(PodEvent.Kind.GONE, life, now);
        } else {
          next = earliest(next, now.plus(STOP_RECHECK)); // a real process still stops
        }
      }
    }
    for (Pod pod : mine) {
      String uid = pod.getMetadata().getUid();
      PodLife life = lives.get(uid);
      if (life == null) {
        life =
            new PodLife(
                pod,
                now,
                now.plus(behaviour.startDelay(pod, config.podStartDelay())),
                "10.244.0." + podIpCounter++);
        lives.put(uid, life);
        record(PodEvent.Kind.CREATED, life, now);
      }
      life.pod = pod;
      try {
        step(life, now);
        statuses.write(life);
      } catch (KubernetesClientException e) {
        LOG.debug("status of pod {}/{}: {}", life.namespace, life.name, e.getMessage());
      }
      Instant deadline = life.nextDeadline(config);
      if (deadline != null && deadline.isAfter(now)) {
        next = earliest(next, deadline);
      }
    }
    if (next != null) {
      wakeAfter(Duration.between(config.clock().instant(), next).plusMillis(1));
    }
  }

  private void step(PodLife life, Instant now) {
    Pod pod = life.pod;
    if (behaviour.takeRestart(life.namespace, life.name) && life.state == State.RUNNING) {
      stopQuietly(life);
      life.lastState =
          PodStatusWriter.terminated(137, "Error", "restarted on request", life.startedAt, now);
      life.restartCount++;
      setReady(life, false, now);
      life.state = State.PENDING;
      life.startAt = now;
    }
    switch (life.state) {
      case PENDING, BACK_OFF -> {
        if (!now.isBefore(life.startAt)) {
          start(life, now);
        }
      }
      case RUNNING -> {
        if (isJob(pod)) {
          if (!now.isBefore(life.startedAt.plus(config.jobRunTime()))) {
            finishJob(life, now);
          }
        } else if (behaviour.crashLooping(pod)) {
          crash(life, now, "container exited (crash loop on demand)");
        } else {
          boolean ready =
              !now.isBefore(life.readyAfter)
                  && !behaviour.readinessWithheld(pod)
                  && behaviour.runtimeFor(pod).ready(pod);
          setReady(life, ready, now);
        }
      }
      case TERMINATED, TERMINATING -> {}
    }
  }

  private void start(PodLife life, Instant now) {
    Pod pod = life.pod;
    boolean restart = life.state == State.BACK_OFF;
    try {
      behaviour.runtimeFor(pod).start(pod);
    } catch (RuntimeException e) {
      if (isJob(pod)) {
        life.startedAt = now;
        completeJob(life, now, new JobResult(1, "container failed to start: " + e.getMessage()));
      } else {
        if (restart) {
          life.restartCount++;
        }
        life.lastState = PodStatusWriter.terminated(1, "Error", e.getMessage(), now, now);
        backOff(life, now);
      }
      return;
    }
    if (restart) {
      life.restartCount++;
    }
    life.state = State.RUNNING;
    life.startedAt = now;
    life.readyAfter = now.plus(config.readinessDelay());
    record(PodEvent.Kind.RUNNING, life, now);
  }

  private void crash(PodLife life, Instant now, String reason) {
    stopQuietly(life);
    life.lastState = PodStatusWriter.terminated(1, "Error", reason, life.startedAt, now);
    backOff(life, now);
  }

  private void backOff(PodLife life, Instant now) {
    setReady(life, false, now);
    life.state = State.BACK_OFF;
    life.startAt = now.plus(config.crashBackOff());
    record(PodEvent.Kind.CRASHED, life, now);
  }

  private void finishJob(PodLife life, Instant now) {
    JobResult result;
    try {
      result = behaviour.runtimeFor(life.pod).runJob(life.pod);
    } catch (RuntimeException e) {
      result = new JobResult(1, "job container crashed: " + e.getMessage());
    }
    if (result == null) {
      return; // still working: asked again at the next pass
    }
    completeJob(life, now, result);
  }

  private void completeJob(PodLife life, Instant now, JobResult result) {
    life.state = State.TERMINATED;
    life.exitCode = result.exitCode();
    life.message = result.message();
    life.finishedAt = now;
    record(result.exitCode() == 0 ? PodEvent.Kind.SUCCEEDED : PodEvent.Kind.FAILED, life, now);
    Pod pod = life.pod;
    recorder.record(
        new JobRunEvent(
            now,
            life.namespace,
            cluster(pod),
            jobName(pod),
            life.name,
            label(pod, Labels.COMPONENT),
            image(pod),
            result.exitCode(),
            result.message()));
  }

  private void beginTermination(PodLife life, Instant now) {
    if (life.state == State.RUNNING) {
      stopQuietly(life);
    }
    life.ready = false;
    life.state = State.TERMINATING;
    life.goneAt = now.plus(config.terminationGracePeriod());
    terminations.terminating(life.uid);
    record(PodEvent.Kind.DELETED, life, now);
  }

  private void stopQuietly(PodLife life) {
    try {
      behaviour.runtimeFor(life.pod).stop(life.pod);
    } catch (RuntimeException e) {
      LOG.debug("stop of {}/{} failed: {}", life.namespace, life.name, e.getMessage());
    }
  }

  private void setReady(PodLife life, boolean ready, Instant now) {
    if (life.ready != ready) {
      life.ready = ready;
      life.readyChangedAt = now;
      record(ready ? PodEvent.Kind.READY : PodEvent.Kind.NOT_READY, life, now);
    }
  }

  // ---- helpers

  private void record(PodEvent.Kind kind, PodLife life, Instant now) {
    recorder.record(
        new PodEvent(
            now,
            kind,
            life.namespace,
            life.name,
            life.uid,
            image(life.pod),
            life.pod.getMetadata().getLabels()));
  }

  private static Instant earliest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isBefore(b) ? a : b;
  }

  /** The kubelet's view of one pod, by uid. */
  public Optional<String> state(String namespace, String pod) {
    return lives.values().stream()
        .filter(l -> l.namespace.equals(namespace) && l.name.equals(pod))
        .map(l -> l.state.name())
        .findFirst();
  }
}
