package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The one thing the executor does in this reconcile, after writing the decision's status. Each
 * action names an UpperCamelCase {@link #reason()} and a {@link #message()} a person can act on,
 * for the Event and the conditions.
 */
public sealed interface Action {

  /** The Event and condition reason; records that do not carry their own take it from REASONS. */
  default String reason() {
    return REASONS.get(getClass());
  }

  /** The reason of each action whose reason is fixed, in one table. */
  Map<Class<? extends Action>, String> REASONS =
      Map.ofEntries(
          Map.entry(StartUpgrade.class, "UpgradeStarted"),
          Map.entry(StartRollback.class, "RollbackStarted"),
          Map.entry(CreateJob.class, "JobCreated"),
          Map.entry(ReplacePod.class, "ReplacingPod"),
          Map.entry(RestartPod.class, "RestartingPod"),
          Map.entry(SignalPod.class, "SignallingPod"),
          Map.entry(RemoveServiceRow.class, "ServiceRowRemoved"),
          Map.entry(StopNewBackups.class, "BackupDrainStarted"),
          Map.entry(AllowNewBackups.class, "BackupDrainFinished"),
          Map.entry(StopServices.class, "StoppingServices"),
          Map.entry(RecordPins.class, "PinsRecorded"),
          Map.entry(Complete.class, "UpgradeComplete"));

  String message();

  /** True when performing the action changes something outside the CinderCluster's status. */
  default boolean changesWorld() {
    return this instanceof WorldChange;
  }

  /** An action that touches pods, jobs, the database or the schedulers, not only the status. */
  sealed interface WorldChange extends Action {}

  /** Nothing for the upgrade machinery to do (no upgrade, first install, nothing to roll). */
  record Idle(String reason, String message) implements Action {}

  /** Record a new upgrade in status (status only). */
  record StartUpgrade(
      String fromRelease,
      String toRelease,
      String fromImage,
      String toImage,
      UpgradeMode mode,
      int totalSteps)
      implements Action {
    @Override
    public String message() {
      return mode
          + " upgrade from "
          + fromRelease
          + " ("
          + fromImage
          + ") to "
          + toRelease
          + " ("
          + toImage
          + ")";
    }
  }

  /**
   * The spec went back to the source before Unpinning: record a rollback (status only). {@code
   * from} is the abandoned target, {@code to} the release being returned to.
   */
  record StartRollback(
      String fromRelease, String toRelease, String fromImage, String toImage, int totalSteps)
      implements Action {
    @Override
    public String message() {
      return "spec reverted to "
          + toRelease
          + " ("
          + toImage
          + ") before Unpinning: pods go back in reverse order (api, backup, volume,"
          + " scheduler); the database is not downgraded (Cinder's schema changes are additive)";
    }
  }

  /** Finish {@code previous} and record {@code next} as the current step (status only). */
  record RecordStep(UpgradeStep previous, UpgradeStep next) implements Action {
    @Override
    public String reason() {
      return next.name();
    }

    @Override
    public String message() {
      return (previous == null ? "" : previous + " finished; ") + next + " started";
    }
  }

  /**
   * Create a job unless one with this name exists (names are deterministic). Jobs are created with
   * backoffLimit 0 so exit codes reach the planner; data migrations with {@code --max_count} from
   * spec.upgrade.onlineDataMigrationBatch.
   *
   * @param run the data-migration run number (1-based), 0 for other kinds
   */
  record CreateJob(UpgradeJob kind, String image, String name, int run) implements WorldChange {
    @Override
    public String message() {
      return "job " + name + " (" + kind.component().label() + ") on image " + image;
    }
  }

  /**
   * What the executor re-checks right before deleting a drained cinder-backup pod, so that no new
   * backup reaches the host between the planner's count and the SIGTERM (docs/backup-drain.md).
   *
   * @param host the pod's backup host
   * @param stopFirst disable the host's service first (a single backup host: the swap starts now)
   * @param keepOff the schedulers must have been told again, just now, to skip the host
   * @param requireIdle the host must still have no backup in flight (false once the drain timed out
   *     and backupDrainTimeoutAction is Proceed)
   */
  record BackupSwap(String host, boolean stopFirst, boolean keepOff, boolean requireIdle) {}

  /**
   * Delete the pod (with a uid precondition, so a pod already recreated is never hit); its
   * StatefulSet (updateStrategy OnDelete) brings it back from the template.
   *
   * @param swap for a drained cinder-backup pod, what to re-check first; null otherwise
   */
  record ReplacePod(
      String pod, String uid, Component component, String backend, String why, BackupSwap swap)
      implements WorldChange {
    public ReplacePod(String pod, String uid, Component component, String backend, String why) {
      this(pod, uid, component, backend, why, null);
    }

    @Override
    public String message() {
      return "replacing pod " + pod + ": " + why;
    }
  }

  /**
   * Delete the pod (uid precondition) so its process starts afresh: API pods that may hold low
   * pins, and scheduler/volume/backup pods under unpinStrategy Restart.
   *
   * @param swap for a drained cinder-backup pod, what to re-check first; null otherwise
   */
  record RestartPod(String pod, String uid, Component component, String why, BackupSwap swap)
      implements WorldChange {
    public RestartPod(String pod, String uid, Component component, String why) {
      this(pod, uid, component, why, null);
    }

    @Override
    public String message() {
      return "restarting pod " + pod + ": " + why;
    }
  }

  /**
   * SIGHUP to PID 1 of the pod: Cinder drops its cached version pins. After delivery, or after the
   * restart that replaces an undeliverable signal, the executor appends {@link #marker()} to
   * status.upgrade.signalledPods (a second signal is harmless, a lost record only means one more).
   */
  record SignalPod(String pod, String uid) implements WorldChange {
    public String marker() {
      return pod + "/" + uid;
    }

    @Override
    public String message() {
      return "SIGHUP to pod " + pod + " so its service drops the cached version pins";
    }
  }

  /** Soft-delete the row as {@code cinder-manage service remove} does, then read back to verify. */
  record RemoveServiceRow(ServiceRow row, String why) implements WorldChange {
    @Override
    public String message() {
      return "removing services row " + row.binary() + " " + row.host() + ": " + why;
    }
  }

  /**
   * Disable a cinder-backup host's service before its pod is replaced, so Cinder's API sends
   * restores, deletes and imports elsewhere; new backups are kept off it by telling the schedulers
   * (see {@link Decision#keepOffSchedulers()}).
   */
  record StopNewBackups(String host) implements WorldChange {
    @Override
    public String message() {
      return "stopping new backups, restores and deletes on "
          + host
          + " (the other backup hosts take them) and waiting for its backups in flight";
    }
  }

  /**
   * Undo {@link StopNewBackups} once the host's new pod passed its gate, and tell the schedulers
   * the host works (as its new service did when it started).
   */
  record AllowNewBackups(String host) implements WorldChange {
    @Override
    public String message() {
      return "new backups allowed again on " + host;
    }
  }

  /**
   * Offline upgrade: scale every Cinder workload to 0 (see {@link UpgradePlanner#servicesStopped}).
   */
  record StopServices(String why) implements WorldChange {
    @Override
    public String message() {
      return why;
    }
  }

  /** Record the pins and targets (status only). */
  record RecordPins(List<VersionPin> pins, List<VersionPin> targets) implements Action {
    public RecordPins {
      pins = List.copyOf(pins);
      targets = List.copyOf(targets);
    }

    @Override
    public String message() {
      return "services pinned to " + pins + "; target " + targets;
    }
  }

  /**
   * Nothing to do until the world moves; reconcile again after {@code recheckAfter}.
   *
   * @param watched the wait ends with a change to a pod or job, which the operator's informers
   *     report at once; otherwise it ends in the database, which only a poll sees
   */
  record Wait(String reason, String message, Duration recheckAfter, boolean watched)
      implements Action {}

  /** A person must act: Stalled=True with this reason and message. */
  record Stall(String reason, String message) implements Action {}

  /** Set status.release/status.image to these, finishedAt, Ready=True (status only). */
  record Complete(String release, String image) implements Action {
    @Override
    public String message() {
      return "every pod runs " + image + " and every service reports the " + release + " versions";
    }
  }
}
