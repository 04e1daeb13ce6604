package dev.cinderoperator.kube;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.Objects;

/**
 * The Lease one replica holds to be the active operator, and its timing.
 *
 * @param namespace the Lease's namespace
 * @param name the Lease's name
 * @param identity this replica's name in the Lease's holderIdentity (the pod name in a cluster)
 * @param leaseDuration how long another replica waits after the last renewal before it takes over
 * @param renewDeadline how long after its last renewal the holder stops acting; the difference to
 *     the lease duration is the margin for a write already sent and for clock drift
 * @param retryPeriod how often the holder renews and a standby tries to take over
 */
public record LeaseSettings(
    String namespace,
    String name,
    String identity,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod) {

  public LeaseSettings {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(identity, "identity");
    if (leaseDuration.isNegative()
        || leaseDuration.isZero()
        || renewDeadline.isNegative()
        || renewDeadline.isZero()
        || retryPeriod.isNegative()
        || retryPeriod.isZero()) {
      throw new IllegalArgumentException(
          "the lease duration, renew deadline and retry period must be positive");
    }
    if (renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(
          "the renew deadline ("
              + renewDeadline
              + ") must be shorter than the lease duration ("
              + leaseDuration
              + ")");
    }
    if (retryPeriod.compareTo(renewDeadline) >= 0) {
      throw new IllegalArgumentException(
          "the retry period ("
              + retryPeriod
              + ") must be shorter than the renew deadline ("
              + renewDeadline
              + ")");
    }
  }

  /** JOSDK's (and client-go's) defaults: lease 15 s, renew deadline 10 s, retry every 2 s. */
  public static LeaseSettings defaults(String namespace, String name, String identity) {
    return new LeaseSettings(
        namespace,
        name,
        identity,
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE);
  }

  public LeaseSettings withTiming(Duration lease, Duration renew, Duration retry) {
    return new LeaseSettings(namespace, name, identity, lease, renew, retry);
  }

  public LeaseSettings withIdentity(String id) {
    return new LeaseSettings(namespace, name, id, leaseDuration, renewDeadline, retryPeriod);
  }
}
