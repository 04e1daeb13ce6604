package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.install.FirstInstall;
import dev.cinderoperator.install.PodReadiness;
import dev.cinderoperator.upgrade.JobView;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.workload.CinderJobs;
import dev.cinderoperator.workload.Component;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A first install (no image recorded in status yet): observes the db-sync Job, the pods and, once
 * they all serve, the services table; asks {@link FirstInstall} what comes next and does it.
 */
final class FirstInstaller {
  private final DriverParts parts;

  FirstInstaller(DriverParts parts) {
    this.parts = parts;
  }

  /**
   * @param workloads applies the workloads, every pod on the spec's image
   */
  Progress install(
      CinderCluster cc,
      ObservedObjects observed,
      CinderClusterStatus status,
      Map<String, String> files,
      ServiceRegistry registry,
      Runnable workloads) {
    CinderClusterSpec spec = cc.getSpec();
    String name = cc.getMetadata().getName();
    List<PodView> pods = KubeObservations.pods(observed.pods());
    JobView dbSync =
        observed
            .job(FirstInstall.dbSyncJob(name, spec.getImage()))
            .map(j -> KubeObservations.job(j, observed.pods()))
            .orElse(null);
    PodReadiness readiness = PodReadiness.of(name, spec, pods, spec.getImage());
    boolean servicesRead =
        FirstInstall.readsServices(dbSync, readiness)
            && parts.reads().recordNow(cc, pods, status, registry);
    FirstInstall.Plan plan =
        FirstInstall.next(
            new FirstInstall.Observation(
                name, spec.getImage(), spec.getRelease(), dbSync, readiness, servicesRead));

    if (plan.createJob() != null) {
      createDbSync(cc, plan, files);
    }
    if (plan.applyWorkloads()) {
      workloads.run();
    }
    if (plan.deployed() != null) {
      status.setRelease(spec.getRelease());
      status.setImage(spec.getImage());
      parts.events().normal(cc, "Deployed", plan.deployed());
    }
    return progress(plan);
  }

  private void createDbSync(CinderCluster cc, FirstInstall.Plan plan, Map<String, String> files) {
    CinderClusterSpec spec = cc.getSpec();
    Job dbSync =
        CinderJobs.job(
            cc.getMetadata().getName(),
            cc.getMetadata().getNamespace(),
            spec,
            plan.createJob(),
            Component.DB_SYNC,
            spec.getImage(),
            CinderCommands.standard().dbSync(),
            files);
    if (parts.applier().apply(cc, dbSync, Optional.empty()) == ObjectApplier.Result.CREATED) {
      parts.events().normal(cc, "JobStarted", plan.jobStarted());
    }
  }

  private Progress progress(FirstInstall.Plan plan) {
    var recheck =
        switch (plan.recheck()) {
          case WATCHED -> parts.settings().watchedRecheck();
          case POLL -> parts.settings().pollInterval();
          case IDLE -> parts.settings().idlePollInterval();
          case SPEC_RETRY -> parts.settings().invalidSpecRetry();
        };
    if (plan.phase() == Phase.Stalled) {
      return Progress.stalled(plan.reason(), plan.message(), recheck);
    }
    return plan.phase() == Phase.Ready
        ? Progress.ready(plan.message(), recheck)
        : Progress.working(plan.phase(), plan.reason(), plan.message(), recheck);
  }
}
