package dev.cinderoperator.realcinder;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.sim.node.ContainerRuntime;
import dev.cinderoperator.sim.node.SecretData;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

  /** Where an imitated release's start-up hook is mounted in its containers. */
  static final String HOOK_PATH = "/run/cinder-imitation";

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

  /** One container this runtime started, kept after it ended (logs for assertions). */
  public static final class Run {
    private final String namespace;
    private final String pod;
    private final String uid;
    private final String image;
    private final String component;
    private final PodContainer container;
    private final Instant startedAt;

    Run(Pod p, String image, String component, PodContainer container, Instant startedAt) {
      this.namespace = p.getMetadata().getNamespace();
      this.pod = p.getMetadata().getName();
      this.uid = p.getMetadata().getUid();
      this.image = image;
      this.component = component;
      this.container = container;
      this.startedAt = startedAt;
    }

    public String namespace() {
      return namespace;
    }

    public String pod() {
      return pod;
    }

    public String uid() {
      return uid;
    }

    public String image() {
      return image;
    }

    public String component() {
      return component;
    }

    public Instant startedAt() {
      return startedAt;
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
      try {
        return Files.exists(log()) ? Files.readString(log()) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    PodContainer container() {
      return container;
    }
  }

  /** A root filesystem an image runs from, and the older release it imitates, if any. */
  private record Image(Path root, ReleaseImitation imitation) {}

  private final KubernetesClient client;
  private final Settings settings;
  private final Map<String, Image> images = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> appendedConfig = new ConcurrentHashMap<>();
  private final Map<String, Run> running = new ConcurrentHashMap<>();
  private final Map<String, Map<Integer, Integer>> ports = new ConcurrentHashMap<>();
  private final HttpProber prober = new HttpProber();
  private final List<Run> history = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> stopping = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<Void>> stoppingByName = new ConcurrentHashMap<>();
  private final AtomicInteger starts = new AtomicInteger();

  public RealCinderRuntime(KubernetesClient client, Settings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** Whether this machine can run containers (root, util-linux, overlayfs). */
  public static Optional<String> unavailableReason() {
    return PodContainer.unavailableReason();
  }

  /** Pods of this image run from {@code root} (a Cinder release's root filesystem). */
  public void image(String image, Path root) {
    if (!Files.isDirectory(root.resolve("usr/lib/python3/dist-packages/cinder"))) {
      throw new IllegalArgumentException(root + " has no Cinder (usr/lib/python3/dist-packages)");
    }
    images.put(image, new Image(root, null));
  }

  /**
   * Pods of this image run from {@code root} imitating an older release (see {@link
   * ReleaseImitation}).
   */
  public void imitate(String image, Path root, Release release) {
    image(image, root);
    images.put(image, new Image(root, new ReleaseImitation(release)));
  }

  /**
   * Containers of this image started from now on read {@code ini} after everything else, e.g. a
   * backend section whose driver cannot initialise (what a target image lacking the driver's
   * dependencies does). Given through oslo.config's environment source ({@code OS_<GROUP>__<OPT>}),
   * which every Cinder service and tool reads after its config files.
   */
  public void appendConfig(String image, String ini) {
    Map<String, String> env = new LinkedHashMap<>();
    dev.cinderoperator.sim.cinder.IniFile.parse(ini)
        .sections()
        .forEach(
            (group, options) ->
                options.forEach(
                    (key, value) ->
                        env.put(
                            "OS_"
                                + group.toUpperCase(java.util.Locale.ROOT)
                                + "__"
                                + key.toUpperCase(java.util.Locale.ROOT),
                            value)));
    appendedConfig.put(image, Map.copyOf(env));
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
    Image image = images.get(c.getImage());
    if (image == null) {
      throw new IllegalStateException(
          "ErrImagePull: " + c.getImage() + " is none of this machine's roots " + images.keySet());
    }
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
    List<PodContainer.Mount> mounts = mounts(pod, c, dir);
    Map<String, String> env = environment(pod, c);
    env.putAll(appendedConfig.getOrDefault(c.getImage(), Map.of()));
    if (image.imitation() != null) {
      mounts.add(new PodContainer.Mount(dir.hook(), HOOK_PATH, true));
      env.putAll(image.imitation().environment(dir.hook(), HOOK_PATH));
    }
    Map<Integer, Integer> podPorts = allocatePorts(c);
    if (!podPorts.isEmpty()) {
      ports.put(uid(pod), podPorts);
      // cinder-api's only port: where it listens stands in for the pod's IP and port
      int port = podPorts.values().iterator().next();
      env.put("OS_DEFAULT__OSAPI_VOLUME_LISTEN", "127.0.0.1");
      env.put("OS_DEFAULT__OSAPI_VOLUME_LISTEN_PORT", Integer.toString(port));
    }
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
    boolean readOnly =
        c.getSecurityContext() != null
            && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
    var container =
        PodContainer.start(
            new PodContainer.Spec(
                image.root(), dir, pod.getMetadata().getName(), readOnly, mounts, env, command));
    Run run = new Run(pod, c.getImage(), label(pod, Labels.COMPONENT), container, Instant.now());
    history.add(run);
    running.put(uid(pod), run);
    httpProbe(pod, c).ifPresent(p -> prober.watch(uid(pod), p, container::alive));
    LOG.info(
        "pod {} runs {} in {} from {}",
        run.pod(),
        String.join(" ", command),
        dir.root(),
        image.root());
  }

  @Override
  public void stop(Pod pod) {
    prober.forget(uid(pod));
    ports.remove(uid(pod));
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
    Map<Integer, Integer> p = ports.get(uid(pod));
    Integer port = p == null ? null : p.get(containerPort);
    return port == null
        ? Optional.empty()
        : Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
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
    String message = read(dir.terminationLog());
    if (message.isEmpty() && exit != 0) {
      String out = read(dir.output());
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

  // ---- the pod's volumes and environment

  private List<PodContainer.Mount> mounts(Pod pod, Container c, PodDirectory dir) {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume v : pod.getSpec().getVolumes()) {
      volumes.put(v.getName(), v);
    }
    List<PodContainer.Mount> mounts = new ArrayList<>();
    for (VolumeMount vm :
        c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      Volume v = volumes.get(vm.getName());
      if (v == null) {
        throw new IllegalStateException(
            "pod " + pod.getMetadata().getName() + " mounts no volume named " + vm.getName());
      }
      Path source = dir.volume(v.getName());
      if (v.getSecret() != null) {
        materializeSecret(pod, v, source);
      } else if (v.getHostPath() != null) {
        // this machine is the node: a hostPath is its own directory, shared by every pod
        source = Path.of(v.getHostPath().getPath());
      } else if (v.getEmptyDir() == null) {
        throw new IllegalStateException(
            "volume " + v.getName() + ": only Secret, hostPath and emptyDir volumes run here");
      }
      if (vm.getSubPath() != null && !vm.getSubPath().isEmpty()) {
        source = source.resolve(vm.getSubPath());
      }
      mounts.add(
          new PodContainer.Mount(source, vm.getMountPath(), Boolean.TRUE.equals(vm.getReadOnly())));
    }
    String terminationPath =
        c.getTerminationMessagePath() == null
            ? "/dev/termination-log"
            : c.getTerminationMessagePath();
    mounts.add(new PodContainer.Mount(dir.terminationLog(), terminationPath, false));
    return mounts;
  }

  private void materializeSecret(Pod pod, Volume v, Path dir) {
    String name = v.getSecret().getSecretName();
    Secret secret =
        client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
    if (secret == null) {
      throw new IllegalStateException(
          "secret " + name + " of pod " + pod.getMetadata().getName() + " does not exist");
    }
    Map<String, String> files = SecretData.decoded(secret);
    List<KeyToPath> items = v.getSecret().getItems();
    if (items == null || items.isEmpty()) {
      files.forEach((k, text) -> write(dir.resolve(k), text));
    } else {
      for (KeyToPath item : items) {
        String text = files.get(item.getKey());
        if (text == null) {
          throw new IllegalStateException("secret " + name + " has no key " + item.getKey());
        }
        write(dir.resolve(item.getPath()), text);
      }
    }
  }

  private static Map<String, String> environment(Pod pod, Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PodContainer.PATH);
    env.put("HOSTNAME", pod.getMetadata().getName());
    env.put("HOME", "/root");
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      if (e.getValue() != null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
        String field = e.getValueFrom().getFieldRef().getFieldPath();
        String value =
            switch (field) {
              case "metadata.name" -> pod.getMetadata().getName();
              case "metadata.namespace" -> pod.getMetadata().getNamespace();
              case "metadata.uid" -> pod.getMetadata().getUid();
              case "status.podIP", "status.hostIP" -> "127.0.0.1";
              default ->
                  throw new IllegalStateException("env " + e.getName() + ": no field " + field);
            };
        env.put(e.getName(), value);
      } else {
        throw new IllegalStateException("env " + e.getName() + ": only values and fieldRefs");
      }
    }
    return env;
  }

  /** A loopback port for every port the container declares. */
  private static Map<Integer, Integer> allocatePorts(Container c) {
    Map<Integer, Integer> result = new LinkedHashMap<>();
    for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        result.put(p.getContainerPort(), s.getLocalPort());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return result;
  }

  /** The container's HTTP readiness probe, aimed at its loopback port. */
  private Optional<HttpProber.Probe> httpProbe(Pod pod, Container c) {
    Probe probe = c.getReadinessProbe();
    if (probe == null || probe.getHttpGet() == null) {
      return Optional.empty();
    }
    HTTPGetAction get = probe.getHttpGet();
    int containerPort = containerPort(c, get.getPort());
    Integer port = ports.getOrDefault(uid(pod), Map.of()).get(containerPort);
    if (port == null) {
      throw new IllegalStateException(
          "pod "
              + pod.getMetadata().getName()
              + " probes port "
              + get.getPort()
              + ", not declared");
    }
    return Optional.of(
        new HttpProber.Probe(
            "http://127.0.0.1:" + port + (get.getPath() == null ? "/" : get.getPath()),
            Duration.ofSeconds(orDefault(probe.getPeriodSeconds(), 10)),
            Duration.ofSeconds(orDefault(probe.getTimeoutSeconds(), 1)),
            orDefault(probe.getFailureThreshold(), 3),
            Duration.ofSeconds(orDefault(probe.getInitialDelaySeconds(), 0))));
  }

  private static int containerPort(Container c, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
      if (port.getStrVal().equals(p.getName())) {
        return p.getContainerPort();
      }
    }
    throw new IllegalStateException("no container port named " + port.getStrVal());
  }

  private static int orDefault(Integer v, int dflt) {
    return v == null ? dflt : v;
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
