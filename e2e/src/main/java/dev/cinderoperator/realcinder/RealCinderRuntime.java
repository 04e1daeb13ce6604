package dev.cinderoperator.realcinder;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.sim.node.ContainerRuntime;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs real Cinder in the pods of the images it knows, each image a root filesystem on this machine
 * (a release built from Debian's archive by {@code scripts/testenv/roots.sh}, or this machine's own
 * root for Debian bookworm's 21.3.1). Every container, services and jobs alike, runs the pod's own
 * command and environment as a container would ({@link Container}): chrooted into an overlay of its
 * image's root, PID 1 of its own PID namespace, the pod's volumes (the config Secret's files, the
 * state and tmp emptyDirs) mounted where the pod spec says, {@code /dev/termination-log} kept for
 * the termination message, stdout and stderr to a file (no terminal, so SIGHUP resets pins).
 *
 * <p>What stands in for the pod network: the host's loopback is shared, so the private MariaDB and
 * RabbitMQ are reached as from the host, and every port a container declares (cinder-api's 8776)
 * gets a loopback port of its own: cinder-api is told to listen there through oslo.config's
 * environment ({@code OS_DEFAULT__OSAPI_VOLUME_LISTEN[_PORT]}), its readiness probe is the pod's
 * real HTTP probe against that port, and {@link #endpoint} hands the port to the simulated Service.
 * Readiness of the other pods is "process alive" (their exec probe checks no more).
 *
 * <p>Stop is SIGTERM to the container's PID 1, SIGKILL after the pod's grace period (at most {@link
 * Settings#maxStopGrace}); a StatefulSet pod's successor of the same name starts only once the old
 * container has ended. Processes run as root (the pods' runAsUser is not applied).
 */
public final class RealCinderRuntime implements ContainerRuntime, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RealCinderRuntime.class);

  /**
   * Machine-local settings.
   *
   * @param workDir where the pods' directories go
   * @param maxStopGrace cap on the pod's termination grace period before SIGKILL
   * @param jobTimeout a job still running after this is killed (exit 137)
   */
  public record Settings(Path workDir, Duration maxStopGrace, Duration jobTimeout) {
    public static Settings in(Path workDir) {
      return new Settings(workDir, Duration.ofSeconds(15), Duration.ofMinutes(3));
    }
  }

  /**
   * One container this runtime started, kept after it ended (logs for assertions).
   *
   * @param component the pod's {@code app.kubernetes.io/component} label, or null
   */
  public record Run(
      String namespace,
      String pod,
      String uid,
      String image,
      String component,
      Instant startedAt,
      PodContainer container) {
    static Run of(Pod p, String image, String component, PodContainer container) {
      ObjectMeta m = p.getMetadata();
      return new Run(
          m.getNamespace(), m.getName(), m.getUid(), image, component, Instant.now(), container);
    }

    /** The pod's directory (volumes, output, termination message). */
    public Path directory() {
      return container.dir().root();
    }

    /** The container's output: Cinder logs to stderr, as in a pod ({@code kubectl logs}). */
    public Path log() {
      return container.dir().output();
    }

    /** The unshare process that holds the container's namespaces; it ends with the container. */
    public Process process() {
      return container.process();
    }

    /** The container's PID 1 as this machine sees it. */
    public long pid() {
      return container.initPid();
    }

    /** Cinder's log so far (empty when it wrote none yet). */
    public String logText() {
      return container.dir().outputText();
    }
  }

  private final Settings settings;
  private final ImageRoots images = new ImageRoots();
  private final PodVolumes volumes;
  private final PodPorts ports = new PodPorts();
  private final Map<String, Run> running = new ConcurrentHashMap<>();
  private final HttpProber prober = new HttpProber();
  private final List<Run> history = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> stopping = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<Void>> stoppingByName = new ConcurrentHashMap<>();
  private final AtomicInteger starts = new AtomicInteger();

  public RealCinderRuntime(KubernetesClient client, Settings settings) {
    this.volumes = new PodVolumes(client);
    this.settings = settings;
  }

  /** Whether this machine can run containers (root, util-linux, overlayfs). */
  public static Optional<String> unavailableReason() {
    return PodContainer.unavailableReason();
  }

  /** Pods of this image run from {@code root} (a Cinder release's root filesystem). */
  public void image(String image, Path root) {
    images.add(image, root);
  }

  /**
   * Pods of this image run from {@code root} imitating an older release (see {@link
   * ReleaseImitation}).
   */
  public void imitate(String image, Path root, Release release) {
    images.imitate(image, root, release);
  }

  /**
   * Containers of this image started from now on read {@code ini} after everything else, e.g. a
   * backend section whose driver cannot initialise (what a target image lacking the driver's
   * dependencies does). Given through oslo.config's environment source ({@code OS_<GROUP>__<OPT>}),
   * which every Cinder service and tool reads after its config files.
   */
  public void appendConfig(String image, String ini) {
    images.appendConfig(image, ini);
  }

  /** Every container started so far, oldest first. */
  public List<Run> runs() {
    return List.copyOf(history);
  }

  /** The containers started for one pod name (a StatefulSet's pod name is reused), oldest first. */
  public List<Run> runs(String namespace, String pod) {
    return history.stream()
        .filter(r -> r.namespace().equals(namespace) && r.pod().equals(pod))
        .toList();
  }

  // ---- ContainerRuntime

  @Override
  public void start(Pod pod) {
    Container c = container(pod);
    Path root = images.root(c.getImage());
    // a StatefulSet's next pod of the same name starts only once the old container is gone
    CompletableFuture<Void> previous = stoppingByName.remove(nameOf(pod));
    if (previous != null) {
      previous.join();
    }
    PodDirectory dir =
        PodDirectory.create(
            settings
                .workDir()
                .resolve(pod.getMetadata().getNamespace())
                .resolve(pod.getMetadata().getName() + "-" + starts.incrementAndGet()));
    List<PodContainer.Mount> mounts = volumes.mounts(pod, c, dir);
    Map<String, String> env = PodEnvironment.of(pod, c);
    images.addTo(c.getImage(), dir, mounts, env);
    env.putAll(ports.allocate(pod, c));
    List<String> command = command(c);
    boolean readOnly =
        c.getSecurityContext() != null
            && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
    var container =
        PodContainer.start(
            new PodContainer.Spec(
                root, dir, pod.getMetadata().getName(), readOnly, mounts, env, command));
    Run run = Run.of(pod, c.getImage(), label(pod, Labels.COMPONENT), container);
    history.add(run);
    running.put(uid(pod), run);
    ports.readinessProbe(pod, c).ifPresent(p -> prober.watch(uid(pod), p, container::alive));
    LOG.info(
        "pod {} runs {} in {} from {}", run.pod(), String.join(" ", command), dir.root(), root);
  }

  private static List<String> command(Container c) {
    List<String> command = new ArrayList<>();
    if (c.getCommand() != null) {
      command.addAll(c.getCommand());
    }
    if (c.getArgs() != null) {
      command.addAll(c.getArgs());
    }
    if (command.isEmpty()) {
      throw new IllegalStateException("container " + c.getName() + " has no command");
    }
    return command;
  }

  @Override
  public void stop(Pod pod) {
    prober.forget(uid(pod));
    ports.release(pod);
    Run run = running.remove(uid(pod));
    if (run == null) {
      return;
    }
    Long podGrace = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
    Duration grace = settings.maxStopGrace();
    if (podGrace != null && Duration.ofSeconds(podGrace).compareTo(grace) < 0) {
      grace = Duration.ofSeconds(podGrace);
    }
    Duration g = grace;
    CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> run.container().stop(g));
    stopping.add(stop);
    stoppingByName.put(nameOf(pod), stop);
  }

  @Override
  public boolean stopped(Pod pod) {
    // the kubelet asks before the name may be reused, so the entry by name is this pod's stop
    CompletableFuture<Void> stop = stoppingByName.get(nameOf(pod));
    return stop == null || stop.isDone();
  }

  private static String nameOf(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  @Override
  public boolean ready(Pod pod) {
    Run run = running.get(uid(pod));
    if (run == null || !run.container().alive()) {
      return false;
    }
    return prober.ready(uid(pod)).orElse(true);
  }

  @Override
  public Optional<InetSocketAddress> endpoint(Pod pod, int containerPort) {
    return ports.endpoint(pod, containerPort);
  }

  @Override
  public void signal(Pod pod, String signal) {
    Run run = running.get(uid(pod));
    if (run == null || !run.container().alive()) {
      throw new IllegalStateException("no container runs in " + pod.getMetadata().getName());
    }
    run.container().signal(signal);
  }

  /**
   * Runs a command inside the pod's container, as {@code kubectl exec} does.
   *
   * @throws IllegalStateException when no container of the pod runs
   */
  @Override
  public ExecResult exec(Pod pod, List<String> argv) {
    Run run = running.get(uid(pod));
    if (run == null || !run.container().alive()) {
      throw new IllegalStateException("no container runs in " + pod.getMetadata().getName());
    }
    var outcome = run.container().exec(argv, Duration.ofSeconds(30));
    return new ExecResult(outcome.exitCode(), outcome.output());
  }

  /**
   * Waits for the job's container and returns its exit code and termination message: what it wrote
   * to the termination log, else (on failure) the tail of its output, as {@code
   * FallbackToLogsOnError} does.
   */
  @Override
  public JobResult runJob(Pod pod) {
    Run run = running.remove(uid(pod));
    if (run == null) {
      return new JobResult(1, "the job's container never started");
    }
    int exit;
    try {
      exit = run.container().waitFor(settings.jobTimeout());
    } catch (TimeoutException e) {
      run.container().stop(Duration.ZERO);
      return new JobResult(137, "killed after " + settings.jobTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      run.container().stop(Duration.ZERO);
      return new JobResult(137, "interrupted");
    }
    PodDirectory dir = run.container().dir();
    String message = dir.terminationMessage();
    if (message.isEmpty() && exit != 0) {
      String out = dir.outputText();
      message = out.substring(Math.max(0, out.length() - 2048));
    }
    return new JobResult(exit, message);
  }

  /** Stops every container still running and waits for all stops. */
  @Override
  public void close() {
    prober.close();
    for (String uid : List.copyOf(running.keySet())) {
      Run run = running.remove(uid);
      if (run != null) {
        stopping.add(
            CompletableFuture.runAsync(() -> run.container().stop(settings.maxStopGrace())));
      }
    }
    CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
  }

  // ---- pods

  private static Container container(Pod pod) {
    return pod.getSpec().getContainers().get(0);
  }

  private static String uid(Pod pod) {
    return pod.getMetadata().getUid();
  }

  private static String label(Pod pod, String key) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  /** The services binary a component runs (for callers mapping pods to rows). */
  public static Optional<CinderBinary> binaryOf(String component) {
    if (Component.SCHEDULER.label().equals(component)) {
      return Optional.of(CinderBinary.SCHEDULER);
    }
    if (Component.VOLUME.label().equals(component)) {
      return Optional.of(CinderBinary.VOLUME);
    }
    if (Component.BACKUP.label().equals(component)) {
      return Optional.of(CinderBinary.BACKUP);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "real Cinder in " + settings.workDir() + " (" + running.size() + " running)";
  }
}
