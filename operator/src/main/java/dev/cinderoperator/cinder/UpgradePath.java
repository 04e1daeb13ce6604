package dev.cinderoperator.cinder;

/** How one release relates to another, and so how an upgrade between them must run. */
public enum UpgradePath {
  /** Same series: nothing to migrate (an image or config change within a release). */
  SAME,
  /** N to N+1: a rolling upgrade with mixed versions. */
  NEXT,
  /** SLURP to the next SLURP, skipping one: supported only offline. */
  SKIP_LEVEL,
  /** Target older than source. */
  DOWNGRADE,
  /** More than one release ahead and not a SLURP-to-SLURP jump. */
  UNSUPPORTED_JUMP,
  /** One of the two releases is not in the catalog. */
  UNKNOWN
}
