package dev.cinderoperator.sim.real;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.sim.ContainerRuntime;
import dev.cinderoperator.sim.SecretData;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Debian's real Cinder for the pods of a cinder image: a scheduler, volume or backup pod runs
 * its component's binary as a local process with the pod's own command line and the cluster's
 * config Secret materialized under a per-pod directory; job pods run the real {@code cinder-manage}
 * and {@code cinder-status} and the operator's version probe under {@code /usr/bin/python3}.
 * cinder-api is not run: its pods are plain processes that are Ready at once (they write no
 * services row; the operator only restarts them).
 *
 * <p>What differs from a pod, on purpose: the container's {@code /etc/cinder-operator} and {@code
 * /var/lib/cinder} map to the pod's directory; one more config file sets state, lock and log paths
 * there, the POSIX backup path, a 1 s heartbeat and a short scheduler start wait and shutdown. The
 * processes run as this user (root), with stdout and stderr to a file (no terminal, so SIGHUP
 * resets the version pins). Stop is SIGTERM, then SIGKILL to the process and its children after the
 * grace period; every process is stopped by its PID.
 */
public final class RealCinderRuntime implements ContainerRuntime, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RealCinderRuntime.class);
  private static final Set<String> SERVICES =
      Set.of("cinder-scheduler", "cinder-volume", "cinder-backup");

  /**
   * Machine-local settings.
   *
   * @param workDir where the pods' directories go
   * @param maxStopGrace cap on the pod's termination grace period before SIGKILL
   * @param reportInterval Cinder's report_interval, seconds
   * @param serviceDownTime Cinder's service_down_time, seconds
   * @param jobTimeout a job still running after this is killed (exit 137)
   */
  public record Settings(
      Path workDir,
      Duration maxStopGrace,
      int reportInterval,
      int serviceDownTime,
      Duration jobTimeout) {
    public static Settings in(Path workDir) {
      return new Settings(workDir, Duration.ofSeconds(15), 1, 10, Duration.ofMinutes(3));
    }
  }

  /** One process this runtime started, kept after it ended (logs for assertions). */
  public record Run(
      String namespace,
      String pod,
      String uid,
      String image,
      String component,
      Path directory,
      Path log,
      Process process,
      Instant startedAt) {
    public long pid() {
      return process.pid();
    }

    /** Cinder's log so far (empty when it wrote none yet). */
    public String logText() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final KubernetesClient client;
  private final Settings settings;
  private final Map<String, ReleaseImitation> imitations = new ConcurrentHashMap<>();
  private final Map<String, Run> running = new ConcurrentHashMap<>();
  private final Set<String> apiPods = ConcurrentHashMap.newKeySet();
  private final List<Run> history = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> stopping = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<Void>> stoppingByName = new ConcurrentHashMap<>();
  private final AtomicInteger starts = new AtomicInteger();

  public RealCinderRuntime(KubernetesClient client, Settings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** Whether this machine can run Debian's Cinder services and tools. */
  public static Optional<String> unavailableReason() {
    for (String tool :
        List.of(
            "cinder-scheduler",
            "cinder-volume",
            "cinder-backup",
            "cinder-manage",
            "cinder-status")) {
      if (!Files.isExecutable(Path.of("/usr/bin", tool))) {
        return Optional.of(
            "no /usr/bin/"
                + tool
                + " (apt-get install cinder-scheduler cinder-volume cinder-backup cinder-api)");
      }
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("not root (Cinder's services need it)");
    }
    return Optional.empty();
  }

  /**
   * Pods of this image run the installed code imitating an older release (see {@link
   * ReleaseImitation}).
   */
  public void imitate(String image, Release release) {
    imitations.put(image, new ReleaseImitation(release));
  }

  /** Every process started so far, oldest first. */
  public List<Run> runs() {
    return List.copyOf(history);
  }

  /** The processes started for one pod name (a StatefulSet's pod name is reused), oldest first. */
  public List<Run> runs(String namespace, String pod) {
    return history.stream()
        .filter(r -> r.namespace().equals(namespace) && r.pod().equals(pod))
        .toList();
  }

  // ---- ContainerRuntime

  @Override
  public void start(Pod pod) {
    String component = label(pod, Labels.COMPONENT);
    if (Component.API.label().equals(component)) {
      apiPods.add(uid(pod));
      return;
    }
    // a StatefulSet's next pod of the same name starts only once the old process is gone
    CompletableFuture<Void> previous =
        stoppingByName.remove(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
    if (previous != null) {
      previous.join();
    }
    boolean job = isJob(pod);
    List<String> command = container(pod).getCommand();
    String binary = PodCommand.execArgv(command).get(0);
    if (!job && !SERVICES.contains(binary)) {
      throw new IllegalStateException(
          "pod " + pod.getMetadata().getName() + " runs " + binary + ", not a Cinder service");
    }
    PodDirectory dir =
        PodDirectory.create(
            settings
                .workDir()
                .resolve(pod.getMetadata().getNamespace())
                .resolve(pod.getMetadata().getName() + "-" + starts.incrementAndGet()));
    materializeConfig(pod, dir);
    writeThisMachineConf(dir);
    if (!job) {
      write(
          dir.state().resolve("host.conf"),
          "[DEFAULT]\nhost = " + pod.getMetadata().getName() + "\n");
    }
    boolean takesConfig = binary.startsWith("cinder-");
    List<String> argv =
        PodCommand.forThisMachine(command, dir, takesConfig ? dir.localConf() : null);
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(dir.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.output().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    ReleaseImitation imitation = imitations.get(image(pod));
    if (imitation != null) {
      pb.environment().putAll(imitation.environment(dir.hook()));
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + argv.get(0) + ": " + e.getMessage(), e);
    }
    Run run =
        new Run(
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            uid(pod),
            image(pod),
            component,
            dir.root(),
            dir.log(),
            process,
            Instant.now());
    history.add(run);
    running.put(uid(pod), run);
    LOG.info(
        "pod {} runs {} (PID {}) in {}", run.pod(), String.join(" ", argv), run.pid(), dir.root());
  }

  @Override
  public void stop(Pod pod) {
    apiPods.remove(uid(pod));
    Run run = running.remove(uid(pod));
    if (run == null) {
      return;
    }
    Long podGrace = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
    Duration grace = settings.maxStopGrace();
    if (podGrace != null && Duration.ofSeconds(podGrace).compareTo(grace) < 0) {
      grace = Duration.ofSeconds(podGrace);
    }
    CompletableFuture<Void> stop = CompletableFuture.runAsync(stopper(run, grace));
    stopping.add(stop);
    stoppingByName.put(run.namespace() + "/" + run.pod(), stop);
  }

  private static Runnable stopper(Run run, Duration grace) {
    return () -> {
      Process p = run.process();
      List<ProcessHandle> children = p.descendants().toList();
      p.destroy(); // SIGTERM to the PID we started; oslo.service forwards it to its workers
      try {
        if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("pod {}: PID {} outlived its grace period; SIGKILL", run.pod(), p.pid());
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      // privsep helpers and workers the parent left behind, by the PIDs we saw
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    };
  }

  @Override
  public boolean ready(Pod pod) {
    if (apiPods.contains(uid(pod))) {
      return true;
    }
    Run run = running.get(uid(pod));
    return run != null && run.process().isAlive();
  }

  @Override
  public void signal(Pod pod, String signal) {
    if (apiPods.contains(uid(pod))) {
      return; // the API is not run here; the operator restarts API pods rather than signal them
    }
    Run run = running.get(uid(pod));
    if (run == null || !run.process().isAlive()) {
      throw new IllegalStateException("no Cinder process runs in " + pod.getMetadata().getName());
    }
    String name = signal.startsWith("SIG") ? signal.substring(3) : signal;
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(run.pid())).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + run.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Waits for the job's tool and returns its exit code and termination message: what it wrote to
   * the termination log, else (on failure) the tail of its output, as {@code FallbackToLogsOnError}
   * does.
   */
  @Override
  public JobResult runJob(Pod pod) {
    Run run = running.remove(uid(pod));
    if (run == null) {
      return new JobResult(1, "the job's container never started");
    }
    Process p = run.process();
    try {
      if (!p.waitFor(settings.jobTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        stopper(run, Duration.ZERO).run();
        return new JobResult(137, "killed after " + settings.jobTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopper(run, Duration.ZERO).run();
      return new JobResult(137, "interrupted");
    }
    PodDirectory dir = new PodDirectory(run.directory());
    String message = read(dir.terminationLog());
    if (message.isEmpty() && p.exitValue() != 0) {
      String out = read(dir.output());
      message = out.substring(Math.max(0, out.length() - 2048));
    }
    return new JobResult(p.exitValue(), message);
  }

  /** Stops every process still running and waits for all stops; by PID only. */
  @Override
  public void close() {
    for (String uid : List.copyOf(running.keySet())) {
      Run run = running.remove(uid);
      if (run != null) {
        stopping.add(CompletableFuture.runAsync(stopper(run, settings.maxStopGrace())));
      }
    }
    apiPods.clear();
    CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
  }

  // ---- files

  private void materializeConfig(Pod pod, PodDirectory dir) {
    for (Volume v : pod.getSpec().getVolumes()) {
      if (v.getSecret() == null) {
        continue;
      }
      Secret secret =
          client
              .secrets()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(v.getSecret().getSecretName())
              .get();
      if (secret == null) {
        throw new IllegalStateException(
            "secret "
                + v.getSecret().getSecretName()
                + " of pod "
                + pod.getMetadata().getName()
                + " does not exist");
      }
      Map<String, String> files = SecretData.decoded(secret);
      List<KeyToPath> items = v.getSecret().getItems();
      if (items == null || items.isEmpty()) {
        files.forEach((k, text) -> write(dir.etc().resolve(k), text));
      } else {
        for (KeyToPath item : items) {
          String text = files.get(item.getKey());
          if (text == null) {
            throw new IllegalStateException(
                "secret " + v.getSecret().getSecretName() + " has no key " + item.getKey());
          }
          write(dir.etc().resolve(item.getPath()), text);
        }
      }
    }
  }

  /** What must differ on this machine, read last so it wins. */
  private void writeThisMachineConf(PodDirectory dir) {
    String text =
        String.join(
            "\n",
            "[DEFAULT]",
            "state_path = " + dir.state(),
            "log_file = " + dir.log(),
            "use_stderr = false",
            "debug = false",
            "report_interval = " + settings.reportInterval(),
            "service_down_time = " + settings.serviceDownTime(),
            "periodic_interval = 5",
            "periodic_fuzzy_delay = 0",
            "scheduler_driver_init_wait_time = 2",
            "graceful_shutdown_timeout = 5",
            "backup_posix_path = " + dir.backups(),
            "[oslo_concurrency]",
            "lock_path = " + dir.state().resolve("tmp"),
            "");
    write(dir.localConf(), text);
  }

  private static void write(Path file, String text) {
    try {
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

  private static String image(Pod pod) {
    return container(pod).getImage();
  }

  private static String uid(Pod pod) {
    return pod.getMetadata().getUid();
  }

  private static String label(Pod pod, String key) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  private static boolean isJob(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    if (owners != null && owners.stream().anyMatch(o -> "Job".equals(o.getKind()))) {
      return true;
    }
    String policy = pod.getSpec() == null ? null : pod.getSpec().getRestartPolicy();
    return "Never".equals(policy) || "OnFailure".equals(policy);
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
