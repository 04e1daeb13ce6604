package dev.cinderoperator.upgrade;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_DRAIN;

import dev.cinderoperator.api.BackupDrainTimeoutAction;
import dev.cinderoperator.api.Durations;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServiceRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Waiting until backup hosts have no backup in flight and, where the schedulers must skip them,
 * until they were told so; bounded by backupDrainTimeout (timed from when the drain marker was
 * first recorded). Past it the upgrade stalls, or goes on when backupDrainTimeoutAction is Proceed
 * (Cinder then marks the backups still in flight error when the host's service restarts).
 *
 * <p>Why both: a cinder-backup service that got SIGTERM stops taking messages at once and waits
 * only for the handler running now. A backup create is two messages to the host (create_backup,
 * then the volume service's continue_backup), so one caught between them is reset to error when the
 * host starts again, as is every create the schedulers send to the host while it is down. The count
 * must be 0 and no scheduler may choose the host (docs/backup-drain.md).
 *
 * @param blocked the wait or stall; empty when the upgrade may go on
 * @param abandoned backups still in flight when the upgrade goes on anyway (Proceed)
 * @param keptOff whether every host is kept off the schedulers now (false when not asked for, or
 *     when going on without it under Proceed)
 * @param change the drain's marker as the act in flight (its timeout counts from when it was first
 *     recorded), to record with whatever comes next
 */
public record BackupDrain(
    Optional<NextAct> blocked, int abandoned, boolean keptOff, StatusChange change) {

  /**
   * @param keepOff whether the schedulers must skip the hosts before they may go
   */
  public static BackupDrain of(
      PlanContext ctx, String marker, List<String> hosts, String who, boolean keepOff) {
    StatusChange marked = ctx.inFlight(marker);
    int inFlight = 0;
    List<String> busy = new ArrayList<>();
    List<String> exposed = new ArrayList<>();
    for (String host : hosts) {
      Integer n = ctx.obs.inFlightBackups().get(host);
      if (n == null) {
        return new BackupDrain(
            Optional.of(
                PlanContext.waiting(
                    "BackupDraining",
                    who + ": counting backups in flight on " + host,
                    RECHECK_DRAIN)),
            0,
            false,
            marked);
      }
      if (n > 0) {
        inFlight += n;
        busy.add(host);
      }
      if (keepOff && !ctx.obs.backupHostsKeptOff().contains(host)) {
        exposed.add(host);
      }
    }
    if (inFlight == 0 && exposed.isEmpty()) {
      return new BackupDrain(Optional.empty(), 0, keepOff, marked);
    }
    List<String> parts = new ArrayList<>();
    if (inFlight > 0) {
      parts.add(inFlight + " backups in flight on " + String.join(", ", busy));
    }
    if (!exposed.isEmpty()) {
      String problem = ctx.obs.schedulerBusProblem();
      parts.add(
          "telling the schedulers to skip "
              + String.join(", ", exposed)
              + (problem == null ? "" : " failed: " + problem));
    }
    String text = who + ": " + String.join("; ", parts);
    Duration timeout = ctx.policy.backupDrainTimeoutOrDefault();
    Instant since = ctx.inFlightSince(marker).orElse(ctx.now());
    if (!ctx.now().isAfter(since.plus(timeout))) {
      return new BackupDrain(
          Optional.of(
              PlanContext.waiting(
                  "BackupDraining",
                  text + " (waiting up to " + Durations.format(timeout) + ")",
                  RECHECK_DRAIN)),
          0,
          false,
          marked);
    }
    if (ctx.policy.backupDrainTimeoutActionOrDefault() == BackupDrainTimeoutAction.Stall) {
      return new BackupDrain(
          Optional.of(
              PlanContext.stall(
                  "BackupDrainTimeout",
                  text
                      + " after "
                      + Durations.format(timeout)
                      + " (backupDrainTimeout). Stopping the service now would turn backups to"
                      + " error. Wait and raise spec.upgrade.backupDrainTimeout, or set"
                      + " spec.upgrade.backupDrainTimeoutAction: Proceed to go on anyway.",
                  text)),
          0,
          false,
          marked);
    }
    return new BackupDrain(Optional.empty(), inFlight, keepOff && exposed.isEmpty(), marked);
  }

  /**
   * Whether another backup host can take the host's work while it drains: a cinder-backup row of
   * another host that is up and enabled. Without one the host keeps serving restores and deletes
   * until its own swap, since Cinder would refuse them all while it is disabled.
   */
  public static boolean othersServe(PlanContext ctx, String host) {
    for (ServiceRow r : ctx.rows()) {
      if (CinderBinary.BACKUP.binaryName().equals(r.binary())
          && !host.equals(r.host())
          && !r.disabled()
          && !ctx.isDown(r)) {
        return true;
      }
    }
    return false;
  }
}
