package dev.cinderoperator.kube;

import dev.cinderoperator.api.Phase;
import java.time.Duration;

/**
 * What one reconcile concluded, before it is turned into conditions.
 *
 * @param reason UpperCamelCase reason of the Reconciling or Stalled condition
 * @param message what is happening or what a person must do
 * @param stalled true when nothing moves without a person
 * @param recheckAfter when to look again even if nothing changes
 */
public record Progress(
    Phase phase, String reason, String message, boolean stalled, Duration recheckAfter) {

  public static Progress ready(String message, Duration recheckAfter) {
    return new Progress(Phase.Ready, "Ready", message, false, recheckAfter);
  }

  public static Progress working(Phase phase, String reason, String message, Duration recheck) {
    return new Progress(phase, reason, message, false, recheck);
  }

  public static Progress stalled(String reason, String message, Duration recheck) {
    return new Progress(Phase.Stalled, reason, message, true, recheck);
  }
}
