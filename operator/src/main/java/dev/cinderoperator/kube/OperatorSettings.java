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

  public OperatorSettings withPollIntervals(Duration poll, Duration idle) {
    return new OperatorSettings(
        watchNamespaces, reconcileThreads, poll, idle, invalidSpecRetry, unpinBySignal);
  }
}
