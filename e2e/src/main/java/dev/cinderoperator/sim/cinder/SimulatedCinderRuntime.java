package dev.cinderoperator.sim.cinder;

import static dev.cinderoperator.cinder.CinderBinary.BACKUP;
import static dev.cinderoperator.cinder.CinderBinary.SCHEDULER;
import static dev.cinderoperator.cinder.CinderBinary.VOLUME;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.DottedVersion;
import dev.cinderoperator.cinder.OnlineMigrationReport;
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
import dev.cinderoperator.sim.node.SecretData;
import dev.cinderoperator.sim.node.SignalCommand;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import dev.cinderoperator.workload.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
      image -> "cinder".equals(repositoryName(image));

  private static final Set<CinderBinary> ALL = EnumSet.allOf(CinderBinary.class);

  private final KubernetesClient client;
  private final SimDatabases databases;
  private final ReleaseCatalog catalog;
  private final SimConfig config;
  private final ScheduledExecutorService heartbeats;
  private final SimBackupService backups;
  private final Map<String, CinderProcess> processes = new ConcurrentHashMap<>();
  private final Map<String, String> imageReleases = new ConcurrentHashMap<>();
  private final List<Predicate<Pod>> muted = new CopyOnWriteArrayList<>();
  private final List<Predicate<Pod>> notWorking = new CopyOnWriteArrayList<>();
  private final List<Predicate<Pod>> withoutShellOrPython = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> dataMigrationBatchesRun = new ConcurrentHashMap<>();
  private final AtomicInteger dbSyncFailures = new AtomicInteger();
  private volatile int upgradeCheckExitCode;
  private volatile int dataMigrationBatches;
  private volatile boolean holdDataMigrations;
  private volatile boolean dataMigrationsFail;
  private volatile boolean versionProbeFails;

  public SimulatedCinderRuntime(
      KubernetesClient client, SimDatabases databases, ReleaseCatalog catalog, SimConfig config) {
    this.client = client;
    this.databases = databases;
    this.catalog = catalog;
    this.config = config;
    this.backups = new SimBackupService(databases, config);
    this.heartbeats =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "sim-cinder-heartbeats");
              t.setDaemon(true);
              return t;
            });
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
    dbSyncFailures.set(runs);
  }

  /**
   * {@code cinder-status upgrade check} reports a warning (1) or a failure (2) on top of what the
   * configuration gives (0: only that).
   */
  public void upgradeCheckExitCode(int exitCode) {
    upgradeCheckExitCode = exitCode;
  }

  /**
   * Each cluster's database holds {@code batches} batches for {@code cinder-manage db
   * online_data_migrations --max_count N}: each run migrates one and exits 1 while it migrated
   * something, and the run after the last exits 0 (facts §5.1). The operator's batch loop runs them
   * all in one container.
   */
  public void dataMigrationBatches(int batches) {
    dataMigrationBatches = batches;
  }

  /** Online data migration jobs keep running (neither finish nor fail) while held. */
  public void holdDataMigrations(boolean hold) {
    holdDataMigrations = hold;
  }

  /** Online data migrations exit 2 (a migration failed; a person must look). */
  public void failDataMigrations(boolean fail) {
    dataMigrationsFail = fail;
  }

  /** The version probe exits 1. */
  public void failVersionProbe(boolean fail) {
    versionProbeFails = fail;
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
    dbSyncFailures.set(0);
    upgradeCheckExitCode = 0;
    dataMigrationBatches = 0;
    holdDataMigrations = false;
    dataMigrationsFail = false;
    versionProbeFails = false;
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
    return catalog.find(tagOf(image));
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
    if (release.isEmpty() || !isLongRunning(component)) {
      // an unknown image runs and never gets Ready; jobs do their work in runJob
      return;
    }
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String cluster = PodFacts.label(pod, Labels.INSTANCE);
    SimServicesTable table = databases.servicesTable(ns, cluster);
    CinderBinary binary = binaryOf(component);
    String host = null;
    String clusterName = null;
    if (binary == VOLUME) {
      String backend = PodFacts.label(pod, Labels.BACKEND);
      host = Names.volumeHost(name, backend);
      String configured = configuredCluster(ns, cluster, backend);
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
    for (CinderBinary target : clientsOf(component)) {
      process.pin(target, pinFor(target, rows, release.get()));
    }
    for (CinderBinary target : clientsOf(component)) {
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
      process.row(table.register(registration));
      long period = config.reportInterval().toMillis();
      process.heartbeat(
          heartbeats.scheduleWithFixedDelay(
              () -> heartbeat(process, table, registration),
              period,
              period,
              TimeUnit.MILLISECONDS));
    }
    processes.put(pod.getMetadata().getUid(), process);
    if (binary == SCHEDULER && !matches(muted, pod)) {
      backups.schedulerStarted(process);
    } else if (binary == BACKUP && !matches(muted, pod)) {
      backups.backupStarted(process);
    }
  }

  private void heartbeat(
      CinderProcess process, SimServicesTable table, ServiceRegistration registration) {
    if (!process.running()) {
      return;
    }
    if (!process.working()) {
      // report_state (service.py): no heartbeat while the manager is not working
      process.log(
          "Manager for service "
              + registration.binary()
              + " "
              + registration.host()
              + " is reporting problems, not sending heartbeat. Service will appear \"down\".");
      return;
    }
    try {
      ServiceRow row = process.row();
      process.row(table.heartbeat(row.id(), registration));
    } catch (DatabaseUnavailableException e) {
      // Cinder logs the error and keeps running; its row goes stale
    } catch (RuntimeException e) {
      process.log("report_state failed: " + e.getMessage());
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
    return !isLongRunning(component) || processes.containsKey(pod.getMetadata().getUid());
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
    for (CinderBinary target : resetOnSighup(process.component())) {
      process.pin(target, pinFor(target, rows, process.release()));
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
    String component = PodFacts.label(pod, Labels.COMPONENT);
    String image = PodFacts.image(pod);
    Optional<Release> release = releaseOf(image);
    if (release.isEmpty()) {
      return new JobResult(1, "image " + image + " carries no known Cinder release");
    }
    String ns = pod.getMetadata().getNamespace();
    String cluster = PodFacts.label(pod, Labels.INSTANCE);
    if (Component.DB_SYNC.label().equals(component)) {
      if (databaseDown(ns, cluster)) {
        return new JobResult(1, "oslo_db.exception.DBConnectionError: database unavailable");
      }
      if (dbSyncFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return new JobResult(1, "alembic.util.exc.CommandError: db sync failed (on demand)");
      }
      return JobResult.success("");
    }
    if (Component.VERSION_PROBE.label().equals(component)) {
      if (versionProbeFails) {
        return new JobResult(1, "version probe failed (on demand)");
      }
      return JobResult.success(probeJson(release.get()));
    }
    if (Component.UPGRADE_CHECK.label().equals(component)) {
      return SimulatedUpgradeCheck.run(jobConfig(pod, ns, cluster), upgradeCheckExitCode);
    }
    if (Component.DATA_MIGRATION.label().equals(component)) {
      if (databaseDown(ns, cluster)) {
        return new JobResult(1, "oslo_db.exception.DBConnectionError: database unavailable");
      }
      if (dataMigrationsFail) {
        return new JobResult(
            2,
            migrationTable(0, 0) + "Some migrations failed unexpectedly. Check log for details.");
      }
      if (holdDataMigrations) {
        return null;
      }
      AtomicInteger done =
          dataMigrationBatchesRun.computeIfAbsent(ns + "/" + cluster, k -> new AtomicInteger());
      List<String> command = pod.getSpec().getContainers().get(0).getCommand();
      if (!CinderCommands.isBatchLoop(command)) {
        return oneBatch(done);
      }
      // the operator's loop: cinder-manage again while it exits 1 having migrated rows, then its
      // report line (OnlineMigrationReport) and the last run's output
      int runs = 0;
      long migrated = 0;
      JobResult last;
      do {
        last = oneBatch(done);
        runs++;
        migrated += last.exitCode() == 1 ? BATCH : 0;
      } while (last.exitCode() == 1);
      OnlineMigrationReport report =
          new OnlineMigrationReport(
              runs,
              last.exitCode(),
              false,
              migrated,
              0,
              last.exitCode() == 0
                  ? OnlineMigrationReport.Stopped.COMPLETE
                  : OnlineMigrationReport.Stopped.EXIT_CODE);
      return new JobResult(last.exitCode(), report.toJsonLine() + "\n" + last.message());
    }
    return JobResult.success("");
  }

  /** What online_data_migrations --max_count prints last (tabulate's psql format). */
  static String migrationTable(int needed, int completed) {
    String rule = "+----------------------------------------+----------------+-------------+\n";
    return rule
        + "| Migration                              |   Total Needed |   Completed |\n"
        + "|----------------------------------------+----------------+-------------|\n"
        + String.format(
            "| volume_use_quota_online_data_migration | %14d | %11d |\n", needed, completed)
        + rule;
  }

  /**
   * The config files a job's container reads ({@code --config-file} arguments in the config
   * Secret's directory), merged in that order.
   */
  private IniFile jobConfig(Pod pod, String ns, String cluster) {
    Map<String, String> files;
    try {
      Secret secret = client.secrets().inNamespace(ns).withName(Names.configSecret(cluster)).get();
      files = secret == null ? Map.of() : SecretData.decoded(secret);
    } catch (KubernetesClientException e) {
      files = Map.of();
    }
    List<String> argv = pod.getSpec().getContainers().get(0).getCommand();
    StringBuilder text = new StringBuilder();
    String dir = dev.cinderoperator.cinder.CinderConf.CONFIG_DIR + "/";
    for (int i = 0; argv != null && i + 1 < argv.size(); i++) {
      if (argv.get(i).equals("--config-file") && argv.get(i + 1).startsWith(dir)) {
        text.append(files.getOrDefault(argv.get(i + 1).substring(dir.length()), "")).append('\n');
      }
    }
    return IniFile.parse(text.toString());
  }

  private static final int BATCH = 50;

  /** One {@code online_data_migrations --max_count 50} run against the cluster's batches. */
  private JobResult oneBatch(AtomicInteger done) {
    return done.incrementAndGet() <= dataMigrationBatches
        ? new JobResult(1, migrationTable(BATCH, BATCH))
        : JobResult.success(migrationTable(0, 0));
  }

  private boolean databaseDown(String ns, String cluster) {
    try {
      databases.servicesTable(ns, cluster).liveRows();
      return false;
    } catch (DatabaseUnavailableException e) {
      return true;
    }
  }

  /** What the operator's version probe prints for a release; its package is {@code <major>.0.0}. */
  public static String probeJson(Release release) {
    return "{\"rpc\":{\"cinder-scheduler\":\""
        + release.rpcVersion(SCHEDULER)
        + "\",\"cinder-volume\":\""
        + release.rpcVersion(VOLUME)
        + "\",\"cinder-backup\":\""
        + release.rpcVersion(BACKUP)
        + "\"},\"objects\":\""
        + release.objectVersion()
        + "\",\"objectHistory\":[\"1.38\",\"1.39\"],\"package\":\""
        + release.cinderMajor()
        + ".0.0\"}";
  }

  @Override
  public void close() {
    processes.values().forEach(CinderProcess::stop);
    heartbeats.shutdownNow();
    backups.close();
  }

  /** Where backups go and what becomes of them: placement, queues, restarts, traffic. */
  public SimBackupService backups() {
    return backups;
  }

  // ---- Cinder's rules

  /**
   * determine_rpc_version_cap / determine_obj_version_cap: the minimum over the target binary's
   * non-deleted rows, the client's own version when there are none (rpc.py:249-281).
   */
  private CachedPin pinFor(CinderBinary target, List<ServiceRow> rows, Release own) {
    String rpc = null;
    String obj = null;
    for (ServiceRow row : rows) {
      if (!row.binary().equals(target.binaryName())) {
        continue;
      }
      if (row.rpcVersion() == null || row.objectVersion() == null) {
        throw new IllegalStateException(
            "ServiceTooOld: One of the services is in Liberty version. We do not provide backward"
                + " compatibility with Liberty now, you need to upgrade to Mitaka first. (row "
                + row.binary()
                + " "
                + row.host()
                + " has no version)");
      }
      if (rpc == null || DottedVersion.compare(row.rpcVersion(), rpc) < 0) {
        rpc = row.rpcVersion();
      }
      if (obj == null || DottedVersion.compare(row.objectVersion(), obj) < 0) {
        obj = row.objectVersion();
      }
    }
    if (rpc == null) {
      return new CachedPin(own.rpcVersion(target), own.objectVersion());
    }
    String cap = obj;
    if (!catalog.knownObjectVersions(own.name()).map(k -> k.contains(cap)).orElse(true)) {
      throw new IllegalStateException(
          "CappedVersionUnknown: Unrecoverable Error: Versioned Objects in DB are capped to unknown"
              + " version "
              + obj
              + ". Most likely your environment contains only new services and you are trying to"
              + " start an older one. Use `cinder-manage service list` to check that and upgrade"
              + " them.");
    }
    return new CachedPin(rpc, obj);
  }

  /** The RPC clients each component's manager builds at start. */
  private static Set<CinderBinary> clientsOf(String component) {
    if (Component.VOLUME.label().equals(component)) {
      return EnumSet.of(SCHEDULER, VOLUME);
    }
    return ALL;
  }

  /**
   * What Manager.reset rebuilds (facts §3.4): the scheduler keeps its backup_api, so its backup cap
   * stays until a restart.
   */
  private static Set<CinderBinary> resetOnSighup(String component) {
    if (Component.SCHEDULER.label().equals(component)) {
      return EnumSet.of(SCHEDULER, VOLUME);
    }
    return clientsOf(component);
  }

  private static CinderBinary binaryOf(String component) {
    if (Component.SCHEDULER.label().equals(component)) {
      return SCHEDULER;
    }
    if (Component.VOLUME.label().equals(component)) {
      return VOLUME;
    }
    if (Component.BACKUP.label().equals(component)) {
      return BACKUP;
    }
    return null;
  }

  private static boolean isLongRunning(String component) {
    return Component.API.label().equals(component) || binaryOf(component) != null;
  }

  /** {@code [DEFAULT] cluster} from the cluster's config Secret, preferring a per-backend file. */
  private String configuredCluster(String ns, String cluster, String backend) {
    Secret secret;
    try {
      secret = client.secrets().inNamespace(ns).withName(Names.configSecret(cluster)).get();
    } catch (KubernetesClientException e) {
      return null;
    }
    if (secret == null) {
      return null;
    }
    String text = null;
    for (Map.Entry<String, String> e : SecretData.decoded(secret).entrySet()) {
      if (e.getKey().endsWith(".conf") && backend != null && e.getKey().contains(backend)) {
        text = e.getValue();
      }
    }
    if (text == null) {
      text = SecretData.decoded(secret).get("cinder.conf");
    }
    if (text == null) {
      return null;
    }
    String value = IniFile.parse(text).get("DEFAULT", "cluster");
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static boolean matches(List<Predicate<Pod>> predicates, Pod pod) {
    return predicates.stream().anyMatch(p -> p.test(pod));
  }

  public static String repositoryName(String image) {
    String path = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = path.lastIndexOf('/');
    String last = path.substring(slash + 1);
    int colon = last.indexOf(':');
    return colon < 0 ? last : last.substring(0, colon);
  }

  public static String tagOf(String image) {
    String path = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    String last = path.substring(path.lastIndexOf('/') + 1);
    int colon = last.indexOf(':');
    return colon < 0 ? "latest" : last.substring(colon + 1);
  }
}
