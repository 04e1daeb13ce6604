package dev.cinderoperator.sim.cinder;

import static dev.cinderoperator.cinder.CinderBinary.BACKUP;
import static dev.cinderoperator.cinder.CinderBinary.SCHEDULER;
import static dev.cinderoperator.cinder.CinderBinary.VOLUME;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.db.ServiceRegistration;
import dev.cinderoperator.sim.db.SimDatabases;
import dev.cinderoperator.sim.db.SimServicesTable;
import dev.cinderoperator.sim.node.ContainerRuntime;
import dev.cinderoperator.sim.node.PodFacts;
import dev.cinderoperator.sim.node.SignalCommand;
import dev.cinderoperator.workload.Labels;
import dev.cinderoperator.workload.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Cinder as the operator sees it, without Cinder: the image tag names the release; a scheduler,
 * volume or backup pod computes its version pins from the services table (before it writes its own
 * row, as {@code Service.__init__} does), writes and heartbeats its row, and re-computes the pins
 * on SIGHUP; schedulers and backup services place and run backups as Cinder does ({@link
 * SimBackupService}); job pods behave like {@code cinder-manage db sync}, the version probe, {@code
 * cinder-status upgrade check} and {@code cinder-manage db online_data_migrations}, with failures
 * on demand. An image whose tag is no known release (or is {@code broken}) runs but never gets
 * Ready.
 */
public final class SimulatedCinderRuntime implements ContainerRuntime, AutoCloseable {

  /** Images whose repository's last path segment is {@code cinder}. */
  public static final Predicate<String> CINDER_IMAGES =
      image -> "cinder".equals(ImageNames.repositoryName(image));

  private final KubernetesClient client;
  private final SimDatabases databases;
  private final ReleaseCatalog catalog;
  private final SimConfig config;
  private final ServiceHeartbeats heartbeats;
  private final SimBackupService backups;
  private final CinderJobs jobs;
  private final ConfigSecretFiles configFiles;
  private final PinRules pins;
  private final Map<String, CinderProcess> processes = new ConcurrentHashMap<>();
  private final Map<String, String> imageReleases = new ConcurrentHashMap<>();
  private final List<Predicate<Pod>> muted = new CopyOnWriteArrayList<>();
  private final List<Predicate<Pod>> notWorking = new CopyOnWriteArrayList<>();
  private final List<Predicate<Pod>> withoutShellOrPython = new CopyOnWriteArrayList<>();

  public SimulatedCinderRuntime(
      KubernetesClient client, SimDatabases databases, ReleaseCatalog catalog, SimConfig config) {
    this.client = client;
    this.databases = databases;
    this.catalog = catalog;
    this.config = config;
    this.backups = new SimBackupService(databases, config);
    this.configFiles = new ConfigSecretFiles(client);
    this.jobs = new CinderJobs(configFiles, databases);
    this.pins = new PinRules(catalog);
    this.heartbeats = new ServiceHeartbeats(config);
  }

  // ---- knobs

  /** Makes an image carry a release whatever its tag says. */
  public void mapImage(String image, String release) {
    if (catalog.find(release).filter(Release::hasExpectedVersions).isEmpty()) {
      throw new IllegalArgumentException(
          "the simulated Cinder knows no versions of release "
              + release
              + "; series it can run: those in the catalog's table");
    }
    imageReleases.put(image, release);
  }

  /** The next {@code runs} db sync jobs exit 1. */
  public void failDbSync(int runs) {
    jobs.failDbSync(runs);
  }

  /**
   * {@code cinder-status upgrade check} reports a warning (1) or a failure (2) on top of what the
   * configuration gives (0: only that).
   */
  public void upgradeCheckExitCode(int exitCode) {
    jobs.upgradeCheckExitCode(exitCode);
  }

  /**
   * Each cluster's database holds {@code batches} batches for {@code cinder-manage db
   * online_data_migrations --max_count N}: each run migrates one and exits 1 while it migrated
   * something, and the run after the last exits 0 (facts §5.1). The operator's batch loop runs them
   * all in one container.
   */
  public void dataMigrationBatches(int batches) {
    jobs.dataMigrationBatches(batches);
  }

  /** Online data migration jobs keep running (neither finish nor fail) while held. */
  public void holdDataMigrations(boolean hold) {
    jobs.holdDataMigrations(hold);
  }

  /** Online data migrations exit 2 (a migration failed; a person must look). */
  public void failDataMigrations(boolean fail) {
    jobs.failDataMigrations(fail);
  }

  /** The version probe exits 1. */
  public void failVersionProbe(boolean fail) {
    jobs.failVersionProbe(fail);
  }

  /** Matching pods' services run and get Ready but never write or heartbeat their row. */
  public void muteServices(Predicate<Pod> pods) {
    muted.add(pods);
  }

  /**
   * Matching pods' services start, write their row as Cinder's Service.__init__ does (versions,
   * updated_at), and never heartbeat: the manager is not working, e.g. a volume driver that failed
   * to initialise. Applies to processes started from now on.
   */
  public void failDriverInit(Predicate<Pod> pods) {
    notWorking.add(pods);
  }

  /**
   * Matching pods' images have neither a shell nor python3 (nor procps): every command exec'd in
   * them fails, signals too.
   */
  public void withoutShellOrPython(Predicate<Pod> pods) {
    withoutShellOrPython.add(pods);
  }

  public void clearKnobs() {
    muted.clear();
    notWorking.clear();
    withoutShellOrPython.clear();
    jobs.clearKnobs();
  }

  // ---- observations

  /** The release an image carries: its tag as a release name, or a {@link #mapImage} mapping. */
  public Optional<Release> releaseOf(String image) {
    if (image == null) {
      return Optional.empty();
    }
    String mapped = imageReleases.get(image);
    if (mapped != null) {
      return catalog.find(mapped);
    }
    return catalog.find(ImageNames.tagOf(image));
  }

  /** The running process of a pod. */
  public Optional<CinderProcess> process(String namespace, String pod) {
    return processes.values().stream()
        .filter(p -> p.namespace().equals(namespace) && p.pod().equals(pod))
        .findFirst();
  }

  /** Every running process of one CinderCluster. */
  public List<CinderProcess> processes(String namespace, String cluster) {
    List<CinderProcess> result = new ArrayList<>();
    for (CinderProcess p : processes.values()) {
      if (p.namespace().equals(namespace) && cluster.equals(p.cluster())) {
        result.add(p);
      }
    }
    return result;
  }

  // ---- ContainerRuntime

  @Override
  public void start(Pod pod) {
    String component = PodFacts.label(pod, Labels.COMPONENT);
    Optional<Release> release = releaseOf(PodFacts.image(pod));
    if (release.isEmpty() || !PinRules.isLongRunning(component)) {
      // an unknown image runs and never gets Ready; jobs do their work in runJob
      return;
    }
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String cluster = PodFacts.label(pod, Labels.INSTANCE);
    SimServicesTable table = databases.servicesTable(ns, cluster);
    CinderBinary binary = PinRules.binaryOf(component);
    String host = null;
    String clusterName = null;
    if (binary == VOLUME) {
      String backend = PodFacts.label(pod, Labels.BACKEND);
      host = Names.volumeHost(name, backend);
      String configured = configFiles.configuredCluster(ns, cluster, backend);
      clusterName = configured == null ? null : configured + "@" + backend;
    } else if (binary != null) {
      host = name;
    }
    CinderProcess process =
        new CinderProcess(
            ns,
            name,
            pod.getMetadata().getUid(),
            cluster,
            component,
            binary,
            host,
            clusterName,
            release.get(),
            config.clock().instant(),
            !matches(notWorking, pod));
    // the manager (and its RPC clients' pins) comes first, the row second (service.py:151-194)
    List<ServiceRow> rows = table.liveRows();
    for (CinderBinary target : PinRules.clientsOf(component)) {
      process.pin(target, pins.pinFor(target, rows, release.get()));
    }
    for (CinderBinary target : PinRules.clientsOf(component)) {
      process.log(
          "Automatically selected "
              + target
              + " RPC version "
              + process.pins().get(target).rpcVersion()
              + " as minimum service version.");
    }
    if (binary != null && !matches(muted, pod)) {
      ServiceRegistration registration =
          new ServiceRegistration(
              binary.binaryName(),
              host,
              clusterName,
              release.get().rpcVersion(binary),
              release.get().objectVersion());
      heartbeats.register(process, table, registration);
    }
    processes.put(pod.getMetadata().getUid(), process);
    if (binary == SCHEDULER && !matches(muted, pod)) {
      backups.schedulerStarted(process);
    } else if (binary == BACKUP && !matches(muted, pod)) {
      backups.backupStarted(process);
    }
  }

  @Override
  public void stop(Pod pod) {
    CinderProcess process = processes.remove(pod.getMetadata().getUid());
    if (process != null) {
      process.stop();
      if (process.binary().orElse(null) == SCHEDULER) {
        backups.schedulerStopped(process);
      } else if (process.binary().orElse(null) == BACKUP) {
        backups.backupStopped(process);
      }
    }
  }

  @Override
  public boolean ready(Pod pod) {
    if (releaseOf(PodFacts.image(pod)).isEmpty()) {
      return false;
    }
    String component = PodFacts.label(pod, Labels.COMPONENT);
    return !PinRules.isLongRunning(component) || processes.containsKey(pod.getMetadata().getUid());
  }

  @Override
  public void signal(Pod pod, String signal) {
    CinderProcess process = processes.get(pod.getMetadata().getUid());
    if (process == null) {
      throw new IllegalStateException("no Cinder process runs in " + pod.getMetadata().getName());
    }
    if (!"SIGHUP".equals(signal) && !"HUP".equals(signal)) {
      process.log("Caught " + signal);
      return;
    }
    process.log("Caught SIGHUP, reloading configuration");
    process.sighup();
    if (process.binary().isEmpty()) {
      // cinder-api under a WSGI server: its RPC clients keep their caps until a restart
      return;
    }
    process.log("Resetting cached RPC version pins.");
    List<ServiceRow> rows;
    try {
      rows = databases.servicesTable(process.namespace(), process.cluster()).liveRows();
    } catch (DatabaseUnavailableException e) {
      process.log("could not re-read the services table: " + e.getMessage());
      return;
    }
    for (CinderBinary target : PinRules.resetOnSighup(process.component())) {
      process.pin(target, pins.pinFor(target, rows, process.release()));
    }
  }

  /**
   * A command in a Cinder container. The image is minimal: no procps, so {@code kill} as a program
   * is not found; the shell's builtin and Python's {@code os.kill} reach PID 1 (the Cinder process
   * the start script exec'd).
   */
  @Override
  public ExecResult exec(Pod pod, List<String> argv) {
    if (argv.isEmpty()) {
      return new ExecResult(126, "no command");
    }
    String program = argv.get(0);
    boolean bare = matches(withoutShellOrPython, pod);
    if (program.equals("kill") || program.endsWith("/kill") || bare) {
      return new ExecResult(
          127,
          "OCI runtime exec failed: exec failed: unable to start container process: exec: \""
              + program
              + "\": executable file not found in $PATH: unknown");
    }
    Optional<SignalCommand> signal = SignalCommand.parse(argv);
    if (signal.isPresent()) {
      try {
        signal(pod, signal.get().signal());
        return new ExecResult(0, "");
      } catch (RuntimeException e) {
        return new ExecResult(1, e.getMessage());
      }
    }
    if (program.endsWith("sh") && argv.size() == 3 && argv.get(2).strip().equals("kill -0 1")) {
      return new ExecResult(processes.containsKey(pod.getMetadata().getUid()) ? 0 : 1, "");
    }
    return new ExecResult(127, "command not understood by the simulated image: " + argv);
  }

  @Override
  public JobResult runJob(Pod pod) {
    String image = PodFacts.image(pod);
    Optional<Release> release = releaseOf(image);
    if (release.isEmpty()) {
      return new JobResult(1, "image " + image + " carries no known Cinder release");
    }
    return jobs.run(pod, release.get());
  }

  @Override
  public void close() {
    processes.values().forEach(CinderProcess::stop);
    heartbeats.close();
    backups.close();
  }

  /** Where backups go and what becomes of them: placement, queues, restarts, traffic. */
  public SimBackupService backups() {
    return backups;
  }

  private static boolean matches(List<Predicate<Pod>> predicates, Pod pod) {
    return predicates.stream().anyMatch(p -> p.test(pod));
  }
}
