package dev.cinderoperator.kube;

import dev.cinderoperator.api.Phase;
import java.time.Duration;

/**
 * What one reconcile concluded, before it is turned into conditions.
 *
 * @param reason UpperCamelCase reason of the Reconciling or Stalled condition
 * @param message what is happening or what a person must do
 * @param stalled true when nothing moves without a person
 * @param ready true only when every pod runs the spec's image and every service reports it
 * @param recheckAfter when to look again even if nothing changes
 */
public record Progress(
    Phase phase,
    String reason,
    String message,
    boolean stalled,
    boolean ready,
    Duration recheckAfter) {

  public static Progress ready(String message, Duration recheckAfter) {
    return new Progress(Phase.Ready, "Ready", message, false, true, recheckAfter);
  }

  /** Work under way (or waiting on something that will come back by itself): not Ready. */
  public static Progress working(Phase phase, String reason, String message, Duration recheck) {
    return new Progress(phase, reason, message, false, false, recheck);
  }

  public static Progress stalled(String reason, String message, Duration recheck) {
    return new Progress(Phase.Stalled, reason, message, true, false, recheck);
  }
}
