package dev.cinderoperator.traffic;

import dev.cinderoperator.threads.DaemonThreads;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Users of Cinder's API during an upgrade, bounded: at a fixed rate (one user every {@code
 * interval}) a user creates a 1 GiB volume on the next backend, waits for {@code available}, backs
 * it up and waits for that (when backups are on), deletes both and waits until they are gone; every
 * interval it also lists volumes, services and backups. Everything goes to one loopback URL (the
 * API Service). It stops starting users at its deadline ({@code maxDuration} after the start, or
 * {@link #upgradeFinished} plus the after-window, whichever comes first) and ends when the last
 * user has finished, each bounded by its own timeouts.
 *
 * <p>Counted as failed: no connection (refused or reset), a timeout, HTTP 5xx, a status the call
 * does not expect; and, per resource, ending in {@code error} or {@code error_deleting}, or not
 * reaching its state within {@code resourceTimeout}. Each request counts in the phase (before,
 * during, after the upgrade) in which it was sent. A test that takes something away on purpose (the
 * database, the message bus) marks the {@linkplain #outageStarted outage}; the report counts the
 * failures inside each outage window apart from the others.
 */
public final class TrafficClient implements AutoCloseable {
  /** When a request was sent, relative to the upgrade. */
  public enum Phase {
    BEFORE,
    DURING,
    AFTER
  }

  /**
   * @param interval one user starts (and one round of lists is sent) every interval
   * @param maxDuration the client stops starting users after this, whatever happens
   * @param pollInterval between two reads of a resource's status
   * @param resourceTimeout a resource not in its state after this counts as stuck
   * @param requestTimeout a request without a response after this counts as timed out
   * @param backups whether users back up their volumes
   * @param project the project the users work in: Cinder serialises one project's quota
   *     reservations, so two clients in one project slow each other's creates down
   */
  public record Settings(
      Duration interval,
      Duration maxDuration,
      Duration pollInterval,
      Duration resourceTimeout,
      Duration requestTimeout,
      boolean backups,
      String project) {
    /**
     * One user every 2 s, at most 15 minutes, without backups: a backup needs a backend whose
     * volumes the backup pods can attach (Cinder's own fake drivers' cannot be; the test drivers'
     * local files can, see docs/testenv.md).
     */
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(2),
          Duration.ofMinutes(15),
          Duration.ofMillis(500),
          Duration.ofSeconds(90),
          Duration.ofSeconds(30),
          false,
          "traffic");
    }

    public Settings withBackups(boolean on) {
      return new Settings(
          interval, maxDuration, pollInterval, resourceTimeout, requestTimeout, on, project);
    }

    public Settings withMaxDuration(Duration d) {
      return new Settings(
          interval, d, pollInterval, resourceTimeout, requestTimeout, backups, project);
    }

    public Settings withInterval(Duration d) {
      return new Settings(
          d, maxDuration, pollInterval, resourceTimeout, requestTimeout, backups, project);
    }

    public Settings withProject(String name) {
      return new Settings(
          interval, maxDuration, pollInterval, resourceTimeout, requestTimeout, backups, name);
    }
  }

  /**
   * One request as sent.
   *
   * @param fromNanos when the user that sent it started (lists: when sent), after the client
   *     started: a user's flow that an outage broke may fail after the outage (deleting a volume
   *     stuck in creating)
   * @param sentNanos when it was sent, after the client started
   */
  record Request(
      Phase phase,
      String operation,
      long fromNanos,
      long sentNanos,
      long nanos,
      int status,
      String failure) {}

  /**
   * One resource's end: reached its state, ended in error, or stuck.
   *
   * @param fromNanos when its user started, after the client started
   * @param toNanos when its end was seen
   */
  record Outcome(
      Phase phase,
      String kind,
      String id,
      String end,
      String detail,
      long fromNanos,
      long toNanos) {}

  /**
   * Something taken away on purpose, from {@code fromNanos} until {@code toNanos} (the end as
   * marked plus the time the services are given to reconnect; {@code Long.MAX_VALUE} while it
   * lasts).
   */
  record Outage(String what, long fromNanos, long toNanos) {
    boolean covers(long fromNanos, long toNanos) {
      return fromNanos <= this.toNanos && toNanos >= this.fromNanos;
    }
  }

  private final TrafficUser user;
  private final List<String> backends;
  private final Settings settings;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("traffic-ticker"));
  private final ExecutorService users =
      Executors.newCachedThreadPool(DaemonThreads.named("traffic-user"));
  private final TrafficRecorder recorder = new TrafficRecorder();
  private final List<Outage> outages = new CopyOnWriteArrayList<>();
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private volatile long deadlineNanos;
  private volatile long upgradeStartNanos;
  private volatile long upgradeEndNanos;

  private TrafficClient(URI api, List<String> backends, Settings settings) {
    this.user =
        new TrafficUser(
            new CinderApi(api, settings.project(), settings.requestTimeout()), settings, recorder);
    this.backends = List.copyOf(backends);
    this.settings = settings;
    this.deadlineNanos = recorder.startNanos() + settings.maxDuration().toNanos();
  }

  /**
   * Prepares the project (one volume type per backend, {@code traffic-<backend>}, and unlimited
   * quotas, so only the upgrade can make requests fail) and starts the users.
   *
   * @throws IllegalStateException when the preparation fails (nothing counted yet)
   */
  public static TrafficClient start(URI api, List<String> backends, Settings settings) {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("no backend to create volumes on");
    }
    if (!"127.0.0.1".equals(api.getHost()) && !"localhost".equals(api.getHost())) {
      throw new IllegalArgumentException("loopback only, not " + api);
    }
    TrafficClient client = new TrafficClient(api, backends, settings);
    client.user.prepare(client.backends);
    client.ticker.scheduleAtFixedRate(
        client::tick, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    return client;
  }

  /** Requests sent from now on count as during the upgrade. */
  public void upgradeStarted() {
    upgradeStartNanos = System.nanoTime();
    recorder.phase(Phase.DURING);
  }

  /** Requests sent from now on count as after it; users keep starting for {@code window}. */
  public void upgradeFinished(Duration window) {
    upgradeEndNanos = System.nanoTime();
    recorder.phase(Phase.AFTER);
    deadlineNanos = Math.min(deadlineNanos, System.nanoTime() + window.toNanos());
  }

  /** {@code what} is taken away from now on (a database or message bus stopped by the test). */
  public void outageStarted(String what) {
    outages.add(new Outage(what, recorder.now(), Long.MAX_VALUE));
  }

  /**
   * {@code what} is back; requests and resources up to {@code settle} from now still count as
   * inside the outage (the time Cinder's services are given to reconnect).
   */
  public void outageEnded(String what, Duration settle) {
    for (int i = 0; i < outages.size(); i++) {
      Outage o = outages.get(i);
      if (o.what().equals(what) && o.toNanos() == Long.MAX_VALUE) {
        outages.set(i, new Outage(what, o.fromNanos(), recorder.now() + settle.toNanos()));
        return;
      }
    }
    throw new IllegalStateException("no outage of " + what + " under way");
  }

  /**
   * Waits until the deadline and until every user has finished, then returns the report.
   *
   * @throws IllegalStateException when users are still busy long after the deadline
   */
  public TrafficReport awaitEnd() throws InterruptedException {
    long bound =
        deadlineNanos
            + settings.resourceTimeout().multipliedBy(4).toNanos()
            + settings.requestTimeout().toNanos();
    while (System.nanoTime() < deadlineNanos || running.get() > 0) {
      if (System.nanoTime() > bound) {
        throw new IllegalStateException(running.get() + " traffic users still busy");
      }
      Thread.sleep(100); // waiting for own worker threads' counter, bounded above
    }
    ticker.shutdownNow();
    users.shutdown();
    return report();
  }

  /** The figures so far. */
  public TrafficReport report() {
    long startNanos = recorder.startNanos();
    return TrafficReport.of(
        recorder.requests(),
        recorder.outcomes(),
        List.copyOf(outages),
        settings,
        backends,
        (System.nanoTime() - startNanos) / 1e9,
        upgradeStartNanos == 0 ? null : (upgradeStartNanos - startNanos) / 1e9,
        upgradeEndNanos == 0 ? null : (upgradeEndNanos - startNanos) / 1e9);
  }

  @Override
  public void close() {
    deadlineNanos = 0;
    ticker.shutdownNow();
    users.shutdownNow();
  }

  /** Every interval until the deadline: a round of lists, then one more user. */
  private void tick() {
    if (System.nanoTime() >= deadlineNanos) {
      return;
    }
    int n = started.getAndIncrement();
    running.incrementAndGet();
    users.execute(
        () -> {
          try {
            user.lists();
            user.run(n, backends.get(n % backends.size()));
          } finally {
            running.decrementAndGet();
          }
        });
  }

  /** The requests so far, for tests that look at single ones. */
  List<Request> requests() {
    return new ArrayList<>(recorder.requests());
  }
}
