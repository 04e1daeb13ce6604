package dev.cinderoperator.upgrade;

/** Where a Kubernetes Job is. */
public enum JobState {
  ACTIVE,
  SUCCEEDED,
  FAILED
}
