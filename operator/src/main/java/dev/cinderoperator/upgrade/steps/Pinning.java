package dev.cinderoperator.upgrade.steps;

import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.upgrade.Action;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import dev.cinderoperator.upgrade.PlannedStep;
import dev.cinderoperator.upgrade.ServiceRowAudit;
import dev.cinderoperator.upgrade.StepAnswer;
import dev.cinderoperator.upgrade.UpgradeStatuses;
import java.util.List;
import java.util.Optional;

/** Pinning: record the minimum versions per binary from the services table (status only). */
public record Pinning() implements Step {

  @Override
  public UpgradeStep id() {
    return UpgradeStep.Pinning;
  }

  @Override
  public StepAnswer next(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    if (u.getPins() != null && !u.getPins().isEmpty()) {
      return StepAnswer.done();
    }
    Optional<NextAct> rows = ServiceRowAudit.of(ctx, ctx.targets(), u.getToRelease()).resolve(ctx);
    if (rows.isPresent()) {
      return StepAnswer.of(rows.get());
    }
    List<VersionPin> pins =
        ServicesTable.minimumVersions(ctx.rows()).stream()
            .filter(p -> CinderBinary.fromBinaryName(p.getBinary()).isPresent())
            .toList();
    if (pins.isEmpty()) {
      return StepAnswer.done();
    }
    return StepAnswer.of(
            NextAct.of(new Action.RecordPins(pins, UpgradeStatuses.copyPins(u.getTargets()))))
        .with(s -> s.setPins(pins));
  }

  @Override
  public PlannedStep preview(PreviewInput in) {
    return new PlannedStep(
        id(),
        "record the minimum versions per binary from the services table",
        List.of(),
        List.of());
  }
}
