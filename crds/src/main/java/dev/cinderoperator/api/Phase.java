package dev.cinderoperator.api;

/** Coarse state of a CinderCluster, for humans; conditions carry the detail. */
public enum Phase {
  Deploying,
  Ready,
  Upgrading,
  Paused,
  Stalled
}
