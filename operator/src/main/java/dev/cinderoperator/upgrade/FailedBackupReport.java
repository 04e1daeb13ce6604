package dev.cinderoperator.upgrade;

import dev.cinderoperator.api.FailedBackup;
import dev.cinderoperator.cinder.FailedBackupRow;
import dev.cinderoperator.cinder.FailedBackups;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Backups that ended in error while an upgrade runs: listed in status.upgrade (the newest {@link
 * #LISTED}, and how many in all) and told once each as a BackupFailed Event. Re-read from the
 * backups table every pass; the listed ids are what tells a new failure from one already told.
 */
public final class FailedBackupReport {
  /** How many failed backups status.upgrade lists. */
  public static final int LISTED = 20;

  private FailedBackupReport() {}

  /** The list to write, with a BackupFailed notice added for each failure not told before. */
  static StatusChange record(PlanContext ctx, List<Decision.Notice> notices) {
    FailedBackups failed = ctx.obs.failedBackups();
    if (failed == null || ctx.draft == null) {
      return StatusChange.NONE;
    }
    Set<String> told = new HashSet<>();
    if (ctx.recorded != null && ctx.recorded.getFailedBackups() != null) {
      ctx.recorded.getFailedBackups().forEach(f -> told.add(f.getId()));
    }
    List<FailedBackup> listed = new ArrayList<>();
    for (FailedBackupRow r : failed.newest()) {
      if (listed.size() == LISTED) {
        break;
      }
      String reason = r.failReason() == null ? "no reason recorded" : r.failReason();
      listed.add(
          new FailedBackup(
              r.id(), r.host(), reason, r.updatedAt() == null ? null : r.updatedAt().toString()));
      if (!told.contains(r.id())) {
        notices.add(
            new Decision.Notice(
                "BackupFailed",
                "backup "
                    + r.id()
                    + " on "
                    + (r.host() == null ? "no host" : r.host())
                    + " ended in error during the upgrade to "
                    + ctx.draft.getToRelease()
                    + ": "
                    + reason,
                true));
      }
    }
    Integer count = failed.count() == 0 ? null : failed.count();
    return u -> {
      u.setFailedBackups(listed);
      u.setFailedBackupCount(count);
    };
  }
}
