package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.api.UpgradeStep;
import java.util.List;
import java.util.Set;

/**
 * The planner's answer: the action, and the status to write BEFORE performing it (intent before
 * side effect).
 *
 * @param action what to do now
 * @param upgrade the complete status.upgrade to write (a fresh object; null when no upgrade was
 *     ever recorded and none starts)
 * @param phase the phase to show; null when the planner has no opinion (steady state)
 * @param notices extra Events (e.g. warnings of {@code cinder-status upgrade check})
 * @param keepOffSchedulers cinder-backup hosts every scheduler must skip for new backups now (the
 *     executor keeps telling them until a later decision drops the host); null when this decision
 *     has no view of them (the database is unreachable), which leaves the last set as it is
 */
public record Decision(
    Action action,
    UpgradeStatus upgrade,
    Phase phase,
    List<Notice> notices,
    Set<String> keepOffSchedulers) {

  public Decision {
    notices = notices == null ? List.of() : List.copyOf(notices);
    keepOffSchedulers = keepOffSchedulers == null ? null : Set.copyOf(keepOffSchedulers);
  }

  public Decision(Action action, UpgradeStatus upgrade, Phase phase, List<Notice> notices) {
    this(action, upgrade, phase, notices, null);
  }

  /** An extra Event for the CinderCluster. */
  public record Notice(String reason, String message, boolean warning) {}

  public UpgradeStep step() {
    return upgrade == null ? null : upgrade.getStep();
  }

  public String blockedBy() {
    return upgrade == null ? null : upgrade.getBlockedBy();
  }

  public Integer completedSteps() {
    return upgrade == null ? null : upgrade.getCompletedSteps();
  }

  public Integer totalSteps() {
    return upgrade == null ? null : upgrade.getTotalSteps();
  }

  public boolean stalled() {
    return action instanceof Action.Stall;
  }
}
