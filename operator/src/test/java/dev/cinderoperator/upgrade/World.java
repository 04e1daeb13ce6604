package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An in-memory cluster for planner tests: it builds observations, and plays executor, kubelet,
 * StatefulSet/Deployment controllers and Cinder when asked to {@link #apply} a decision and {@link
 * #settle}.
 */
final class World {
  static final String CLUSTER = "cinder";
  static final String OLD = "registry.example.com/openstack/cinder:2023.2";
  static final String NEW = "registry.example.com/openstack/cinder:2024.1";
  static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
  static final ReleaseCatalog CATALOG = ReleaseCatalog.standard();

  UpgradePlanner planner = new UpgradePlanner();
  final CinderClusterSpec spec = new CinderClusterSpec();
  CinderClusterStatus status = new CinderClusterStatus();
  Instant now = T0;

  /** Database clock minus operator clock. */
  Duration dbSkew = Duration.ZERO;

  boolean databaseUp = true;
  String desiredChecksum = "conf-1";
  final Map<String, PodView> pods = new LinkedHashMap<>();
  final Map<String, ServiceRow> rows = new LinkedHashMap<>();
  final Map<String, JobView> jobs = new LinkedHashMap<>();
  final Map<String, ProbedVersions> probes = new HashMap<>();
  final Map<String, Integer> backupsInFlight = new HashMap<>();
  final Set<String> stopped = new HashSet<>();

  /** Hosts the schedulers were told to skip (the executor's fence), as of the last decision. */
  Set<String> keptOff = new HashSet<>();

  /** Hosts told working again on AllowNewBackups, in order. */
  final List<String> reportedWorking = new ArrayList<>();

  /** Why the schedulers cannot be told; null while they can. */
  String busProblem;

  /** Backups in error since the upgrade began, as the registry would read them; null: not read. */
  dev.cinderoperator.cinder.FailedBackups failedBackups;

  /** Backups that start between the planner's count and the executor's recount, per host. */
  final Map<String, Integer> startBeforeRecount = new HashMap<>();

  /** Pod deletions the executor refused after its recount. */
  int refusedSwaps;

  /** Exit codes jobs end with, by name (default 0). A list is consumed one run at a time. */
  final Map<String, Integer> jobExit = new HashMap<>();

  /** Images whose code reports these versions; unknown images report the 2023.2 ones. */
  final Map<String, ProbedVersions> imageVersions = new HashMap<>();

  /** Pods the simulated kubelet keeps not Ready. */
  final Set<String> neverReady = new HashSet<>();

  /** The API Deployment cannot create or remove pods (quota, admission webhook). */
  boolean apiRolloutBlocked;

  /** What the database holds of volumes and snapshots with NULL use_quota. */
  NullUseQuotaRows nullUseQuota = new NullUseQuotaRows(0, 0);

  /** Pods whose service never writes its row after start. */
  final Set<String> silent = new HashSet<>();

  /**
   * Pods whose service writes its row at start (Service.__init__) but never heartbeats: a volume
   * driver that fails to initialise.
   */
  final Set<String> notWorking = new HashSet<>();

  private int apiCounter;
  private long rowIds = 100;
  private int uidCounter;

  World() {
    spec.setRelease("2023.2");
    spec.setImage(OLD);
    spec.setScheduler(new ComponentSpec(2));
    spec.setApi(new ComponentSpec(2));
    VolumeBackendSpec ceph = new VolumeBackendSpec("ceph");
    VolumeBackendSpec lvm = new VolumeBackendSpec("lvm");
    lvm.setReplicas(2);
    lvm.setActiveActive(true);
    spec.setVolumes(new ArrayList<>(List.of(ceph, lvm)));
    BackupSpec backup = new BackupSpec();
    backup.setReplicas(2);
    spec.setBackup(backup);
    spec.setUpgrade(new UpgradeSpec());
    status.setRelease("2023.2");
    status.setImage(OLD);
    imageVersions.put(OLD, versions(CATALOG.find("2023.2").orElseThrow()));
    imageVersions.put(NEW, versions(CATALOG.find("2024.1").orElseThrow()));
  }

  static ProbedVersions versions(dev.cinderoperator.cinder.Release r) {
    return new ProbedVersions(
        r.rpcVersions(), r.objectVersion(), List.of("1.38", "1.39"), r.cinderMajor() + ".0.0");
  }

  /** A running 2023.2 cluster: every pod Ready on OLD, every service heartbeating. */
  static World running() {
    return running(w -> {});
  }

  /** A running 2023.2 cluster shaped first (replicas, policy). */
  /** A running 2023.1 cluster asked to jump to 2024.1 with skip-level allowed (offline). */
  static World skipLevel() {
    World w = running();
    w.status.setRelease("2023.1");
    w.spec.setRelease("2024.1");
    w.spec.setImage(NEW);
    w.policy().setAllowSkipLevel(true);
    return w;
  }

  static World running(java.util.function.Consumer<World> shape) {
    World w = new World();
    shape.accept(w);
    for (int i = 0; i < 6; i++) {
      w.settle();
    }
    return w;
  }

  /** The same cluster after spec moved to 2024.1. */
  static World upgradeRequested() {
    return upgradeRequested(w -> {});
  }

  /** A shaped cluster after spec moved to 2024.1. */
  static World upgradeRequested(java.util.function.Consumer<World> shape) {
    World w = running(shape);
    w.spec.setRelease("2024.1");
    w.spec.setImage(NEW);
    return w;
  }

  UpgradeSpec policy() {
    return spec.getUpgrade();
  }

  UpgradeStatus upgrade() {
    return status.getUpgrade();
  }

  Instant dbNow() {
    return now.plus(dbSkew);
  }

  // --- observing and planning -----------------------------------------------------

  Observation observe() {
    return new Observation(
        CLUSTER,
        spec,
        status,
        1,
        now,
        new ArrayList<>(pods.values()),
        new ArrayList<>(jobs.values()),
        databaseUp
            ? Optional.of(
                new ServicesView(
                    rows.values().stream().map(this::withStopFlag).toList(),
                    dbNow(),
                    Duration.ofSeconds(60)))
            : Optional.empty(),
        probes,
        ConfigChecksums.uniform(desiredChecksum),
        countedBackups(),
        stopped,
        busProblem == null ? keptOff : Set.of(),
        busProblem,
        failedBackups,
        CATALOG,
        Optional.of(nullUseQuota));
  }

  /** As the executor counts: every backup pod's host, 0 when nothing is in flight there. */
  private Map<String, Integer> countedBackups() {
    Map<String, Integer> counted = new HashMap<>(backupsInFlight);
    pods.values().stream()
        .filter(p -> p.component() == Component.BACKUP)
        .forEach(p -> counted.putIfAbsent(p.name(), 0));
    return counted;
  }

  /** A backup row shows disabled while the operator stopped its host, as the table does. */
  private ServiceRow withStopFlag(ServiceRow r) {
    boolean disabled =
        CinderBinary.BACKUP.binaryName().equals(r.binary()) && stopped.contains(r.host());
    if (disabled == r.disabled()) {
      return r;
    }
    return new ServiceRow(
        r.id(),
        r.binary(),
        r.host(),
        r.clusterName(),
        r.rpcVersion(),
        r.objectVersion(),
        disabled,
        r.createdAt(),
        r.updatedAt(),
        r.reportCount(),
        r.uuid());
  }

  Decision plan() {
    return planner.plan(observe());
  }

  /** Plans, writes the status as the executor would, performs the action. */
  Decision step() {
    Decision d = plan();
    apply(d);
    return d;
  }

  void apply(Decision d) {
    status.setUpgrade(UpgradeStatuses.copy(d.upgrade()));
    if (d.phase() != null) {
      status.setPhase(d.phase());
    }
    Action a = d.action();
    if (d.keepOffSchedulers() != null) {
      keptOff = new HashSet<>(d.keepOffSchedulers());
    }
    if (a instanceof Action.CreateJob j) {
      jobs.putIfAbsent(
          j.name(),
          new JobView(
              j.name(), j.kind().component(), j.image(), JobState.ACTIVE, null, null, now, null));
    } else if (a instanceof Action.ReplacePod r) {
      if (swapAllowed(r.swap())) {
        deletePod(r.pod(), r.uid());
      }
    } else if (a instanceof Action.RestartPod r) {
      if (swapAllowed(r.swap())) {
        deletePod(r.pod(), r.uid());
      }
    } else if (a instanceof Action.SignalPod s) {
      status.getUpgrade().getSignalledPods().add(s.marker());
    } else if (a instanceof Action.RemoveServiceRow r) {
      rows.remove(key(r.row().binary(), r.row().host()));
    } else if (a instanceof Action.StopNewBackups s) {
      stopped.add(s.host());
      backupsInFlight.putIfAbsent(s.host(), 0);
    } else if (a instanceof Action.AllowNewBackups s) {
      stopped.remove(s.host());
      reportedWorking.add(s.host());
    } else if (a instanceof Action.StopServices) {
      for (String name : new ArrayList<>(pods.keySet())) {
        pods.put(name, terminating(pods.get(name)));
      }
    } else if (a instanceof Action.Complete c) {
      status.setRelease(c.release());
      status.setImage(c.image());
    }
  }

  /** What the executor re-checks right before deleting a drained backup pod. */
  private boolean swapAllowed(Action.BackupSwap swap) {
    if (swap == null) {
      return true;
    }
    if (swap.keepOff() && (busProblem != null || !keptOff.contains(swap.host()))) {
      refusedSwaps++;
      return false;
    }
    if (swap.stopFirst()) {
      stopped.add(swap.host());
    }
    int started = startBeforeRecount.getOrDefault(swap.host(), 0);
    if (started > 0) {
      backupsInFlight.merge(swap.host(), started, Integer::sum);
      startBeforeRecount.remove(swap.host());
    }
    if (swap.requireIdle() && backupsInFlight.getOrDefault(swap.host(), 0) > 0) {
      if (swap.stopFirst()) {
        stopped.remove(swap.host());
      }
      refusedSwaps++;
      return false;
    }
    return true;
  }

  private void deletePod(String name, String uid) {
    PodView p = pods.get(name);
    if (p != null && p.uid().equals(uid)) {
      pods.put(name, terminating(p));
    }
  }

  private static PodView terminating(PodView p) {
    return new PodView(
        p.name(),
        p.component(),
        p.backend(),
        p.ordinal(),
        p.image(),
        p.configChecksum(),
        false,
        p.running(),
        true,
        p.createdAt(),
        p.startedAt(),
        p.restartCount(),
        p.uid());
  }

  // --- the simulated cluster --------------------------------------------------------

  /**
   * One round of the controllers, kubelet and Cinder: terminating pods go away, missing pods come
   * back (not yet Ready) from the templates, pods created earlier become Ready and their services
   * write their rows, jobs finish, heartbeats tick.
   */
  void settle() {
    pods.values().removeIf(PodView::terminating);
    for (PodView p : new ArrayList<>(pods.values())) {
      if (!p.ready()
          && p.createdAt().isBefore(now.plusSeconds(1))
          && !neverReady.contains(p.name())) {
        PodView ready = withReady(p);
        pods.put(p.name(), ready);
        writeRow(ready);
      }
    }
    if (!planner.servicesStopped(status)) {
      createMissingStatefulPods();
      rollApi();
    }
    finishJobs();
    heartbeat();
  }

  /**
   * The operator reconciles and writes the status it decided on, without performing the act: what
   * it reads (a heartbeat baseline) is recorded.
   */
  void operatorLooks() {
    status.setUpgrade(UpgradeStatuses.copy(plan().upgrade()));
  }

  /** One report_interval (10 s) passes: every working service heartbeats. */
  void reportInterval() {
    tick(Duration.ofSeconds(10));
  }

  /** Advance both clocks. */
  void tick(Duration d) {
    now = now.plus(d);
    heartbeat();
  }

  private void createMissingStatefulPods() {
    ClusterLayout layout = new ClusterLayout(CLUSTER, spec);
    for (ClusterLayout.Slot slot : layout.forward()) {
      if (!pods.containsKey(slot.pod())) {
        String image = planner.templateImage(status, spec, slot.component(), slot.backend());
        pods.put(
            slot.pod(),
            newPod(slot.pod(), slot.component(), slot.backend(), slot.ordinal(), image));
      }
    }
  }

  private void rollApi() {
    if (apiRolloutBlocked) {
      return;
    }
    String image = planner.templateImage(status, spec, Component.API, null);
    List<PodView> api = pods.values().stream().filter(p -> p.component() == Component.API).toList();
    if (api.stream().anyMatch(p -> !p.ready())) {
      return;
    }
    int replicas = spec.apiReplicas();
    List<PodView> old = api.stream().filter(p -> !p.image().equals(image)).toList();
    if (api.size() < replicas) {
      String name = CLUSTER + "-api-" + (apiCounter++);
      pods.put(name, newPod(name, Component.API, null, null, image));
    } else if (api.size() > replicas && !old.isEmpty()) {
      pods.remove(old.get(0).name());
    } else if (!old.isEmpty()) {
      String name = CLUSTER + "-api-" + (apiCounter++);
      pods.put(name, newPod(name, Component.API, null, null, image));
    }
  }

  PodView newPod(String name, Component c, String backend, Integer ordinal, String image) {
    return new PodView(
        name,
        c,
        backend,
        ordinal,
        image,
        desiredChecksum,
        false,
        true,
        false,
        now,
        now,
        0,
        "uid-" + (uidCounter++));
  }

  private static PodView withReady(PodView p) {
    return new PodView(
        p.name(),
        p.component(),
        p.backend(),
        p.ordinal(),
        p.image(),
        p.configChecksum(),
        true,
        true,
        false,
        p.createdAt(),
        p.startedAt(),
        p.restartCount(),
        p.uid());
  }

  /**
   * The service of a pod writes its versions, as Cinder's Service.__init__ does before init_host:
   * updated_at moves, report_count does not (a new row starts at 0).
   */
  private void writeRow(PodView p) {
    if (p.component() == Component.API || silent.contains(p.name())) {
      return;
    }
    CinderBinary b = binaryOf(p.component());
    String host = ClusterLayout.hostOf(p);
    ProbedVersions v = imageVersions.getOrDefault(p.image(), imageVersions.get(OLD));
    ServiceRow old = rows.get(key(b.binaryName(), host));
    rows.put(
        key(b.binaryName(), host),
        new ServiceRow(
            old == null ? rowIds++ : old.id(),
            b.binaryName(),
            host,
            null,
            v.rpcVersions().get(b),
            v.objectVersion(),
            false,
            old == null ? dbNow() : old.createdAt(),
            dbNow().plusSeconds(1),
            old == null ? 0 : old.reportCount(),
            "uuid-" + host));
  }

  /** report_state: only a working service counts a heartbeat. */
  private void heartbeat() {
    for (PodView p : pods.values()) {
      if (p.ready()
          && !p.terminating()
          && p.component() != Component.API
          && !silent.contains(p.name())
          && !notWorking.contains(p.name())) {
        String k = key(binaryOf(p.component()).binaryName(), ClusterLayout.hostOf(p));
        ServiceRow r = rows.get(k);
        if (r != null && r.updatedAt().isBefore(dbNow())) {
          rows.put(k, withUpdatedAt(r, dbNow()));
        }
      }
    }
  }

  static ServiceRow withUpdatedAt(ServiceRow r, Instant t) {
    return new ServiceRow(
        r.id(),
        r.binary(),
        r.host(),
        r.clusterName(),
        r.rpcVersion(),
        r.objectVersion(),
        r.disabled(),
        r.createdAt(),
        t,
        r.reportCount() + 1,
        r.uuid());
  }

  private void finishJobs() {
    for (JobView j : new ArrayList<>(jobs.values())) {
      if (j.state() != JobState.ACTIVE) {
        continue;
      }
      int exit = jobExit.getOrDefault(j.name(), 0);
      jobs.put(j.name(), finished(j, exit, null));
      if (j.kind() == Component.VERSION_PROBE && exit == 0) {
        probes.put(j.image(), imageVersions.get(j.image()));
      }
    }
  }

  /** What a real online_data_migrations --max_count batch prints when it has more to do. */
  static final String MIGRATED_A_BATCH =
      "+-------------------------------------------+----------------+-------------+\n"
          + "| Migration                                 |   Total Needed |   Completed |\n"
          + "|-------------------------------------------+----------------+-------------|\n"
          + "| volume_use_quota_online_data_migration    |             50 |          50 |\n"
          + "+-------------------------------------------+----------------+-------------+\n";

  static JobView finished(JobView j, int exit, String message) {
    if (message == null && exit == 1 && j.kind() == Component.DATA_MIGRATION) {
      message = MIGRATED_A_BATCH;
    }
    return new JobView(
        j.name(),
        j.kind(),
        j.image(),
        exit == 0 ? JobState.SUCCEEDED : JobState.FAILED,
        exit,
        message,
        j.startedAt(),
        j.startedAt());
  }

  /** Puts a finished job in place, as if it had run. */
  void finishedJob(UpgradeJob kind, String image, int run, int exit, String message) {
    String name = JobSteps.name(CLUSTER, kind, image, run);
    JobView active =
        new JobView(name, kind.component(), image, JobState.ACTIVE, null, null, now, null);
    jobs.put(name, finished(active, exit, message));
    if (kind == UpgradeJob.VERSION_PROBE && exit == 0) {
      probes.put(image, imageVersions.get(image));
    }
  }

  static CinderBinary binaryOf(Component c) {
    return switch (c) {
      case SCHEDULER -> CinderBinary.SCHEDULER;
      case VOLUME -> CinderBinary.VOLUME;
      case BACKUP -> CinderBinary.BACKUP;
      default -> throw new IllegalArgumentException(c.toString());
    };
  }

  static String key(String binary, String host) {
    return binary + " " + host;
  }

  // --- shortcuts for tests --------------------------------------------------------

  ServiceRow row(String binary, String host) {
    return rows.get(key(binary, host));
  }

  void putRow(ServiceRow r) {
    rows.put(key(r.binary(), r.host()), r);
  }

  ServiceRow staleRow(String binary, String host, String rpc, String obj, Duration age) {
    return new ServiceRow(
        rowIds++,
        binary,
        host,
        null,
        rpc,
        obj,
        false,
        dbNow().minus(age),
        dbNow().minus(age),
        5,
        "uuid-" + host);
  }

  PodView pod(String name) {
    return pods.get(name);
  }

  /**
   * Sets the API pods' start to {@code second}, as Kubernetes stamps it (whole seconds); returns
   * their names.
   */
  List<String> stampApiPods(Instant second) {
    List<String> names = new ArrayList<>();
    for (PodView p : new ArrayList<>(pods.values())) {
      if (p.component() == Component.API) {
        update(
            new PodView(
                p.name(),
                Component.API,
                null,
                null,
                p.image(),
                null,
                true,
                true,
                false,
                second,
                second,
                0,
                p.uid()));
        names.add(p.name());
      }
    }
    return names;
  }

  void update(PodView p) {
    pods.put(p.name(), p);
  }

  /** Runs plan/apply/settle until the decision is not a status-only or finished-job step. */
  Decision stepUntil(java.util.function.Predicate<Decision> stop, int max) {
    for (int i = 0; i < max; i++) {
      Decision d = plan();
      if (stop.test(d)) {
        return d;
      }
      apply(d);
      settle();
      tick(Duration.ofSeconds(5));
    }
    throw new AssertionError(
        "condition not reached in " + max + " steps; last: " + plan().action());
  }

  /**
   * Runs the simulated cluster until status.upgrade.step is {@code target}, without acting on that
   * step yet.
   */
  World driveTo(dev.cinderoperator.api.UpgradeStep target) {
    for (int i = 0; i < 400; i++) {
      if (upgrade() != null && upgrade().getStep() == target) {
        return this;
      }
      Decision d = plan();
      if (d.action() instanceof Action.Stall s) {
        throw new AssertionError("stalled on the way to " + target + ": " + s.message());
      }
      apply(d);
      settle();
      tick(Duration.ofSeconds(5));
    }
    throw new AssertionError("never reached " + target);
  }
}
