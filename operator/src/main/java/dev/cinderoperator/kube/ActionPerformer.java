package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.cinder.BackupCapabilityReport;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.messaging.MessagingUnavailableException;
import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.workload.CinderJobs;
import dev.cinderoperator.workload.Component;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the planner's one action (its intent is already in status): a job, a pod replaced or
 * signalled, a services row removed, backups stopped or allowed on a host, and the Event that says
 * so. Decides nothing beyond whether the world still is as observed.
 */
final class ActionPerformer {
  private static final Logger LOG = LoggerFactory.getLogger(ActionPerformer.class);

  private final DriverParts parts;
  private final EventRecorder events;
  private final PodEvictions evictions;
  private final BackupSwapCheck swaps;
  private final Map<String, String> announcedStarts = new ConcurrentHashMap<>();

  /** Per cluster, the uids of jobs deleted here that the informer cache still shows. */
  private final Map<String, Set<String>> deletedJobs = new ConcurrentHashMap<>();

  ActionPerformer(DriverParts parts) {
    this.parts = parts;
    this.events = parts.events();
    this.evictions = new PodEvictions(parts.client());
    this.swaps = new BackupSwapCheck(evictions, parts.events());
  }

  /**
   * @return why a PodDisruptionBudget refused to let a pod go, null when none did
   */
  String perform(
      CinderCluster cc,
      UpgradeExecutor.Inputs in,
      CinderClusterSpec spec,
      CinderClusterStatus status,
      Action action) {
    if (action instanceof Action.CreateJob j) {
      createJob(cc, in, spec, j);
    } else if (action instanceof Action.ReplacePod p) {
      return takeDown(cc, in, p.pod(), p.uid(), p.swap(), "PodReplaced", p.message(), p);
    } else if (action instanceof Action.RestartPod p && p.component() != Component.API) {
      return takeDown(cc, in, p.pod(), p.uid(), p.swap(), "PodRestarted", p.message(), null);
    } else if (action instanceof Action.SignalPod s) {
      return signal(cc, status, s);
    } else if (action instanceof Action.RemoveServiceRow r) {
      removeRow(cc, in, r);
    } else if (action instanceof Action.StopNewBackups s) {
      in.registry().stopNewBackups(s.host());
      parts.reads().invalidate(ServicesTableReads.key(cc));
      events.normal(cc, s.reason(), s.message());
    } else if (action instanceof Action.AllowNewBackups s) {
      allowBackups(cc, in, spec, s);
    } else if (action instanceof Action.Complete c) {
      events.normal(cc, "UpgradeComplete", c.message());
    } else if (action instanceof Action.StartRollback s) {
      if (firstStart(cc, s)) {
        events.warning(cc, s.reason(), s.message());
      }
    } else if (action instanceof Action.StartUpgrade s) {
      if (firstStart(cc, s)) {
        events.normal(cc, s.reason(), s.message());
      }
    } else if (action instanceof Action.RecordStep || action instanceof Action.RecordPins) {
      events.normal(cc, action.reason(), action.message());
    }
    // Wait, Stall, Idle, StopServices: nothing beyond status and the applied workloads.
    return null;
  }

  /**
   * Whether this start of an upgrade or rollback is not the one already announced for this
   * generation of the cluster. A start writes status only, and the next reconcile can come from a
   * cache that does not hold that write yet; it decides the same start again, which must not tell
   * the user twice (as PodEvictions does not take a pod down twice).
   */
  private boolean firstStart(CinderCluster cc, Action start) {
    String decided = start.message() + " at generation " + cc.getMetadata().getGeneration();
    return !decided.equals(announcedStarts.put(String.valueOf(cc.getMetadata().getUid()), decided));
  }

  private void createJob(
      CinderCluster cc, UpgradeExecutor.Inputs in, CinderClusterSpec spec, Action.CreateJob j) {
    if (in.observed().job(j.name()).isPresent()) {
      return;
    }
    var job =
        CinderJobs.job(
            cc.getMetadata().getName(),
            cc.getMetadata().getNamespace(),
            spec,
            j.name(),
            j.kind().component(),
            j.image(),
            command(j, spec),
            in.configFiles());
    job.getMetadata().setOwnerReferences(List.of(ObjectApplier.ownerReference(cc)));
    if (ObjectApplier.createIfAbsent(parts.client(), job)) {
      events.normal(cc, "JobStarted", j.message());
    }
  }

  private static List<String> command(Action.CreateJob j, CinderClusterSpec spec) {
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

  /** Replaces or restarts a pod (a replaced one is counted in the metrics). */
  private String takeDown(
      CinderCluster cc,
      UpgradeExecutor.Inputs in,
      String pod,
      String uid,
      Action.BackupSwap swap,
      String reason,
      String message,
      Action.ReplacePod replaced) {
    parts.reads().invalidate(ServicesTableReads.key(cc));
    if (!swaps.allows(cc, in, pod, uid, swap)) {
      return null;
    }
    String ns = cc.getMetadata().getNamespace();
    PodEvictions.Outcome out = evictions.evict(ns, pod, uid);
    if (out.taken()) {
      if (replaced != null) {
        parts
            .with()
            .metrics()
            .podReplaced(ns, cc.getMetadata().getName(), replaced.component().label());
      }
      events.normal(cc, reason, message);
    }
    return out.refusal();
  }

  private String signal(CinderCluster cc, CinderClusterStatus status, Action.SignalPod s) {
    String ns = cc.getMetadata().getNamespace();
    if (evictions.liveIncarnation(ns, s.pod(), s.uid()).isEmpty()) {
      // The informer cache lags behind a restart this operator just made (the fallback below):
      // the pod is going, and its successor starts without the pins.
      LOG.info("pod {} is being replaced; not signalling it", s.pod());
      return null;
    }
    try {
      parts.with().signaller().sighup(ns, s.pod());
    } catch (PodSignaller.SignalFailedException e) {
      // A restart drops the pins as well: the new process reads the rows, all at the target.
      // It starts after rowsAtTargetAt, so the planner does not signal it again; this
      // incarnation counts as told, so a lagging cache does not choose it a second time.
      PodEvictions.Outcome out = evictions.evict(ns, s.pod(), s.uid());
      if (out.taken()) {
        recordSignalled(status, s);
      }
      events.warning(
          cc,
          "SignalFailed",
          e.getMessage()
              + (out.taken()
                  ? "; restarting pod " + s.pod() + " instead, which drops the pins as well"
                  : "; pod "
                      + s.pod()
                      + " is not restarted now (already being replaced, or its"
                      + " PodDisruptionBudget allows no eviction while another pod is down)"));
      return out.refusal();
    }
    recordSignalled(status, s);
    events.normal(cc, "PodSignalled", s.message());
    return null;
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

  private void removeRow(CinderCluster cc, UpgradeExecutor.Inputs in, Action.RemoveServiceRow r) {
    boolean gone = in.registry().remove(r.row());
    parts.reads().invalidate(ServicesTableReads.key(cc));
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
  }

  private void allowBackups(
      CinderCluster cc,
      UpgradeExecutor.Inputs in,
      CinderClusterSpec spec,
      Action.AllowNewBackups s) {
    in.registry().allowNewBackups(s.host());
    parts.reads().invalidate(ServicesTableReads.key(cc));
    try {
      in.fence().reportWorking(s.host(), reports(spec).apply(s.host(), true));
    } catch (MessagingUnavailableException e) {
      // The host's own report (every 60 s) says the same.
      LOG.warn("could not tell the schedulers that {} works: {}", s.host(), e.getMessage());
    }
    events.normal(cc, s.reason(), s.message());
  }

  /** The capability reports of the cluster's backup hosts, with the options their pods read. */
  BiFunction<String, Boolean, BackupCapabilityReport> reports(CinderClusterSpec spec) {
    Map<String, String> backup =
        spec.getBackup() == null || spec.getBackup().getConfig() == null
            ? Map.of()
            : spec.getBackup().getConfig();
    Map<String, String> common = spec.configOrEmpty().getOrDefault("DEFAULT", Map.of());
    return (host, working) ->
        BackupCapabilityReport.of(host, working, backup, common, Instant.now(parts.clock()));
  }

  /**
   * Deletes finished jobs whose outcome the stored status carries ({@link
   * dev.cinderoperator.upgrade.FinishedJobs}); their pods go with them (background propagation).
   * Each once: until the cache shows a deleted job gone, the reconciles that come meanwhile would
   * otherwise delete it again (a request each, on the upgrade's path).
   */
  void removeJobs(CinderCluster cc, ObservedObjects observed, List<String> names) {
    String key = ServicesTableReads.key(cc);
    Set<String> deleted = deletedJobs.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
    // a uid the cache no longer shows is gone for good
    deleted.retainAll(
        observed.jobs().stream().map(j -> j.getMetadata().getUid()).collect(Collectors.toSet()));
    for (String job : names) {
      var live = observed.job(job);
      if (live.isEmpty()
          || live.get().getMetadata().getDeletionTimestamp() != null
          || deleted.contains(live.get().getMetadata().getUid())) {
        continue;
      }
      parts
          .client()
          .batch()
          .v1()
          .jobs()
          .inNamespace(cc.getMetadata().getNamespace())
          .withName(job)
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
      deleted.add(live.get().getMetadata().getUid());
      LOG.info("removed finished job cluster={} job={}", cc.getMetadata().getName(), job);
    }
    if (deleted.isEmpty()) {
      deletedJobs.remove(key);
    }
  }

  /** Forgets what is held for a deleted cluster. */
  void release(CinderCluster cc) {
    deletedJobs.remove(ServicesTableReads.key(cc));
    announcedStarts.remove(String.valueOf(cc.getMetadata().getUid()));
  }

  /** Jobs deleted and not yet gone from the cache, and the announced start, for a cluster. */
  int heldFor(CinderCluster cc) {
    Set<String> deleted = deletedJobs.get(ServicesTableReads.key(cc));
    return (deleted == null ? 0 : deleted.size())
        + (announcedStarts.containsKey(String.valueOf(cc.getMetadata().getUid())) ? 1 : 0);
  }
}
