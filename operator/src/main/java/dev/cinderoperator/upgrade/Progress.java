package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.workload.Component;
import java.util.List;

/**
 * completedSteps/totalSteps, counted over the jobs and pods of the plan and re-derived from the
 * world: pods count as done when they run the target image and are Ready.
 *
 * <ul>
 *   <li>Rolling: 3 preflight jobs (previous data migrations, version probe, upgrade check), db
 *       sync, pinning, every pod (scheduler, volume, backup, api), unpinning, data migrations.
 *   <li>Offline: 3 preflight jobs, stop, db sync, start, unpinning, data migrations.
 *   <li>Rollback: every pod.
 * </ul>
 */
final class Progress {
  private Progress() {}

  static int total(UpgradeMode mode, ClusterLayout layout) {
    int pods = layout.forward().size() + layout.apiReplicas();
    return switch (mode) {
      case Rolling -> 7 + pods;
      case Offline -> 8;
      case Rollback -> pods;
    };
  }

  static void apply(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    if (u == null || u.getMode() == null || u.getStep() == null) {
      return;
    }
    int total = total(u.getMode(), ctx.layout);
    u.setTotalSteps(total);
    u.setCompletedSteps(Math.min(total, completed(ctx, u)));
  }

  private static int completed(PlanContext ctx, UpgradeStatus u) {
    UpgradeStep step = u.getStep();
    if (step == UpgradeStep.Complete) {
      return total(u.getMode(), ctx.layout);
    }
    ClusterLayout l = ctx.layout;
    int s = l.schedulers().size();
    int v = l.volumes().size();
    int b = l.backups().size();
    int a = l.apiReplicas();
    String image = u.getToImage();
    return switch (u.getMode()) {
      case Rolling ->
          switch (step) {
            case Preflight -> preflightDone(ctx, u);
            case SchemaMigration -> 3;
            case Pinning -> 4;
            case RollingScheduler -> 5 + done(ctx, l.schedulers(), image);
            case RollingVolume -> 5 + s + done(ctx, l.volumes(), image);
            case RollingBackup -> 5 + s + v + done(ctx, l.backups(), image);
            case RollingApi -> 5 + s + v + b + apiDone(ctx, image);
            case Unpinning -> 5 + s + v + b + a;
            default -> 6 + s + v + b + a;
          };
      case Offline ->
          switch (step) {
            case Preflight -> preflightDone(ctx, u);
            case SchemaMigration -> 3 + (anyCinderPod(ctx) ? 0 : 1);
            case Unpinning -> 5;
            default -> 7;
          };
      case Rollback ->
          switch (step) {
            case RollingApi -> apiDone(ctx, image);
            case RollingBackup -> a + done(ctx, l.backups(), image);
            case RollingVolume -> a + b + done(ctx, l.volumes(), image);
            default -> a + b + v + done(ctx, l.schedulers(), image);
          };
    };
  }

  private static int preflightDone(PlanContext ctx, UpgradeStatus u) {
    int n = 0;
    Integer run = u.getDataMigrationRuns();
    if (run != null && u.getFromImage() != null) {
      String name =
          JobSteps.name(ctx.obs.cluster(), UpgradeJob.PRE_DATA_MIGRATION, u.getFromImage(), run);
      if (ctx.job(name).map(j -> Integer.valueOf(0).equals(j.effectiveExitCode())).orElse(false)) {
        n++;
      }
    }
    if (u.getToImage() != null) {
      if (finished(ctx, UpgradeJob.VERSION_PROBE, u.getToImage())) {
        n++;
      }
      if (finished(ctx, UpgradeJob.UPGRADE_CHECK, u.getToImage())) {
        n++;
      }
    }
    return n;
  }

  private static boolean finished(PlanContext ctx, UpgradeJob kind, String image) {
    return ctx.job(JobSteps.name(ctx.obs.cluster(), kind, image, 0))
        .map(j -> j.state() == JobState.SUCCEEDED)
        .orElse(false);
  }

  private static int done(PlanContext ctx, List<ClusterLayout.Slot> slots, String image) {
    int n = 0;
    for (ClusterLayout.Slot slot : slots) {
      PodView p = ctx.pod(slot.pod());
      if (p != null && !p.terminating() && p.ready() && image.equals(p.image())) {
        n++;
      }
    }
    return n;
  }

  private static int apiDone(PlanContext ctx, String image) {
    int n = 0;
    for (PodView p : ctx.liveApiPods()) {
      if (p.ready() && image.equals(p.image())) {
        n++;
      }
    }
    return Math.min(n, ctx.layout.apiReplicas());
  }

  static boolean anyCinderPod(PlanContext ctx) {
    return ctx.pods().stream().anyMatch(p -> p.component() != Component.CONFIG);
  }
}
