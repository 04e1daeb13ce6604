package dev.cinderoperator.sim.node;

import static dev.cinderoperator.sim.node.PodFacts.cluster;
import static dev.cinderoperator.sim.node.PodFacts.image;
import static dev.cinderoperator.sim.node.PodFacts.isJob;
import static dev.cinderoperator.sim.node.PodFacts.jobName;
import static dev.cinderoperator.sim.node.PodFacts.label;

import dev.cinderoperator.kube.PodExec;
import dev.cinderoperator.kube.PodSignaller;
import dev.cinderoperator.sim.KubeTime;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.events.SimEvent.JobRunEvent;
import dev.cinderoperator.sim.events.SimEvent.PodEvent;
import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import dev.cinderoperator.sim.events.SimEventLog;
import dev.cinderoperator.sim.informers.ControlLoop;
import dev.cinderoperator.sim.informers.SimCaches;
import dev.cinderoperator.sim.node.ContainerRuntime.JobResult;
import dev.cinderoperator.workload.Labels;
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
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
  private static final String NODE_IP = "10.0.0.10";

  private final KubernetesClient client;
  private final SimConfig config;
  private final SimEventLog recorder;
  private final PodTerminations terminations;
  private final SimCaches caches;
  private final Map<String, PodLife> lives = new ConcurrentHashMap<>();
  private final List<Map.Entry<Predicate<String>, ContainerRuntime>> runtimes =
      new CopyOnWriteArrayList<>();
  private final ContainerRuntime fallbackRuntime = new GenericRuntime();
  private final List<Map.Entry<Predicate<Pod>, Duration>> startDelays =
      new CopyOnWriteArrayList<>();
  private final List<Predicate<Pod>> withheldReadiness = new CopyOnWriteArrayList<>();
  private final List<Predicate<Pod>> crashLoops = new CopyOnWriteArrayList<>();
  private final Set<String> restartRequests = ConcurrentHashMap.newKeySet();
  private int podIpCounter = 2;

  public Kubelet(
      KubernetesClient client,
      SimConfig config,
      SimEventLog recorder,
      PodTerminations terminations,
      SimCaches caches) {
    super("kubelet", config.resyncInterval());
    this.caches = caches;
    this.client = client;
    this.config = config;
    this.recorder = recorder;
    this.terminations = terminations;
  }

  // ---- knobs

  /** Runs containers whose image matches with the runtime (later registrations win). */
  public void useRuntime(Predicate<String> image, ContainerRuntime runtime) {
    runtimes.add(0, Map.entry(image, runtime));
  }

  /** Pods matching start after this delay instead of the configured one (later ones win). */
  public void startDelay(Predicate<Pod> pods, Duration delay) {
    startDelays.add(0, Map.entry(pods, delay));
  }

  /** Matching pods run but never pass their readiness probe, until {@link #clearKnobs()}. */
  public void withholdReadiness(Predicate<Pod> pods) {
    withheldReadiness.add(pods);
    wake();
  }

  /** Matching pods' containers exit right after they start and wait in CrashLoopBackOff. */
  public void crashLoop(Predicate<Pod> pods) {
    crashLoops.add(pods);
    wake();
  }

  /**
   * Restarts the container of one pod once (restartCount goes up, the pod is briefly not Ready).
   */
  public void restartContainer(String namespace, String pod) {
    restartRequests.add(namespace + "/" + pod);
    wake();
  }

  /** Drops every start delay, withheld readiness and crash loop set so far. */
  public void clearKnobs() {
    startDelays.clear();
    withheldReadiness.clear();
    crashLoops.clear();
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
    PodLife life = findRunning(namespace, pod);
    if (life == null) {
      recorder.record(
          new SignalEvent(config.clock().instant(), namespace, null, pod, signal, false));
      throw new PodSignaller.SignalFailedException(
          "pod " + namespace + "/" + pod + " has no running container to signal", null);
    }
    try {
      runtimeFor(life.pod).signal(life.pod, signal);
    } catch (RuntimeException e) {
      recorder.record(
          new SignalEvent(
              config.clock().instant(), namespace, cluster(life.pod), pod, signal, false));
      throw new PodSignaller.SignalFailedException(
          "signal " + signal + " to pod " + namespace + "/" + pod + " failed: " + e.getMessage(),
          e);
    }
    recorder.record(
        new SignalEvent(config.clock().instant(), namespace, cluster(life.pod), pod, signal, true));
  }

  /** Where a running pod's declared port is reached on this machine, if its runtime serves it. */
  public Optional<java.net.InetSocketAddress> endpoint(Pod pod, int containerPort) {
    return runtimeFor(pod).endpoint(pod, containerPort);
  }

  /**
   * Runs a command in a running pod's main container, as {@code kubectl exec} does; a command that
   * signals PID 1 ({@link SignalCommand}) is recorded as a {@link SignalEvent}, delivered when it
   * exited 0.
   *
   * @throws IllegalStateException when the pod has no running container
   */
  public ContainerRuntime.ExecResult exec(String namespace, String pod, List<String> argv) {
    Optional<SignalCommand> signal = SignalCommand.parse(argv);
    PodLife life = findRunning(namespace, pod);
    if (life == null) {
      signal.ifPresent(
          s ->
              recorder.record(
                  new SignalEvent(
                      config.clock().instant(), namespace, null, pod, s.signal(), false)));
      throw new IllegalStateException(
          "pod " + namespace + "/" + pod + " has no running container to exec in");
    }
    ContainerRuntime.ExecResult result;
    try {
      result = runtimeFor(life.pod).exec(life.pod, List.copyOf(argv));
    } catch (RuntimeException e) {
      result = new ContainerRuntime.ExecResult(126, e.getMessage());
    }
    ContainerRuntime.ExecResult r = result;
    signal.ifPresent(
        s ->
            recorder.record(
                new SignalEvent(
                    config.clock().instant(),
                    namespace,
                    cluster(life.pod),
                    pod,
                    s.signal(),
                    r.exitCode() == 0)));
    return result;
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
        if (!now.isBefore(life.goneAt)) {
          lives.remove(life.uid);
          terminations.gone(life.uid);
          record(PodEvent.Kind.GONE, life, now);
        } else {
          next = earliest(next, life.goneAt);
        }
      }
    }
    for (Pod pod : mine) {
      String uid = pod.getMetadata().getUid();
      PodLife life = lives.get(uid);
      if (life == null) {
        life = new PodLife(pod, now, now.plus(startDelay(pod)), "10.244.0." + podIpCounter++);
        lives.put(uid, life);
        record(PodEvent.Kind.CREATED, life, now);
      }
      life.pod = pod;
      try {
        step(life, now);
        writeStatus(life);
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
    if (restartRequests.remove(life.namespace + "/" + life.name) && life.state == State.RUNNING) {
      stopQuietly(life);
      life.lastState = terminated(137, "Error", "restarted on request", life.startedAt, now);
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
        } else if (matches(crashLoops, pod)) {
          crash(life, now, "container exited (crash loop on demand)");
        } else {
          boolean ready =
              !now.isBefore(life.readyAfter)
                  && !matches(withheldReadiness, pod)
                  && runtimeFor(pod).ready(pod);
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
      runtimeFor(pod).start(pod);
    } catch (RuntimeException e) {
      if (isJob(pod)) {
        life.startedAt = now;
        completeJob(life, now, new JobResult(1, "container failed to start: " + e.getMessage()));
      } else {
        if (restart) {
          life.restartCount++;
        }
        life.lastState = terminated(1, "Error", e.getMessage(), now, now);
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
    life.lastState = terminated(1, "Error", reason, life.startedAt, now);
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
      result = runtimeFor(life.pod).runJob(life.pod);
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
      runtimeFor(life.pod).stop(life.pod);
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

  // ---- status

  private void writeStatus(PodLife life) {
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

  /** Everything {@link #statusOf} reads that can change (the pod's spec changes its version). */
  private record StatusInputs(
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

  private static ContainerState terminated(
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

  // ---- helpers

  private ContainerRuntime runtimeFor(Pod pod) {
    String image = image(pod);
    for (Map.Entry<Predicate<String>, ContainerRuntime> e : runtimes) {
      if (image != null && e.getKey().test(image)) {
        return e.getValue();
      }
    }
    return fallbackRuntime;
  }

  private Duration startDelay(Pod pod) {
    for (Map.Entry<Predicate<Pod>, Duration> e : startDelays) {
      if (e.getKey().test(pod)) {
        return e.getValue();
      }
    }
    return config.podStartDelay();
  }

  private static boolean matches(List<Predicate<Pod>> predicates, Pod pod) {
    for (Predicate<Pod> p : predicates) {
      if (p.test(pod)) {
        return true;
      }
    }
    return false;
  }

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

  private enum State {
    PENDING,
    RUNNING,
    BACK_OFF,
    TERMINATED,
    TERMINATING
  }

  private static final class PodLife {
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
        case RUNNING ->
            isJob(pod) ? startedAt.plus(config.jobRunTime()) : ready ? null : readyAfter;
        case TERMINATED -> null;
        case TERMINATING -> goneAt;
      };
    }
  }
}
