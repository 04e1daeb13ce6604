package dev.cinderoperator.upgrade.steps;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_POD;

import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.Decision;
import dev.cinderoperator.upgrade.JobSteps;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.upgrade.StepAnswer;
import dev.cinderoperator.upgrade.UpgradeJob;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SchemaMigration: {@code cinder-manage db sync} on the target image. Rolling, the old services
 * keep running on the additive schema; offline, every Cinder workload is scaled to 0 first.
 *
 * @param stopsServices whether every service stops before the db sync (offline)
 */
public record SchemaMigration(boolean stopsServices) implements Step {

  @Override
  public UpgradeStep id() {
    return UpgradeStep.SchemaMigration;
  }

  @Override
  public StepAnswer next(PlanContext ctx) {
    if (!stopsServices) {
      return sync(ctx);
    }
    // Until the old backup pods are gone, as in a rolling swap.
    List<String> keptOff = new ArrayList<>();
    for (ClusterLayout.Slot slot : ctx.layout.backups()) {
      if (ctx.pod(slot.pod()) != null) {
        keptOff.add(slot.host());
      }
    }
    Optional<NextAct> stopping = stopping(ctx);
    return (stopping.isPresent() ? StepAnswer.of(stopping.get()) : sync(ctx)).keepingOff(keptOff);
  }

  /** The db sync on the target image, once. */
  private static StepAnswer sync(PlanContext ctx) {
    String image = ctx.draft.getToImage();
    JobSteps.Once sync = JobSteps.once(ctx, UpgradeJob.DB_SYNC, image);
    if (sync.pending() != null) {
      return StepAnswer.of(sync.pending());
    }
    List<Decision.Notice> told = new ArrayList<>();
    Optional<NextAct> failed =
        JobSteps.verdict(
            UpgradeJob.DB_SYNC,
            sync.finished(),
            "migrating the schema for "
                + image
                + " (the old services still run on the additive schema; reverting spec rolls"
                + " back)",
            told);
    return StepAnswer.of(failed, told);
  }

  /** Offline: every Cinder pod gone before the db sync. */
  private static Optional<NextAct> stopping(PlanContext ctx) {
    long running = ctx.pods().stream().filter(p -> !p.terminating()).count();
    if (running > 0) {
      return Optional.of(
          new NextAct(
              new Action.StopServices(
                  "offline upgrade to "
                      + ctx.draft.getToRelease()
                      + ": scaling every Cinder workload to 0 before the db sync"),
              "stopping services: " + running + " pods still running"));
    }
    if (!ctx.pods().isEmpty()) {
      return Optional.of(
          PlanContext.waiting(
              "StoppingServices",
              "stopping services: " + ctx.pods().size() + " pods terminating",
              RECHECK_POD));
    }
    return Optional.empty();
  }

  @Override
  public boolean stopsServices() {
    return stopsServices;
  }

  @Override
  public boolean revertible() {
    return !stopsServices;
  }

  @Override
  public int weight(ClusterLayout layout) {
    return stopsServices ? 2 : 1; // (stop,) db sync
  }

  @Override
  public int done(PlanContext ctx) {
    boolean stopped = ctx.pods().stream().noneMatch(p -> p.component() != Component.CONFIG);
    return stopsServices && stopped ? 1 : 0;
  }

  @Override
  public PlannedStep preview(PreviewInput in) {
    List<String> jobs = List.of(Names.dbSyncJob(in.cluster(), in.hashTo()));
    if (!stopsServices) {
      return new PlannedStep(
          id(),
          "cinder-manage db sync on " + in.toImage() + " while the old services keep running",
          jobs,
          List.of());
    }
    return new PlannedStep(
        id(),
        "stop new backups on every backup host and wait for those in flight (bounded by"
            + " backupDrainTimeout; this ends Preflight), stop every Cinder service (scale"
            + " to 0), then cinder-manage db sync on "
            + in.toImage(),
        jobs,
        in.everyPod());
  }
}
