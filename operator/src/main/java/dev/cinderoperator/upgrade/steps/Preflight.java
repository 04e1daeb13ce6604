package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.JobOutcome;
import dev.cinderoperator.upgrade.ClusterLayout;
import dev.cinderoperator.upgrade.Decision;
import dev.cinderoperator.upgrade.JobState;
import dev.cinderoperator.upgrade.JobSteps;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.upgrade.ProbedVersions;
import dev.cinderoperator.upgrade.ServiceRowAudit;
import dev.cinderoperator.upgrade.StepAnswer;
import dev.cinderoperator.upgrade.UpgradeJob;
import dev.cinderoperator.workload.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Preflight: the running release's online data migrations, the version probe of the target image,
 * {@code cinder-status upgrade check}, the rows the db sync would refuse, and stale services rows.
 * An offline upgrade also drains every backup host here ({@link OfflineBackupDrain}): the drain
 * ends Preflight, and recording SchemaMigration scales every workload to 0.
 *
 * @param drainsBackups whether the step ends with the offline drain of every backup host
 */
public record Preflight(boolean drainsBackups) implements Step {

  @Override
  public UpgradeStep id() {
    return UpgradeStep.Preflight;
  }

  @Override
  public StepAnswer next(PlanContext ctx) {
    StepAnswer checks = checks(ctx);
    if (!drainsBackups) {
      return checks;
    }
    if (!checks.finished()) {
      // The checks' Events are told once, as the whole step ends, not on every pass of the drain.
      return new StepAnswer(checks.next(), List.of(), checks.change());
    }
    StepAnswer drain = OfflineBackupDrain.next(ctx);
    List<Decision.Notice> told = new ArrayList<>(drain.notices());
    if (drain.finished()) {
      told.addAll(checks.notices());
    }
    return new StepAnswer(
        drain.next(), told, checks.change().then(drain.change()), drain.keptOff());
  }

  private static StepAnswer checks(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    List<Decision.Notice> told = new ArrayList<>();
    Optional<NextAct> previous =
        JobSteps.migrations(ctx, UpgradeJob.PRE_DATA_MIGRATION, u.getFromImage(), told);
    if (previous.isPresent()) {
      return StepAnswer.of(previous, told);
    }
    JobSteps.Once probe = JobSteps.once(ctx, UpgradeJob.VERSION_PROBE, u.getToImage());
    if (probe.pending() != null) {
      return StepAnswer.of(Optional.of(probe.pending()), told);
    }
    Optional<NextAct> probeFailed =
        JobSteps.verdict(
            UpgradeJob.VERSION_PROBE,
            probe.finished(),
            "probing the versions " + u.getToImage() + " carries",
            told);
    if (probeFailed.isPresent()) {
      return StepAnswer.of(probeFailed, told);
    }
    ProbedVersions probed = ctx.obs.probes().get(u.getToImage());
    if (probed == null) {
      String probeName = probe.finished().name();
      return StepAnswer.of(
          Optional.of(
              PlanContext.stall(
                  "VersionProbeFailed",
                  "job "
                      + probeName
                      + " succeeded but its output could not be read as versions; is "
                      + u.getToImage()
                      + " a Cinder image? Delete job "
                      + probeName
                      + " to probe again."
                      + JobSteps.detail(probe.finished()),
                  "job " + probeName + ": unreadable output")),
          told);
    }
    // Told once, as the step ends, like the check's warnings.
    List<Decision.Notice> atEnd = new ArrayList<>();
    Optional<NextAct> mismatch = ReleaseCheck.mismatch(ctx, probed, atEnd);
    if (mismatch.isPresent()) {
      return StepAnswer.of(mismatch, told);
    }
    List<VersionPin> targets = probed.toPins();
    StepAnswer rest = afterProbe(ctx, targets, told, atEnd);
    return rest.with(s -> s.setTargets(targets));
  }

  /**
   * The upgrade check, the rows the db sync would refuse, stale rows: once the targets are known.
   */
  private static StepAnswer afterProbe(
      PlanContext ctx,
      List<VersionPin> targets,
      List<Decision.Notice> told,
      List<Decision.Notice> atEnd) {
    UpgradeStatus u = ctx.draft;
    JobSteps.Once check = JobSteps.once(ctx, UpgradeJob.UPGRADE_CHECK, u.getToImage());
    if (check.pending() != null) {
      return StepAnswer.of(Optional.of(check.pending()), told);
    }
    JobOutcome checked = JobSteps.outcome(UpgradeJob.UPGRADE_CHECK, check.finished(), 0);
    if (!checked.proceeds()) {
      return StepAnswer.of(
          Optional.of(JobSteps.stall(checked, check.finished(), "checking " + u.getToImage())),
          told);
    }
    Optional<NextAct> blocked =
        NullUseQuotaCheck.blocker(ctx)
            .or(
                () ->
                    ServiceRowAudit.of(ctx, ProbedVersions.byBinary(targets), u.getToRelease())
                        .resolve(ctx));
    if (blocked.isPresent()) {
      return StepAnswer.of(blocked, told);
    }
    // Only once the rows are resolved: the warning is told once, as the step ends.
    JobSteps.notice(checked, check.finished(), told);
    told.addAll(atEnd);
    return StepAnswer.of(Optional.empty(), told);
  }

  @Override
  public int weight(ClusterLayout layout) {
    return 3; // previous data migrations, version probe, upgrade check
  }

  @Override
  public int done(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
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
      n += succeeded(ctx, UpgradeJob.VERSION_PROBE, u.getToImage()) ? 1 : 0;
      n += succeeded(ctx, UpgradeJob.UPGRADE_CHECK, u.getToImage()) ? 1 : 0;
    }
    return n;
  }

  private static boolean succeeded(PlanContext ctx, UpgradeJob kind, String image) {
    return ctx.job(JobSteps.name(ctx.obs.cluster(), kind, image, 0))
        .map(j -> j.state() == JobState.SUCCEEDED)
        .orElse(false);
  }

  @Override
  public PlannedStep preview(PreviewInput in) {
    return new PlannedStep(
        id(),
        "finish "
            + in.fromRelease()
            + "'s online data migrations, probe the versions "
            + in.toImage()
            + " carries, run cinder-status upgrade check, then remove (or block on) stale"
            + " services rows per spec.upgrade.staleServices",
        List.of(
            Names.dataMigrationJob(in.cluster(), in.hashFrom(), 1)
                + " (and further runs until exit 0)",
            Names.versionProbeJob(in.cluster(), in.hashTo()),
            Names.upgradeCheckJob(in.cluster(), in.hashTo())),
        List.of());
  }
}
