package dev.cinderoperator.messaging;

import dev.cinderoperator.cinder.BackupCapabilityReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps new backups off some cinder-backup hosts of one CinderCluster: while a host is asked for,
 * its "not working" capability report goes to every scheduler at once and again every {@code
 * interval}, because the host's own periodic report (every 60 s) puts it back into the schedulers'
 * choice, as does a scheduler that restarts. Level-triggered: each reconcile states the whole set
 * ({@link #keepOff}); a host asked for no more is dropped at once, one not re-asked within {@code
 * expiry} (a deleted cluster, a stopped operator) by itself.
 */
public final class BackupHostFence implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackupHostFence.class);

  private final String cluster;
  private final SchedulerBus bus;
  private final Clock clock;
  private final Duration interval;
  private final Duration expiry;
  private final Map<String, Instant> askedAt = new HashMap<>();
  private final Map<String, Instant> sentAt = new HashMap<>();
  private BiFunction<String, Boolean, BackupCapabilityReport> reports;
  private String problem;

  /**
   * @param interval how often a kept-off host's report is repeated
   * @param expiry how long a host stays kept off without being asked again
   */
  public BackupHostFence(
      String cluster, SchedulerBus bus, Clock clock, Duration interval, Duration expiry) {
    this.cluster = cluster;
    this.bus = bus;
    this.clock = clock;
    this.interval = interval;
    this.expiry = expiry;
  }

  /**
   * The hosts to keep off now; a host new to the set is reported at once, on the caller's thread.
   *
   * @param reports builds a host's report (host, working)
   */
  public synchronized void keepOff(
      Set<String> hosts, BiFunction<String, Boolean, BackupCapabilityReport> reports) {
    this.reports = reports;
    Instant now = clock.instant();
    askedAt.keySet().retainAll(hosts);
    sentAt.keySet().retainAll(hosts);
    for (String host : hosts) {
      boolean added = askedAt.put(host, now) == null;
      if (added) {
        send(host, now);
      }
    }
  }

  /**
   * Reports a kept-off host once more, now (right before its pod is deleted).
   *
   * @return whether the report went out
   */
  public synchronized boolean reassert(String host) {
    if (!askedAt.containsKey(host) || reports == null) {
      return false;
    }
    return send(host, clock.instant());
  }

  /**
   * Reports the host working, as its own service does once it runs: undoes a not-working report
   * that might reach the schedulers after the host's new service reported itself.
   *
   * @throws MessagingUnavailableException when the broker cannot take it
   */
  public synchronized void reportWorking(String host, BackupCapabilityReport working) {
    askedAt.remove(host);
    sentAt.remove(host);
    bus.publish(working);
  }

  /** Hosts whose not-working report went out within two intervals: the schedulers skip them. */
  public synchronized Set<String> keptOff() {
    Instant fresh = clock.instant().minus(interval.multipliedBy(2));
    Set<String> out = new HashSet<>();
    sentAt.forEach(
        (host, at) -> {
          if (!at.isBefore(fresh)) {
            out.add(host);
          }
        });
    return out;
  }

  /** Why the last report could not be sent, while that is so. */
  public synchronized Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** One round of the repeat: called every interval by the pool. */
  synchronized void tick() {
    Instant now = clock.instant();
    for (String host : List.copyOf(askedAt.keySet())) {
      if (askedAt.get(host).plus(expiry).isBefore(now)) {
        LOG.info("{}: no longer keeping backups off {} (not asked for {})", cluster, host, expiry);
        askedAt.remove(host);
        sentAt.remove(host);
        continue;
      }
      send(host, now);
    }
  }

  private boolean send(String host, Instant now) {
    try {
      boolean heard = bus.publish(reports.apply(host, false));
      sentAt.put(host, now);
      if (problem != null) {
        LOG.info("{}: reaching Cinder's schedulers again", cluster);
      }
      problem = null;
      if (!heard) {
        LOG.debug("{}: no scheduler listens; nothing to keep {} off", cluster, host);
      }
      return true;
    } catch (MessagingUnavailableException e) {
      sentAt.remove(host);
      if (!e.getMessage().equals(problem)) {
        LOG.warn("{}: cannot keep new backups off {}: {}", cluster, host, e.getMessage());
      }
      problem = e.getMessage();
      return false;
    }
  }

  @Override
  public synchronized void close() {
    askedAt.clear();
    sentAt.clear();
    bus.close();
  }
}
