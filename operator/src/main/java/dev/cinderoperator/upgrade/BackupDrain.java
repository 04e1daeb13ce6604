package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_DRAIN;

import dev.cinderoperator.api.BackupDrainTimeoutAction;
import dev.cinderoperator.api.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Waiting for the backups in flight on hosts whose new backups were stopped, bounded by
 * backupDrainTimeout (timed from when the drain marker was first recorded); past it the upgrade
 * stalls, or goes on when backupDrainTimeoutAction is Proceed (Cinder then marks those backups
 * error when the host's service restarts).
 *
 * @param blocked the wait or stall; empty when the upgrade may go on
 * @param abandoned backups still in flight when the upgrade goes on anyway (Proceed)
 */
record BackupDrain(Optional<Blocked> blocked, int abandoned) {

  static BackupDrain of(PlanContext ctx, String marker, List<String> hosts, String who) {
    ctx.markInFlight(marker);
    int inFlight = 0;
    List<String> busy = new ArrayList<>();
    for (String host : hosts) {
      Integer n = ctx.obs.inFlightBackups().get(host);
      if (n == null) {
        return new BackupDrain(
            Optional.of(
                PlanContext.waiting(
                    "BackupDraining",
                    who + ": counting backups in flight on " + host,
                    RECHECK_DRAIN)),
            0);
      }
      if (n > 0) {
        inFlight += n;
        busy.add(host);
      }
    }
    if (inFlight == 0) {
      return new BackupDrain(Optional.empty(), 0);
    }
    Duration timeout = ctx.policy.backupDrainTimeoutOrDefault();
    Instant since = ctx.inFlightSince(marker).orElse(ctx.now());
    String text = who + ": " + inFlight + " backups in flight on " + String.join(", ", busy);
    if (!ctx.now().isAfter(since.plus(timeout))) {
      return new BackupDrain(
          Optional.of(
              PlanContext.waiting(
                  "BackupDraining",
                  text + " (waiting up to " + Durations.format(timeout) + ")",
                  RECHECK_DRAIN)),
          0);
    }
    if (ctx.policy.backupDrainTimeoutActionOrDefault() == BackupDrainTimeoutAction.Stall) {
      return new BackupDrain(
          Optional.of(
              PlanContext.stall(
                  "BackupDrainTimeout",
                  text
                      + " after "
                      + Durations.format(timeout)
                      + " (backupDrainTimeout). Stopping their service would turn them to error."
                      + " Wait for them and raise spec.upgrade.backupDrainTimeout, or set"
                      + " spec.upgrade.backupDrainTimeoutAction: Proceed to go on anyway.",
                  text)),
          0);
    }
    return new BackupDrain(Optional.empty(), inFlight);
  }
}
