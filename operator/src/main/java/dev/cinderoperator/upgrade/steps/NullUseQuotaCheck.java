package dev.cinderoperator.upgrade.steps;

import static dev.cinderoperator.upgrade.PlanContext.RECHECK_DATABASE;

import dev.cinderoperator.api.UpgradeStatus;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.upgrade.NextAct;
import dev.cinderoperator.upgrade.PlanContext;
import java.util.Optional;

/** Preflight's count of the rows the target's db sync would refuse. */
final class NullUseQuotaCheck {
  private NullUseQuotaCheck() {}

  /**
   * Rows the target's db sync is known to refuse (NULL use_quota, deleted rows included: Launchpad
   * bug 2070475): a stall before anything is stopped or migrated, with the SQL to inspect them. The
   * running release's own data migrations ran first, so what is left they do not fix.
   */
  static Optional<NextAct> blocker(PlanContext ctx) {
    UpgradeStatus u = ctx.draft;
    ReleaseCatalog catalog = ctx.obs.catalog();
    Optional<Release> from = catalog.find(u.getFromRelease());
    Optional<Release> to = catalog.find(u.getToRelease());
    if (from.isEmpty() || to.isEmpty() || !NullUseQuotaRows.checkedOn(from.get(), to.get())) {
      return Optional.empty();
    }
    Optional<NullUseQuotaRows> found = ctx.obs.nullUseQuota();
    if (found.isEmpty()) {
      return Optional.of(
          PlanContext.waiting(
              "DatabaseUnavailable",
              "counting the volumes and snapshots whose use_quota is NULL before "
                  + u.getToRelease()
                  + "'s db sync",
              RECHECK_DATABASE));
    }
    if (!found.get().any()) {
      return Optional.empty();
    }
    String counts =
        found.get().volumes() + " volumes and " + found.get().snapshots() + " snapshots";
    return Optional.of(
        PlanContext.stall(
            "NullUseQuota",
            counts
                + " have use_quota NULL (deleted rows included): "
                + u.getToRelease()
                + "'s db sync makes the column NOT NULL and fails on them (Launchpad bug 2070475:"
                + " the online data migrations of 2023.1, and of 2023.2 before 23.5.0, skip"
                + " soft-deleted rows). Nothing was stopped or migrated. Inspect them: "
                + NullUseQuotaRows.INSPECT_SQL
                + " Then set it on the deleted ones (UPDATE volumes SET use_quota = 1 WHERE"
                + " use_quota IS NULL AND deleted = 1; the same for snapshots) or purge old deleted"
                + " rows (cinder-manage db purge <days>); the upgrade goes on once none is left.",
            counts + " with use_quota NULL"));
  }
}
