package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderClusterStatus;

/** Writes the status at once: the intent of an act is recorded before the act. */
@FunctionalInterface
public interface StatusSink {
  void writeNow(CinderClusterStatus status, Progress progress);
}
