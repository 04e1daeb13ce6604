package dev.cinderoperator.cinder;

/**
 * Volumes and snapshots whose {@code use_quota} is NULL, deleted rows included. 2024.1's schema
 * migration {@code 9ab1b092a404} makes the column NOT NULL, assuming the previous release's online
 * data migrations set it; those skipped soft-deleted rows before 23.5.0, and no 2023.1 (22.x)
 * release has the fix, so the target's db sync fails on them (Launchpad bug 2070475,
 * cinder-upgrade-facts §4.4).
 */
public record NullUseQuotaRows(long volumes, long snapshots) {
  /** Cinder's first major with the NOT NULL migration (24 = 2024.1). */
  public static final int FIRST_REFUSING_MAJOR = 24;

  /** The statements to look at them. */
  public static final String INSPECT_SQL =
      "SELECT id, deleted, status FROM volumes WHERE use_quota IS NULL;"
          + " SELECT id, deleted, status FROM snapshots WHERE use_quota IS NULL;";

  /**
   * Whether a db sync from the {@code from} series to the {@code to} series runs that migration.
   */
  public static boolean checkedOn(Release from, Release to) {
    return from.cinderMajor() < FIRST_REFUSING_MAJOR && to.cinderMajor() >= FIRST_REFUSING_MAJOR;
  }

  public boolean any() {
    return volumes > 0 || snapshots > 0;
  }
}
