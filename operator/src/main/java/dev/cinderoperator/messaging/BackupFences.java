package dev.cinderoperator.messaging;

import dev.cinderoperator.cinder.BackupCapabilityReport;
import dev.cinderoperator.cinder.TransportUrl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link BackupHostFence} of each CinderCluster, built for its transport URL (rebuilt when the
 * URL changes), and the one thread that repeats their reports every interval.
 */
public final class BackupFences implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackupFences.class);

  /** Repeat within seconds of a host's own report; it reports every 60 s. */
  public static final Duration INTERVAL = Duration.ofSeconds(1);

  /** Reconciles of a draining cluster come every few seconds; this covers a missed few. */
  public static final Duration EXPIRY = Duration.ofMinutes(2);

  /** Builds the bus of one CinderCluster. */
  @FunctionalInterface
  public interface Factory {
    SchedulerBus create(String namespace, String name, TransportUrl url, boolean ssl);
  }

  private record Entry(byte[] fingerprint, BackupHostFence fence) {}

  private final Factory factory;
  private final Clock clock;
  private final Duration interval;
  private final Map<String, Entry> entries = new HashMap<>();
  private final ScheduledExecutorService ticker;
  private boolean closed;

  public BackupFences(Factory factory, Clock clock, Duration interval) {
    this.factory = factory;
    this.clock = clock;
    this.interval = interval;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "backup-fences");
              t.setDaemon(true);
              return t;
            });
    long ms = interval.toMillis();
    ticker.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Fences over Cinder's RabbitMQ, each connection bounded by a 5 s timeout. */
  public static BackupFences rabbit(Clock clock) {
    return new BackupFences(
        (ns, name, url, ssl) -> new RabbitSchedulerBus(url, ssl, Duration.ofSeconds(5)),
        clock,
        INTERVAL);
  }

  /** Fences whose reports go nowhere and count as sent: for a cluster without schedulers. */
  public static BackupFences nowhere() {
    return new BackupFences(
        (ns, name, url, ssl) ->
            new SchedulerBus() {
              @Override
              public boolean publish(BackupCapabilityReport report) {
                return false;
              }

              @Override
              public void close() {}
            },
        Clock.systemUTC(),
        INTERVAL);
  }

  /**
   * The fence of a CinderCluster for its current transport URL; a fence built for another URL is
   * closed. A URL the operator cannot use gives a fence whose every report fails with the reason.
   *
   * @param ssl {@code [oslo_messaging_rabbit] ssl} of the cluster's config
   */
  public synchronized BackupHostFence forCluster(
      String namespace, String name, String transportUrl, boolean ssl) {
    if (closed) {
      throw new IllegalStateException("the fences are closed");
    }
    String key = namespace + "/" + name;
    byte[] fingerprint = fingerprint(transportUrl + "|" + ssl);
    Entry current = entries.get(key);
    if (current != null && MessageDigest.isEqual(current.fingerprint(), fingerprint)) {
      return current.fence();
    }
    if (current != null) {
      LOG.info("Messaging settings of {} changed; reconnecting", key);
      current.fence().close();
    }
    TransportUrl.Result parsed = TransportUrl.parse(transportUrl);
    SchedulerBus bus =
        parsed.url().isPresent()
            ? factory.create(namespace, name, parsed.url().get(), ssl || parsed.url().get().ssl())
            : unusable("the transport URL " + parsed.error());
    BackupHostFence fence = new BackupHostFence(key, bus, clock, interval, EXPIRY);
    entries.put(key, new Entry(fingerprint, fence));
    return fence;
  }

  private static SchedulerBus unusable(String why) {
    return new SchedulerBus() {
      @Override
      public boolean publish(BackupCapabilityReport report) {
        throw new MessagingUnavailableException("cannot cast to Cinder's schedulers: " + why);
      }

      @Override
      public void close() {}
    };
  }

  private void tick() {
    List<BackupHostFence> fences;
    synchronized (this) {
      fences = entries.values().stream().map(Entry::fence).toList();
    }
    for (BackupHostFence f : fences) {
      try {
        f.tick();
      } catch (RuntimeException e) {
        LOG.warn("repeating backup capability reports failed: {}", e.toString());
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    ticker.shutdownNow();
    entries.values().forEach(e -> e.fence().close());
    entries.clear();
  }

  private static byte[] fingerprint(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
