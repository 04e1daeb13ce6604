package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.upgrade.Decision;
import dev.cinderoperator.upgrade.JobSteps;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.upgrade.StatusChange;
import dev.cinderoperator.upgrade.StepAnswer;
import dev.cinderoperator.upgrade.UpgradeJob;
import dev.cinderoperator.workload.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * DataMigration: {@code cinder-manage db online_data_migrations --max_count N} on the target image,
 * run after run, until one exits 0.
 */
public record DataMigration() implements Step {

  @Override
  public UpgradeStep id() {
    return UpgradeStep.DataMigration;
  }

  /** The runs counted so far were Preflight's, on the source image: numbering starts again. */
  @Override
  public StatusChange begin(PlanContext ctx) {
    return u -> u.setDataMigrationRuns(null);
  }

  @Override
  public StepAnswer next(PlanContext ctx) {
    List<Decision.Notice> told = new ArrayList<>();
    return StepAnswer.of(
        JobSteps.migrations(ctx, UpgradeJob.DATA_MIGRATION, ctx.draft.getToImage(), told), told);
  }

  @Override
  public boolean revertible() {
    return false;
  }

  @Override
  public PlannedStep preview(PreviewInput in) {
    return new PlannedStep(
        id(),
        "cinder-manage db online_data_migrations --max_count "
            + in.policy().onlineDataMigrationBatchOrDefault()
            + " until it exits 0",
        List.of(
            Names.dataMigrationJob(in.cluster(), in.hashTo(), 1)
                + " (and further runs until exit 0)"),
        List.of());
  }
}
