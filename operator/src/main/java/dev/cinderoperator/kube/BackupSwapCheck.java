package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.upgrade.Action;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right before a drained cinder-backup pod goes: tell the schedulers once more to skip its host,
 * disable it (a single host, whose swap starts now) and count its backups in flight again. A backup
 * that started since the planner's count keeps the pod (and re-enables a single host); the next
 * pass waits for it.
 */
final class BackupSwapCheck {
  private static final Logger LOG = LoggerFactory.getLogger(BackupSwapCheck.class);

  private final PodEvictions evictions;
  private final EventRecorder events;

  BackupSwapCheck(PodEvictions evictions, EventRecorder events) {
    this.evictions = evictions;
    this.events = events;
  }

  /** Whether the pod may go now. */
  boolean allows(
      CinderCluster cc,
      UpgradeExecutor.Inputs in,
      String podName,
      String uid,
      Action.BackupSwap swap) {
    if (swap == null
        || evictions.liveIncarnation(cc.getMetadata().getNamespace(), podName, uid).isEmpty()) {
      return true; // nothing to drain, or already going: the eviction leaves it alone
    }
    if (swap.keepOff() && !in.fence().reassert(swap.host())) {
      LOG.warn(
          "not replacing pod {}: the schedulers could not be told to skip {}: {}",
          podName,
          swap.host(),
          in.fence().problem().orElse("no report sent"));
      return false;
    }
    if (swap.stopFirst()) {
      in.registry().stopNewBackups(swap.host());
    }
    int n = swap.requireIdle() ? in.registry().inFlightBackups(swap.host()) : 0;
    if (n == 0) {
      if (swap.stopFirst()) {
        events.normal(
            cc,
            "BackupDrainStarted",
            "the only backup host "
                + swap.host()
                + " has no backup in flight: disabled for the swap of pod "
                + podName
                + " (until its new pod passed its gate, Cinder refuses restores and deletes and"
                + " a new backup ends in error)");
      }
      return true;
    }
    if (swap.stopFirst()) {
      in.registry().allowNewBackups(swap.host());
    }
    events.normal(
        cc,
        "BackupDrainRecount",
        n
            + " backups started on "
            + swap.host()
            + " since the last count; pod "
            + podName
            + " waits for them");
    return false;
  }
}
