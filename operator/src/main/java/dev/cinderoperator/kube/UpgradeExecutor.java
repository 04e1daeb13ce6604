package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.UnpinStrategy;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.install.PodReadiness;
import dev.cinderoperator.messaging.BackupHostFence;
import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.Decision;
import dev.cinderoperator.upgrade.FinishedJobs;
import dev.cinderoperator.upgrade.Observation;
import dev.cinderoperator.upgrade.UpgradePlanner;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.DesiredWorkloads;
import dev.cinderoperator.workload.Labels;
import dev.cinderoperator.workload.Names;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs an installed CinderCluster through the planner: observe ({@link UpgradeObserver}), plan,
 * record the intent in status, apply the workloads the roll asks for, then act ({@link
 * ActionPerformer}). Decides nothing itself.
 */
public class UpgradeExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(UpgradeExecutor.class);

  private final DriverParts parts;
  private final EventRecorder events;
  private final UpgradePlanner planner = new UpgradePlanner();
  private final UpgradeObserver observer;
  private final ActionPerformer performer;
  private final JobAnnouncements announcements;
  private final StepMetrics stepMetrics;
  private final RecheckPolicy recheck;

  UpgradeExecutor(DriverParts parts) {
    this.parts = parts;
    this.events = parts.events();
    this.observer = new UpgradeObserver(parts.clock(), parts.catalog(), parts.reads());
    this.performer = new ActionPerformer(parts);
    this.announcements = new JobAnnouncements(parts.clock(), parts.events());
    this.stepMetrics = new StepMetrics(parts.with().metrics(), parts.clock());
    this.recheck = new RecheckPolicy(parts.settings());
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
    CinderClusterSpec spec = effectiveSpec(cc.getSpec());
    UpgradeObserver.Observed seen = observer.observe(cc, spec, in);
    Observation obs = seen.observation();
    announcements.announce(cc, obs.jobs());
    // Decided on the status as stored, before this reconcile changes it.
    List<String> finished = FinishedJobs.removable(obs.cluster(), in.status(), obs.jobs());

    Decision decision = planner.plan(obs);
    if (decision.keepOffSchedulers() != null) {
      in.fence().keepOff(decision.keepOffSchedulers(), performer.reports(spec));
    }
    MDC.put("step", decision.step() == null ? "-" : decision.step().name());

    Progress progress = recordIntent(cc, in, seen, decision);
    applyWorkloads(cc, in, spec, decision.action());
    // Notices report what this reconcile observed (a gap that ended, a drain that timed out):
    // they come before the act they led to, and are not lost when the act fails.
    for (Decision.Notice n : decision.notices()) {
      if (n.warning()) {
        events.warning(cc, n.reason(), n.message());
      } else {
        events.normal(cc, n.reason(), n.message());
      }
    }
    String refused = performer.perform(cc, in, spec, in.status(), decision.action());
    performer.removeJobs(cc, in.observed(), finished);
    announcements.forgetGone(cc, in.observed().jobs());
    stepMetrics.circuits(parts.with().circuitStates());
    if (refused != null && in.status().getUpgrade() != null) {
      in.status().getUpgrade().setBlockedBy(refused);
      return RecheckPolicy.budgetRefused(progress, refused);
    }
    return progress;
  }

  /**
   * Puts the decision into status (the act's status-only effects included) and writes it before an
   * act that changes the world, so an operator killed in between resumes and never repeats it.
   */
  private Progress recordIntent(
      CinderCluster cc, Inputs in, UpgradeObserver.Observed seen, Decision decision) {
    String ns = cc.getMetadata().getNamespace();
    String name = cc.getMetadata().getName();
    CinderClusterStatus status = in.status();
    Action action = decision.action();
    StepMetrics.Before before = StepMetrics.Before.of(status.getUpgrade());
    if (decision.upgrade() != null) {
      status.setUpgrade(decision.upgrade());
    }
    if (action instanceof Action.Complete c) {
      status.setRelease(c.release());
      status.setImage(c.image());
    }
    Observation obs = seen.observation();
    seen.snapshot()
        .ifPresent(
            s ->
                status.setServices(
                    ServicesTableReads.asStatus(
                        name,
                        s,
                        obs.pods(),
                        ServicesTable.serviceDownTime(obs.spec().configOrEmpty()))));
    PodReadiness pods = PodReadiness.of(name, cc.getSpec(), obs.pods(), cc.getSpec().getImage());
    Progress progress = recheck.progress(decision, status, seen.snapshot().isPresent(), pods);
    LOG.debug(
        "decided cluster={} action={} reason={} recheck={}",
        name,
        action.getClass().getSimpleName(),
        action.reason(),
        progress.recheckAfter());
    stepMetrics.record(ns, name, before, status.getUpgrade());
    if (action.changesWorld()) {
      in.sink().writeNow(status, progress);
    }
    return progress;
  }

  /**
   * Templates follow the roll; during an offline schema migration everything is stopped. cinder-api
   * is restarted by a marker on its template, so its Deployment surges.
   */
  private void applyWorkloads(CinderCluster cc, Inputs in, CinderClusterSpec spec, Action action) {
    String name = cc.getMetadata().getName();
    CinderClusterStatus status = in.status();
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
                    cc.getMetadata().getNamespace(),
                    spec,
                    in.configFiles(),
                    (c, b) -> planner.templateImage(status, spec, c, b),
                    planner.servicesStopped(status))
                .withApiRestartMarker(restartMarker));
  }

  /**
   * The restart marker on the API Deployment's template as last applied; sticky across upgrades.
   */
  private static String apiRestartMarker(ObservedObjects observed, String cluster) {
    return observed.deployments().stream()
        .filter(d -> Names.api(cluster).equals(d.getMetadata().getName()))
        .map(d -> d.getSpec().getTemplate().getMetadata().getAnnotations())
        .filter(Objects::nonNull)
        .map(a -> a.get(Labels.RESTARTED_AT))
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  /** With signals unavailable (no pods/exec), services are restarted to drop their pins. */
  private CinderClusterSpec effectiveSpec(CinderClusterSpec spec) {
    if (parts.settings().unpinBySignal()) {
      return spec;
    }
    CinderClusterSpec copy = parts.client().getKubernetesSerialization().clone(spec);
    UpgradeSpec u = copy.getUpgrade() == null ? new UpgradeSpec() : copy.getUpgrade();
    u.setUnpinStrategy(UnpinStrategy.Restart);
    copy.setUpgrade(u);
    return copy;
  }

  /** Forgets everything held for a deleted cluster. */
  void release(CinderCluster cc) {
    String key = ServicesTableReads.key(cc);
    parts.reads().invalidate(key);
    stepMetrics.release(key);
    announcements.release(cc);
    performer.release(cc);
  }

  /**
   * What is held for a cluster: cached table reads, step clocks, announced jobs and starts, jobs
   * deleted.
   */
  Map<String, Integer> heldFor(CinderCluster cc) {
    String key = ServicesTableReads.key(cc);
    Map<String, Integer> held = new LinkedHashMap<>();
    held.put("servicesSnapshots", parts.reads().heldFor(key));
    held.put("stepClocks", stepMetrics.heldFor(key));
    held.put("announcedJobs", announcements.heldFor(cc));
    held.put("deletedJobsAndStarts", performer.heldFor(cc));
    return held;
  }
}
