package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UnpinStrategy;
import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.BackupCapabilityReport;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.OnlineMigrationReport;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.cinder.VersionProbeResult;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServicesSnapshot;
import dev.cinderoperator.messaging.BackupHostFence;
import dev.cinderoperator.messaging.MessagingUnavailableException;
import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.Decision;
import dev.cinderoperator.upgrade.FailedBackupReport;
import dev.cinderoperator.upgrade.FinishedJobs;
import dev.cinderoperator.upgrade.JobState;
import dev.cinderoperator.upgrade.JobView;
import dev.cinderoperator.upgrade.Observation;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.upgrade.ProbedVersions;
import dev.cinderoperator.upgrade.ServicesView;
import dev.cinderoperator.upgrade.UpgradePlanner;
import dev.cinderoperator.workload.CinderJobs;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.DesiredWorkloads;
import dev.cinderoperator.workload.Labels;
import dev.cinderoperator.workload.Names;
import dev.cinderoperator.workload.ServiceHosts;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs an installed CinderCluster through the planner: observe (caches, services table), plan,
 * write the intent, apply the workloads the roll asks for, then perform the one action.
 */
public class UpgradeExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(UpgradeExecutor.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final ReleaseCatalog catalog;
  private final OperatorSettings settings;
  private final EventRecorder events;
  private final ClusterDriver.Collaborators with;
  private final UpgradePlanner planner = new UpgradePlanner();
  private final Map<String, CachedSnapshot> snapshots = new ConcurrentHashMap<>();
  private final Set<String> announcedJobs = ConcurrentHashMap.newKeySet();
  private final Instant startedAt;

  private record CachedSnapshot(ServicesSnapshot snapshot, Instant readAt) {}

  public UpgradeExecutor(
      KubernetesClient client,
      Clock clock,
      ReleaseCatalog catalog,
      OperatorSettings settings,
      EventRecorder events,
      ClusterDriver.Collaborators collaborators) {
    this.client = client;
    this.clock = clock;
    // whole seconds, as Kubernetes records a job's completion
    this.startedAt = Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    this.catalog = catalog;
    this.settings = settings;
    this.events = events;
    this.with = collaborators;
  }

  /** What the driver hands over for one reconcile of an installed cluster. */
  public record Inputs(
      CinderCluster cluster,
      ObservedObjects observed,
      CinderClusterStatus status,
      Map<String, String> configFiles,
      ServiceRegistry registry,
      BackupHostFence fence,
      StatusSink sink,
      WorkloadApplier applier) {}

  /** Applies the workloads with the images and replicas the roll asks for. */
  @FunctionalInterface
  public interface WorkloadApplier {
    void apply(DesiredWorkloads desired);
  }

  public Progress execute(Inputs in) {
    CinderCluster cc = in.cluster();
    String ns = cc.getMetadata().getNamespace();
    String name = cc.getMetadata().getName();
    CinderClusterSpec spec = effectiveSpec(cc.getSpec());
    CinderClusterStatus status = in.status();
    Duration downTime = ServicesTable.serviceDownTime(spec.configOrEmpty());

    boolean quiet = isQuiet(cc, status);
    Optional<ServicesSnapshot> snapshot = read(ns + "/" + name, in.registry(), quiet);
    DesiredWorkloads layout =
        new DesiredWorkloads(name, ns, spec, in.configFiles(), (c, b) -> spec.getImage());
    List<ServiceRow> rows = snapshot.map(ServicesSnapshot::rows).orElse(List.of());
    Set<String> stoppedHosts =
        rows.stream()
            .filter(r -> CinderBinary.BACKUP.binaryName().equals(r.binary()) && r.disabled())
            .map(ServiceRow::host)
            .collect(Collectors.toSet());
    List<PodView> pods = KubeObservations.pods(in.observed().pods());
    Map<String, Integer> inFlight = new HashMap<>();
    FailedBackups failed = null;
    if (snapshot.isPresent()) {
      try {
        // A quiet cluster drains nothing; a drain (or a roll about to start one) counts every
        // backup host in one grouped query.
        if (!quiet || !stoppedHosts.isEmpty()) {
          inFlight.putAll(in.registry().inFlightBackupsByHost());
          Set<String> hosts = new java.util.HashSet<>(stoppedHosts);
          rows.stream()
              .filter(r -> CinderBinary.BACKUP.binaryName().equals(r.binary()))
              .forEach(r -> hosts.add(r.host()));
          pods.stream()
              .filter(p -> p.component() == Component.BACKUP)
              .forEach(p -> hosts.add(p.name()));
          hosts.forEach(h -> inFlight.putIfAbsent(h, 0));
        }
        failed = failedBackups(status, in.registry(), snapshot.get());
      } catch (DatabaseUnavailableException e) {
        snapshot = Optional.empty();
        inFlight.clear();
        failed = null;
      }
    }
    List<JobView> jobs = KubeObservations.jobs(in.observed().jobs(), in.observed().pods());
    announceFinishedJobs(cc, jobs);
    // Decided on the status as stored, before this reconcile changes it.
    List<String> finished = FinishedJobs.removable(name, status, jobs);

    Observation obs =
        new Observation(
            name,
            spec,
            status,
            Optional.ofNullable(cc.getMetadata().getGeneration()).orElse(0L),
            Instant.now(clock),
            pods,
            jobs,
            snapshot.map(
                s ->
                    new ServicesView(
                        s.rows(),
                        s.databaseNow(),
                        downTime,
                        ServicesTable.reportInterval(spec.configOrEmpty()))),
            probes(jobs),
            layout::configChecksum,
            inFlight,
            stoppedHosts,
            in.fence().keptOff(),
            in.fence().problem().orElse(null),
            failed,
            catalog,
            snapshot.isPresent() ? nullUseQuota(in.registry(), status) : Optional.empty());
    Decision decision = planner.plan(obs);
    Action action = decision.action();
    if (decision.keepOffSchedulers() != null) {
      in.fence().keepOff(decision.keepOffSchedulers(), reports(spec));
    }
    MDC.put("step", decision.step() == null ? "-" : decision.step().name());

    // The decision's status, then the act's status-only effects.
    UpgradeStep previousStep = status.getUpgrade() == null ? null : status.getUpgrade().getStep();
    Double previousGap =
        status.getUpgrade() == null ? null : status.getUpgrade().getLastVolumeGapSeconds();
    String gapHost = status.getUpgrade() == null ? null : status.getUpgrade().getVolumeGapHost();
    if (decision.upgrade() != null) {
      status.setUpgrade(decision.upgrade());
    }
    if (action instanceof Action.Complete c) {
      status.setRelease(c.release());
      status.setImage(c.image());
    }
    snapshot.ifPresent(
        s ->
            status.setServices(
                ServicesTable.toStatus(
                    s.rows(),
                    ServiceHosts.ownedBy(name),
                    liveHosts(pods),
                    s.databaseNow(),
                    downTime)));
    Progress progress = progress(cc, in, decision, snapshot.isPresent());
    LOG.debug(
        "decided cluster={} action={} reason={} recheck={}",
        name,
        action.getClass().getSimpleName(),
        action.reason(),
        progress.recheckAfter());
    recordStepMetrics(ns, name, previousStep, status.getUpgrade());
    Double gap = status.getUpgrade() == null ? null : status.getUpgrade().getLastVolumeGapSeconds();
    if (gap != null && !gap.equals(previousGap)) {
      String backend =
          gapHost != null && gapHost.contains("@")
              ? gapHost.substring(gapHost.indexOf('@') + 1)
              : "";
      with.metrics().volumeServiceGap(ns, name, backend, gap);
    }

    if (action.changesWorld()) {
      in.sink().writeNow(status, progress);
    }
    // Templates follow the roll; during an offline schema migration everything is stopped.
    // cinder-api is restarted by a marker on its template, so its Deployment surges.
    String restartMarker = apiRestartMarker(in.observed(), name);
    boolean restartApi =
        action instanceof Action.RestartPod r
            && r.component() == Component.API
            && status.getUpgrade() != null
            && status.getUpgrade().getRowsAtTargetAt() != null
            && !status.getUpgrade().getRowsAtTargetAt().equals(restartMarker);
    if (restartApi) {
      restartMarker = status.getUpgrade().getRowsAtTargetAt();
      events.normal(
          cc,
          "ApiRestarted",
          "rolling cinder-api (Deployment "
              + name
              + "-api, surge, never below its ready replicas): "
              + action.message());
    }
    in.applier()
        .apply(
            new DesiredWorkloads(
                    name,
                    ns,
                    spec,
                    in.configFiles(),
                    (c, b) -> planner.templateImage(status, spec, c, b),
                    planner.servicesStopped(status))
                .withApiRestartMarker(restartMarker));
    // Notices report what this reconcile observed (a gap that ended, a drain that timed out):
    // they come before the act they led to, and are not lost when the act fails.
    for (Decision.Notice n : decision.notices()) {
      if (n.warning()) {
        events.warning(cc, n.reason(), n.message());
      } else {
        events.normal(cc, n.reason(), n.message());
      }
    }
    String refused;
    try {
      perform(cc, in, spec, status, action);
    } finally {
      refused = budgetRefusal.get();
      budgetRefusal.remove();
    }
    removeFinishedJobs(cc, in.observed(), finished);
    with.circuitStates().forEach(this::circuitMetric);
    if (refused != null && status.getUpgrade() != null) {
      // The pod stays; what the roll waits for is the other pod the budget counts as down.
      status.getUpgrade().setBlockedBy(refused);
      return Progress.working(
          progress.phase(), "WaitingForPodDisruptionBudget", refused, BUDGET_RECHECK);
    }
    return progress;
  }

  /**
   * The restart marker on the API Deployment's template as last applied; sticky across upgrades.
   */
  private static String apiRestartMarker(ObservedObjects observed, String cluster) {
    return observed.deployments().stream()
        .filter(d -> Names.api(cluster).equals(d.getMetadata().getName()))
        .map(d -> d.getSpec().getTemplate().getMetadata().getAnnotations())
        .filter(a -> a != null)
        .map(a -> a.get(Labels.RESTARTED_AT))
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  /** With signals unavailable (no pods/exec), services are restarted to drop their pins. */
  private CinderClusterSpec effectiveSpec(CinderClusterSpec spec) {
    if (settings.unpinBySignal()) {
      return spec;
    }
    CinderClusterSpec copy = client.getKubernetesSerialization().clone(spec);
    UpgradeSpec u = copy.getUpgrade() == null ? new UpgradeSpec() : copy.getUpgrade();
    u.setUnpinStrategy(UnpinStrategy.Restart);
    copy.setUpgrade(u);
    return copy;
  }

  /** Nothing under way: the services table need not be read more than once per idle interval. */
  private static boolean isQuiet(CinderCluster cc, CinderClusterStatus status) {
    UpgradeStatus u = status.getUpgrade();
    return Objects.equals(cc.getSpec().getImage(), status.getImage())
        && Objects.equals(cc.getSpec().getRelease(), status.getRelease())
        && (u == null || u.getStep() == null || u.getStep() == UpgradeStep.Complete)
        && (u == null || u.getInFlight() == null);
  }

  private Optional<ServicesSnapshot> read(String key, ServiceRegistry registry, boolean quiet) {
    Instant now = Instant.now(clock);
    // Only a quiet cluster reuses a recent read: every upgrade decision (a check passed, a gate
    // opened) rests on the table as it is now.
    CachedSnapshot cached = quiet ? snapshots.get(key) : null;
    if (cached != null
        && Duration.between(cached.readAt(), now).compareTo(settings.idlePollInterval()) < 0) {
      return Optional.of(cached.snapshot());
    }
    try {
      ServicesSnapshot s = registry.read();
      snapshots.put(key, new CachedSnapshot(s, now));
      return Optional.of(s);
    } catch (DatabaseUnavailableException e) {
      LOG.warn("services table unavailable: {}", e.getMessage());
      snapshots.remove(key);
      return Optional.empty();
    }
  }

  /** The next read must be fresh: an act changed what the table will say. */
  private void invalidate(CinderCluster cc) {
    snapshots.remove(cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName());
  }

  /**
   * During Preflight of an upgrade whose db sync makes use_quota NOT NULL: how many volumes and
   * snapshots still have it NULL. Not read otherwise (two counts per reconcile of that step).
   */
  private Optional<NullUseQuotaRows> nullUseQuota(
      ServiceRegistry registry, CinderClusterStatus st) {
    UpgradeStatus u = st.getUpgrade();
    if (u == null || u.getStep() != UpgradeStep.Preflight || u.getMode() == UpgradeMode.Rollback) {
      return Optional.empty();
    }
    Optional<Release> from = catalog.find(u.getFromRelease());
    Optional<Release> to = catalog.find(u.getToRelease());
    if (from.isEmpty() || to.isEmpty() || !NullUseQuotaRows.checkedOn(from.get(), to.get())) {
      return Optional.empty();
    }
    try {
      return Optional.of(registry.nullUseQuota());
    } catch (DatabaseUnavailableException e) {
      LOG.warn("could not count NULL use_quota rows: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Puts the services table into status.services, read now.
   *
   * @return false when the table cannot be read (status.services is left as it was)
   */
  boolean recordServices(
      CinderCluster cc,
      ObservedObjects observed,
      CinderClusterStatus status,
      ServiceRegistry registry) {
    String name = cc.getMetadata().getName();
    Optional<ServicesSnapshot> snapshot =
        read(cc.getMetadata().getNamespace() + "/" + name, registry, false);
    Duration downTime = ServicesTable.serviceDownTime(cc.getSpec().configOrEmpty());
    List<PodView> pods = KubeObservations.pods(observed.pods());
    snapshot.ifPresent(
        s ->
            status.setServices(
                ServicesTable.toStatus(
                    s.rows(),
                    ServiceHosts.ownedBy(name),
                    liveHosts(pods),
                    s.databaseNow(),
                    downTime)));
    return snapshot.isPresent();
  }

  private static Set<String> liveHosts(List<PodView> pods) {
    Set<String> hosts = new java.util.HashSet<>();
    for (PodView p : pods) {
      if (p.terminating()) {
        continue;
      }
      hosts.add(p.name());
      if (p.backend() != null) {
        hosts.add(p.name() + "@" + p.backend());
      }
    }
    return hosts;
  }

  private Map<String, ProbedVersions> probes(List<JobView> jobs) {
    Map<String, ProbedVersions> probes = new LinkedHashMap<>();
    for (JobView j : jobs) {
      if (j.kind() != Component.VERSION_PROBE || j.state() != JobState.SUCCEEDED) {
        continue;
      }
      try {
        VersionProbeResult r = VersionProbeResult.parse(j.terminationMessage());
        probes.put(
            j.image(),
            new ProbedVersions(r.rpc(), r.objects(), r.objectHistory(), r.packageVersion()));
      } catch (IllegalArgumentException e) {
        // Left out: the planner stalls with VersionProbeFailed and this message's gist.
        LOG.warn("job {}: {}", j.name(), e.getMessage());
      }
    }
    return probes;
  }

  private Progress progress(CinderCluster cc, Inputs in, Decision d, boolean databaseUp) {
    Action a = d.action();
    // Waits on the database (reports, drains, an outage) see no watch event when they end:
    // look again no later than the configured poll interval. Waits on pods and jobs are woken by
    // their informers' events.
    Duration recheck = settings.pollInterval();
    if (a instanceof Action.Wait w && w.recheckAfter() != null) {
      if (w.watched()) {
        recheck = settings.watchedRecheck(w.recheckAfter());
      } else if (w.recheckAfter().compareTo(recheck) < 0) {
        recheck = w.recheckAfter();
      }
    }
    if (d.stalled() || a instanceof Action.Stall) {
      return Progress.stalled(a.reason(), a.message(), settings.idlePollInterval());
    }
    Phase phase = d.phase();
    if (phase == null || phase == Phase.Ready) {
      if (!databaseUp) {
        // What runs is left as it is; the phase stays what it was, Ready waits for the table.
        Phase last = in.status().getPhase() == null ? Phase.Deploying : in.status().getPhase();
        return Progress.working(
            last == Phase.Stalled ? Phase.Deploying : last,
            "DatabaseUnavailable",
            "the Cinder database cannot be reached; nothing is changed until it can",
            settings.pollInterval());
      }
      ClusterDriver.PodReadiness r =
          ClusterDriver.podsReady(cc, in.observed(), cc.getSpec().getImage());
      return r.allReady()
          ? Progress.ready(
              "Cinder " + in.status().getRelease() + ": " + r.summary(),
              settings.idlePollInterval())
          : Progress.working(
              Phase.Deploying, "WaitingForPods", r.summary(), settings.watchedRecheck());
    }
    String message =
        d.blockedBy() != null && !a.message().contains(d.blockedBy())
            ? a.message() + ": " + d.blockedBy()
            : a.message();
    if (a.changesWorld()
        || a instanceof Action.RecordStep
        || a instanceof Action.StartUpgrade
        || a instanceof Action.StartRollback
        || a instanceof Action.RecordPins
        || a instanceof Action.Complete) {
      // More to do at once: come back soon rather than after a poll interval.
      recheck = Duration.ofMillis(Math.min(500, settings.pollInterval().toMillis()));
    }
    return Progress.working(phase, a.reason(), message, recheck);
  }

  private void perform(
      CinderCluster cc,
      Inputs in,
      CinderClusterSpec spec,
      CinderClusterStatus status,
      Action action) {
    String ns = cc.getMetadata().getNamespace();
    String name = cc.getMetadata().getName();
    if (action instanceof Action.CreateJob j) {
      if (in.observed().job(j.name()).isPresent()) {
        return;
      }
      var job =
          CinderJobs.job(
              name,
              ns,
              spec,
              j.name(),
              j.kind().component(),
              j.image(),
              command(j, spec),
              in.configFiles());
      job.getMetadata().setOwnerReferences(List.of(ObjectApplier.ownerReference(cc)));
      if (ObjectApplier.createIfAbsent(client, job)) {
        events.normal(cc, "JobStarted", j.message());
      }
    } else if (action instanceof Action.ReplacePod p) {
      invalidate(cc);
      if (swapAllowed(cc, in, p.pod(), p.uid(), p.swap()) && deletePod(cc, p.pod(), p.uid())) {
        with.metrics().podReplaced(ns, name, p.component().label());
        events.normal(cc, "PodReplaced", p.message());
      }
    } else if (action instanceof Action.RestartPod p && p.component() != Component.API) {
      invalidate(cc);
      if (swapAllowed(cc, in, p.pod(), p.uid(), p.swap()) && deletePod(cc, p.pod(), p.uid())) {
        events.normal(cc, "PodRestarted", p.message());
      }
    } else if (action instanceof Action.SignalPod s) {
      if (!isLiveIncarnation(cc, s.pod(), s.uid())) {
        // The informer cache lags behind a restart this operator just made (the fallback below):
        // the pod is going, and its successor starts without the pins.
        LOG.info("pod {} is being replaced; not signalling it", s.pod());
        return;
      }
      try {
        with.signaller().sighup(ns, s.pod());
      } catch (PodSignaller.SignalFailedException e) {
        // A restart drops the pins as well: the new process reads the rows, all at the target.
        // It starts after rowsAtTargetAt, so the planner does not signal it again; this
        // incarnation counts as told, so a lagging cache does not choose it a second time.
        boolean deleted = deletePod(cc, s.pod(), s.uid());
        if (deleted) {
          recordSignalled(status, s);
        }
        events.warning(
            cc,
            "SignalFailed",
            e.getMessage()
                + (deleted
                    ? "; restarting pod " + s.pod() + " instead, which drops the pins as well"
                    : "; pod "
                        + s.pod()
                        + " is not restarted now (already being replaced, or its"
                        + " PodDisruptionBudget allows no eviction while another pod is down)"));
        return;
      }
      recordSignalled(status, s);
      events.normal(cc, "PodSignalled", s.message());
    } else if (action instanceof Action.RemoveServiceRow r) {
      boolean gone = in.registry().remove(r.row());
      invalidate(cc);
      if (gone) {
        events.normal(cc, "ServiceRowRemoved", r.message());
      } else {
        events.warning(
            cc,
            "ServiceRowNotRemoved",
            "services row "
                + r.row().binary()
                + " "
                + r.row().host()
                + " is still there after the soft delete (a running service re-creates its row)");
      }
    } else if (action instanceof Action.StopNewBackups s) {
      in.registry().stopNewBackups(s.host());
      invalidate(cc);
      events.normal(cc, s.reason(), s.message());
    } else if (action instanceof Action.AllowNewBackups s) {
      in.registry().allowNewBackups(s.host());
      invalidate(cc);
      try {
        in.fence().reportWorking(s.host(), reports(spec).apply(s.host(), true));
      } catch (MessagingUnavailableException e) {
        // The host's own report (every 60 s) says the same.
        LOG.warn("could not tell the schedulers that {} works: {}", s.host(), e.getMessage());
      }
      events.normal(cc, s.reason(), s.message());
    } else if (action instanceof Action.Complete c) {
      events.normal(cc, "UpgradeComplete", c.message());
    } else if (action instanceof Action.StartRollback s) {
      events.warning(cc, s.reason(), s.message());
    } else if (action instanceof Action.StartUpgrade
        || action instanceof Action.RecordStep
        || action instanceof Action.RecordPins) {
      events.normal(cc, action.reason(), action.message());
    }
    // Wait, Stall, Idle, StopServices: nothing beyond status and the applied workloads.
  }

  private List<String> command(Action.CreateJob j, CinderClusterSpec spec) {
    CinderCommands cmd = CinderCommands.standard();
    return switch (j.kind()) {
      case VERSION_PROBE -> cmd.versionProbe();
      case UPGRADE_CHECK -> cmd.upgradeCheckJob();
      case DB_SYNC -> cmd.dbSync();
      case PRE_DATA_MIGRATION, DATA_MIGRATION ->
          cmd.onlineDataMigrationsUntilDone(
              spec.upgradeOrDefault().onlineDataMigrationBatchOrDefault());
    };
  }

  /**
   * Right before a drained cinder-backup pod goes: tell the schedulers once more to skip its host,
   * disable it (a single host, whose swap starts now) and count its backups in flight again. A
   * backup that started since the planner's count keeps the pod (and re-enables a single host); the
   * next pass waits for it.
   */
  private boolean swapAllowed(
      CinderCluster cc, Inputs in, String podName, String uid, Action.BackupSwap swap) {
    if (swap == null) {
      return true;
    }
    Pod live = client.pods().inNamespace(cc.getMetadata().getNamespace()).withName(podName).get();
    if (live == null
        || live.getMetadata().getDeletionTimestamp() != null
        || (uid != null && !uid.equals(live.getMetadata().getUid()))) {
      return true; // already going: deletePod leaves it alone
    }
    if (swap.keepOff() && !in.fence().reassert(swap.host())) {
      LOG.warn(
          "not replacing pod {}: the schedulers could not be told to skip {}: {}",
          podName,
          swap.host(),
          in.fence().problem().orElse("no report sent"));
      return false;
    }
    if (swap.stopFirst()) {
      in.registry().stopNewBackups(swap.host());
    }
    int n = swap.requireIdle() ? in.registry().inFlightBackups(swap.host()) : 0;
    if (n == 0) {
      if (swap.stopFirst()) {
        events.normal(
            cc,
            "BackupDrainStarted",
            "the only backup host "
                + swap.host()
                + " has no backup in flight: disabled for the swap of pod "
                + podName
                + " (until its new pod passed its gate, Cinder refuses restores and deletes and"
                + " a new backup ends in error)");
      }
      return true;
    }
    if (swap.stopFirst()) {
      in.registry().allowNewBackups(swap.host());
    }
    events.normal(
        cc,
        "BackupDrainRecount",
        n
            + " backups started on "
            + swap.host()
            + " since the last count; pod "
            + podName
            + " waits for them");
    return false;
  }

  /** The capability reports of the cluster's backup hosts, with the options their pods read. */
  private BiFunction<String, Boolean, BackupCapabilityReport> reports(CinderClusterSpec spec) {
    Map<String, String> backup =
        spec.getBackup() == null || spec.getBackup().getConfig() == null
            ? Map.of()
            : spec.getBackup().getConfig();
    Map<String, String> common = spec.configOrEmpty().getOrDefault("DEFAULT", Map.of());
    return (host, working) ->
        BackupCapabilityReport.of(host, working, backup, common, Instant.now(clock));
  }

  /** Backups in error since the upgrade began, while one runs; null otherwise. */
  private FailedBackups failedBackups(
      CinderClusterStatus status, ServiceRegistry registry, ServicesSnapshot snapshot) {
    UpgradeStatus u = status.getUpgrade();
    if (u == null || u.getStep() == null || u.getStep() == UpgradeStep.Complete) {
      return null;
    }
    Optional<Instant> started = parse(u.getStartedAt());
    if (started.isEmpty()) {
      return null;
    }
    // updated_at is the database's clock; the start was stamped with the operator's
    Instant since =
        started.get().plus(Duration.between(Instant.now(clock), snapshot.databaseNow()));
    return registry.failedBackupsSince(since, FailedBackupReport.LISTED);
  }

  private static Optional<Instant> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static void recordSignalled(CinderClusterStatus status, Action.SignalPod s) {
    UpgradeStatus u = status.getUpgrade();
    List<String> signalled =
        new ArrayList<>(u.getSignalledPods() == null ? List.of() : u.getSignalledPods());
    if (!signalled.contains(s.marker())) {
      signalled.add(s.marker());
    }
    u.setSignalledPods(signalled);
  }

  /** Whether the pod, as the API server has it now, is this incarnation and not terminating. */
  private boolean isLiveIncarnation(CinderCluster cc, String podName, String uid) {
    Pod live = client.pods().inNamespace(cc.getMetadata().getNamespace()).withName(podName).get();
    return live != null
        && live.getMetadata().getDeletionTimestamp() == null
        && (uid == null || uid.equals(live.getMetadata().getUid()));
  }

  private static final Duration BUDGET_RECHECK = Duration.ofSeconds(1);

  /**
   * Set by {@link #deletePod} when a PodDisruptionBudget refused the eviction in the reconcile
   * running on this thread (reconciles of several clusters run at once).
   */
  private final ThreadLocal<String> budgetRefusal = new ThreadLocal<>();

  /**
   * The other pods of the pod's kind that are not Ready or terminating, read from the API; null
   * when there are none.
   */
  private String othersDown(String ns, Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    Map<String, String> kind = new java.util.TreeMap<>();
    for (String key : List.of(Labels.INSTANCE, Labels.COMPONENT, Labels.BACKEND)) {
      if (labels != null && labels.get(key) != null) {
        kind.put(key, labels.get(key));
      }
    }
    List<String> down =
        client.pods().inNamespace(ns).withLabels(kind).list().getItems().stream()
            .filter(p -> !p.getMetadata().getName().equals(pod.getMetadata().getName()))
            .filter(p -> PodState.isTerminating(p) || !PodState.isReady(p))
            .map(
                p ->
                    p.getMetadata().getName()
                        + (PodState.isTerminating(p) ? " (terminating)" : " (not Ready)"))
            .sorted()
            .toList();
    return down.isEmpty()
        ? null
        : String.join(", ", down) + (down.size() == 1 ? " is" : " are") + " down";
  }

  /**
   * Takes the pod down through the eviction API, and only if it is still the incarnation the
   * planner chose (same uid, not already terminating): the informer cache may lag behind a delete
   * this operator just made. The eviction carries the uid and the resourceVersion just read as
   * preconditions, so one the client sends again (its first answer lost, the pod recreated
   * meanwhile) is refused instead of taking the new pod. Evicting, not deleting, lets the API
   * server check the component's PodDisruptionBudget (one pod down at most) in the same step as it
   * takes the pod: a pod a node drain evicted, or someone deleted, after this operator's cache last
   * looked makes the budget refuse (429), and the roll waits for that pod instead of taking a
   * second one.
   *
   * @return whether this call took it down
   */
  private boolean deletePod(CinderCluster cc, String podName, String uid) {
    String ns = cc.getMetadata().getNamespace();
    Pod live = client.pods().inNamespace(ns).withName(podName).get();
    if (live == null
        || live.getMetadata().getDeletionTimestamp() != null
        || (uid != null && !uid.equals(live.getMetadata().getUid()))) {
      LOG.info("pod {} already being replaced; not deleting it again", podName);
      return false;
    }
    Eviction eviction =
        new EvictionBuilder()
            .withNewMetadata()
            .withName(podName)
            .withNamespace(ns)
            .endMetadata()
            .withDeleteOptions(
                new DeleteOptionsBuilder()
                    .withNewPreconditions()
                    .withUid(live.getMetadata().getUid())
                    .withResourceVersion(live.getMetadata().getResourceVersion())
                    .endPreconditions()
                    .build())
            .build();
    try {
      if (!client.pods().inNamespace(ns).withName(podName).evict(eviction)) {
        String down = othersDown(ns, live);
        // 429 is also the API server's throttling; the client retried it already.
        String why =
            down == null
                ? "pod "
                    + podName
                    + ": the eviction was refused (429: its PodDisruptionBudget or the API"
                    + " server's throttling); trying again"
                : "pod "
                    + podName
                    + ": its PodDisruptionBudget allows no eviction while "
                    + down
                    + "; waiting for it";
        budgetRefusal.set(why);
        LOG.info("{}", why);
        return false;
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 404) {
        throw e;
      }
      LOG.info(
          "pod {} changed or was recreated before the eviction landed; not evicting it", podName);
      return false;
    }
    return true;
  }

  /**
   * Deletes finished jobs whose outcome the stored status carries ({@link FinishedJobs}); their
   * pods go with them (background propagation). Forgets the announcements of jobs that are gone.
   */
  private void removeFinishedJobs(CinderCluster cc, ObservedObjects observed, List<String> names) {
    String ns = cc.getMetadata().getNamespace();
    for (String job : names) {
      var live = observed.job(job);
      if (live.isEmpty() || live.get().getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(ns)
          .withName(job)
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
      LOG.info("removed finished job cluster={} job={}", cc.getMetadata().getName(), job);
    }
    String prefix = cc.getMetadata().getUid() + "/";
    Set<String> present =
        observed.jobs().stream()
            .map(j -> prefix + j.getMetadata().getName())
            .collect(Collectors.toSet());
    announcedJobs.removeIf(k -> k.startsWith(prefix) && !present.contains(k));
  }

  /** Forgets everything held for a deleted cluster. */
  void release(CinderCluster cc) {
    String key = cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName();
    snapshots.remove(key);
    stepStarted.remove(key);
    String prefix = cc.getMetadata().getUid() + "/";
    announcedJobs.removeIf(k -> k.startsWith(prefix));
  }

  /** What is held for a cluster: cached table reads, step clocks, announced jobs. */
  Map<String, Integer> heldFor(CinderCluster cc) {
    String key = cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName();
    String prefix = cc.getMetadata().getUid() + "/";
    Map<String, Integer> held = new LinkedHashMap<>();
    held.put("servicesSnapshots", snapshots.containsKey(key) ? 1 : 0);
    held.put("stepClocks", stepStarted.containsKey(key) ? 1 : 0);
    held.put(
        "announcedJobs", (int) announcedJobs.stream().filter(k -> k.startsWith(prefix)).count());
    return held;
  }

  private void announceFinishedJobs(CinderCluster cc, List<JobView> jobs) {
    Instant recent = Instant.now(clock).minus(Duration.ofMinutes(10));
    for (JobView j : jobs) {
      // A job that finished before this operator started was announced by the one before it (or
      // by nobody, if it was down): a restart must not repeat it, nor write an Event per cluster.
      if (j.state() == JobState.ACTIVE
          || (j.finishedAt() != null
              && (j.finishedAt().isBefore(recent) || j.finishedAt().isBefore(startedAt)))) {
        continue;
      }
      if (announcedJobs.add(cc.getMetadata().getUid() + "/" + j.name())) {
        String text =
            "job "
                + j.name()
                + " "
                + (j.state() == JobState.SUCCEEDED ? "succeeded" : "failed")
                + (j.exitCode() == null ? "" : " (exit code " + j.exitCode() + ")")
                + (j.kind() == Component.DATA_MIGRATION
                    ? OnlineMigrationReport.parse(j.terminationMessage())
                        .map(r -> ": " + r.summary())
                        .orElse("")
                    : "");
        boolean warnings =
            j.kind() == Component.UPGRADE_CHECK
                && j.exitCode() != null
                && JobOutcome.of(
                            dev.cinderoperator.cinder.JobKind.UPGRADE_CHECK,
                            j.exitCode(),
                            j.terminationMessage(),
                            0)
                        .verdict()
                    == JobOutcome.Verdict.SUCCEEDED_WITH_WARNINGS;
        if (j.state() == JobState.SUCCEEDED) {
          events.normal(cc, "JobFinished", text);
        } else if (warnings) {
          // cinder-status exits 1 for warnings: the upgrade goes on (UpgradeCheckWarnings).
          events.normal(
              cc, "JobFinished", "job " + j.name() + " finished with warnings (exit code 1)");
        } else {
          events.warning(cc, "JobFailed", text);
        }
      }
    }
  }

  private final Map<String, Instant> stepStarted = new ConcurrentHashMap<>();

  private void recordStepMetrics(String ns, String name, UpgradeStep before, UpgradeStatus after) {
    UpgradeStep now = after == null ? null : after.getStep();
    with.metrics().upgradeStep(ns, name, now);
    String key = ns + "/" + name;
    if (now != null && now != before) {
      Instant t = Instant.now(clock);
      Instant started = stepStarted.put(key, t);
      if (before != null && started != null) {
        with.metrics().stepCompleted(ns, name, before, Duration.between(started, t));
      }
    }
  }

  private void circuitMetric(String key, int state) {
    int slash = key.indexOf('/');
    with.metrics().databaseCircuit(key.substring(0, slash), key.substring(slash + 1), state);
  }
}
