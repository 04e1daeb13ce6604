package dev.cinderoperator.kube;

import java.time.Duration;
import java.util.Set;

/**
 * How the operator process runs; filled from flags and environment by the CLI.
 *
 * @param watchNamespaces empty: every namespace
 * @param pollInterval how often the services table is read while work is under way
 * @param idlePollInterval how often it is read when the cluster is Ready
 * @param invalidSpecRetry how soon a spec that cannot be acted on is looked at again (changes to
 *     the spec or its Secrets trigger a reconcile at once regardless)
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    int reconcileThreads,
    Duration pollInterval,
    Duration idlePollInterval,
    Duration invalidSpecRetry,
    boolean unpinBySignal) {

  public static OperatorSettings defaults() {
    return new OperatorSettings(
        Set.of(), 5, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(5), true);
  }

  /**
   * When to look again while waiting for a pod or a job. Informer events wake the reconciler when
   * they change, so this is only a safety net: the planned recheck, kept between the two poll
   * intervals. (Polling such waits at the poll interval made 100 deploying clusters spend both
   * cores on reconciles that found nothing new.)
   */
  public Duration watchedRecheck(Duration planned) {
    Duration d = planned.compareTo(idlePollInterval) > 0 ? idlePollInterval : planned;
    return d.compareTo(pollInterval) < 0 ? pollInterval : d;
  }

  /** {@link #watchedRecheck(Duration)} for the deploy's waits on pods and its db sync job. */
  public Duration watchedRecheck() {
    return watchedRecheck(Duration.ofSeconds(5));
  }

  public OperatorSettings withWatchNamespaces(Set<String> namespaces) {
    return new OperatorSettings(
        Set.copyOf(namespaces),
        reconcileThreads,
        pollInterval,
        idlePollInterval,
        invalidSpecRetry,
        unpinBySignal);
  }

  public OperatorSettings withUnpinBySignal(boolean signal) {
    return new OperatorSettings(
        watchNamespaces,
        reconcileThreads,
        pollInterval,
        idlePollInterval,
        invalidSpecRetry,
        signal);
  }

  public OperatorSettings withPollIntervals(Duration poll, Duration idle) {
    return new OperatorSettings(
        watchNamespaces, reconcileThreads, poll, idle, invalidSpecRetry, unpinBySignal);
  }
}
