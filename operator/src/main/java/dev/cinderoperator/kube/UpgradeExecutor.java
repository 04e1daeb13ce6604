package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UnpinStrategy;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.cinder.VersionProbeResult;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServicesSnapshot;
import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.Decision;
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
import io.fabric8.kubernetes.api.model.Pod;
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
    Map<String, Integer> inFlight = new HashMap<>();
    if (snapshot.isPresent()) {
      try {
        for (String host : stoppedHosts) {
          inFlight.put(host, in.registry().inFlightBackups(host));
        }
      } catch (DatabaseUnavailableException e) {
        snapshot = Optional.empty();
      }
    }
    List<PodView> pods = KubeObservations.pods(in.observed().pods());
    List<JobView> jobs = KubeObservations.jobs(in.observed().jobs(), in.observed().pods());
    announceFinishedJobs(cc, jobs);

    Observation obs =
        new Observation(
            name,
            spec,
            status,
            Optional.ofNullable(cc.getMetadata().getGeneration()).orElse(0L),
            Instant.now(clock),
            pods,
            jobs,
            snapshot.map(s -> new ServicesView(s.rows(), s.databaseNow(), downTime)),
            probes(jobs),
            layout::configChecksum,
            inFlight,
            stoppedHosts,
            catalog);
    Decision decision = planner.plan(obs);
    Action action = decision.action();
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
    perform(cc, in, spec, status, action);
    with.circuitStates().forEach(this::circuitMetric);
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
        probes.put(j.image(), new ProbedVersions(r.rpc(), r.objects(), r.objectHistory()));
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
      if (deletePod(cc, p.pod(), p.uid())) {
        with.metrics().podReplaced(ns, name, p.component().label());
        events.normal(cc, "PodReplaced", p.message());
      }
    } else if (action instanceof Action.RestartPod p && p.component() != Component.API) {
      invalidate(cc);
      if (deletePod(cc, p.pod(), p.uid())) {
        events.normal(cc, "PodRestarted", p.message());
      }
    } else if (action instanceof Action.SignalPod s) {
      with.signaller().sighup(ns, s.pod());
      UpgradeStatus u = status.getUpgrade();
      List<String> signalled =
          new ArrayList<>(u.getSignalledPods() == null ? List.of() : u.getSignalledPods());
      if (!signalled.contains(s.marker())) {
        signalled.add(s.marker());
      }
      u.setSignalledPods(signalled);
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
      case UPGRADE_CHECK -> cmd.upgradeCheck();
      case DB_SYNC -> cmd.dbSync();
      case PRE_DATA_MIGRATION, DATA_MIGRATION ->
          cmd.onlineDataMigrations(spec.upgradeOrDefault().onlineDataMigrationBatchOrDefault());
    };
  }

  /**
   * Deletes the pod only if it is still the incarnation the planner chose (same uid, not already
   * terminating): the informer cache may lag behind a delete this operator just made. The delete
   * carries the resourceVersion just read as a precondition, so a delete the client sends again
   * (its first answer lost, the pod recreated meanwhile) is refused instead of deleting the new
   * pod.
   *
   * @return whether this call deleted it
   */
  private boolean deletePod(CinderCluster cc, String podName, String uid) {
    Pod live = client.pods().inNamespace(cc.getMetadata().getNamespace()).withName(podName).get();
    if (live == null
        || live.getMetadata().getDeletionTimestamp() != null
        || (uid != null && !uid.equals(live.getMetadata().getUid()))) {
      LOG.info("pod {} already being replaced; not deleting it again", podName);
      return false;
    }
    try {
      client
          .pods()
          .inNamespace(cc.getMetadata().getNamespace())
          .withName(podName)
          .lockResourceVersion(live.getMetadata().getResourceVersion())
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      LOG.info(
          "pod {} changed or was recreated before the delete landed; not deleting it", podName);
      return false;
    }
    return true;
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
                + (j.exitCode() == null ? "" : " (exit code " + j.exitCode() + ")");
        boolean warnings =
            j.kind() == Component.UPGRADE_CHECK && Integer.valueOf(1).equals(j.exitCode());
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
