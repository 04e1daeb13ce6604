package dev.cinderoperator.sim;

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
 * on SIGHUP; job pods behave like {@code cinder-manage db sync}, the version probe, {@code
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
  private final Map<String, CinderProcess> processes = new ConcurrentHashMap<>();
  private final Map<String, String> imageReleases = new ConcurrentHashMap<>();
  private final List<Predicate<Pod>> muted = new CopyOnWriteArrayList<>();
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

  /** {@code cinder-status upgrade check} exits with this code (0 success, 1 warning, 2 failure). */
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

  public void clearKnobs() {
    muted.clear();
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
    String component = Kubelet.label(pod, Labels.COMPONENT);
    Optional<Release> release = releaseOf(Kubelet.image(pod));
    if (release.isEmpty() || !isLongRunning(component)) {
      // an unknown image runs and never gets Ready; jobs do their work in runJob
      return;
    }
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String cluster = Kubelet.label(pod, Labels.INSTANCE);
    SimServicesTable table = databases.servicesTable(ns, cluster);
    CinderBinary binary = binaryOf(component);
    String host = null;
    String clusterName = null;
    if (binary == VOLUME) {
      String backend = Kubelet.label(pod, Labels.BACKEND);
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
            config.clock().instant());
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
  }

  private void heartbeat(
      CinderProcess process, SimServicesTable table, ServiceRegistration registration) {
    if (!process.running()) {
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
    }
  }

  @Override
  public boolean ready(Pod pod) {
    if (releaseOf(Kubelet.image(pod)).isEmpty()) {
      return false;
    }
    String component = Kubelet.label(pod, Labels.COMPONENT);
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

  @Override
  public JobResult runJob(Pod pod) {
    String component = Kubelet.label(pod, Labels.COMPONENT);
    String image = Kubelet.image(pod);
    Optional<Release> release = releaseOf(image);
    if (release.isEmpty()) {
      return new JobResult(1, "image " + image + " carries no known Cinder release");
    }
    String ns = pod.getMetadata().getNamespace();
    String cluster = Kubelet.label(pod, Labels.INSTANCE);
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
      int code = upgradeCheckExitCode;
      String result = code == 0 ? "Success" : code == 1 ? "Warning" : "Failure";
      return new JobResult(
          code,
          "Upgrade Check Results\nCheck: Service User Token Configuration\nResult: " + result);
    }
    if (Component.DATA_MIGRATION.label().equals(component)) {
      if (databaseDown(ns, cluster)) {
        return new JobResult(1, "oslo_db.exception.DBConnectionError: database unavailable");
      }
      if (dataMigrationsFail) {
        return new JobResult(
            2,
            "Running batches of 50 until complete\nError attempting to run migration (on demand)");
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

  private static final int BATCH = 50;

  /**
   * One {@code online_data_migrations --max_count 50} run against the cluster's batches, printing
   * Cinder's table.
   */
  private JobResult oneBatch(AtomicInteger done) {
    boolean more = done.incrementAndGet() <= dataMigrationBatches;
    int n = more ? BATCH : 0;
    String table =
        "+----------------------------------------+--------------+-----------+\n"
            + "| Migration                              | Total Needed | Completed |\n"
            + "|----------------------------------------+--------------+-----------|\n"
            + "| volume_use_quota_online_data_migration | "
            + n
            + " | "
            + n
            + " |\n"
            + "+----------------------------------------+--------------+-----------+";
    return more
        ? new JobResult(
            1, n + " rows matched query volume_use_quota_online_data_migration\n" + table)
        : JobResult.success(table);
  }

  private boolean databaseDown(String ns, String cluster) {
    try {
      databases.servicesTable(ns, cluster).liveRows();
      return false;
    } catch (DatabaseUnavailableException e) {
      return true;
    }
  }

  /** What the operator's version probe prints for a release. */
  public static String probeJson(Release release) {
    return "{\"rpc\":{\"cinder-scheduler\":\""
        + release.rpcVersion(SCHEDULER)
        + "\",\"cinder-volume\":\""
        + release.rpcVersion(VOLUME)
        + "\",\"cinder-backup\":\""
        + release.rpcVersion(BACKUP)
        + "\"},\"objects\":\""
        + release.objectVersion()
        + "\",\"objectHistory\":[\"1.38\",\"1.39\"]}";
  }

  @Override
  public void close() {
    processes.values().forEach(CinderProcess::stop);
    heartbeats.shutdownNow();
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
    String value = CinderConf.parse(text).get("DEFAULT", "cluster");
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static boolean matches(List<Predicate<Pod>> predicates, Pod pod) {
    return predicates.stream().anyMatch(p -> p.test(pod));
  }

  static String repositoryName(String image) {
    String path = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = path.lastIndexOf('/');
    String last = path.substring(slash + 1);
    int colon = last.indexOf(':');
    return colon < 0 ? last : last.substring(0, colon);
  }

  static String tagOf(String image) {
    String path = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    String last = path.substring(path.lastIndexOf('/') + 1);
    int colon = last.indexOf(':');
    return colon < 0 ? "latest" : last.substring(colon + 1);
  }
}
