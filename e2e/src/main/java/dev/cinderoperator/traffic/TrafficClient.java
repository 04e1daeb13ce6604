package dev.cinderoperator.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
   */
  public record Settings(
      Duration interval,
      Duration maxDuration,
      Duration pollInterval,
      Duration resourceTimeout,
      Duration requestTimeout,
      boolean backups) {
    /**
     * One user every 2 s, at most 15 minutes, without backups: backing up a volume of Cinder's fake
     * drivers cannot succeed on this machine (the attach step needs a real target; see
     * docs/testenv.md), and an expected failure is never counted as a success.
     */
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(2),
          Duration.ofMinutes(15),
          Duration.ofMillis(500),
          Duration.ofSeconds(90),
          Duration.ofSeconds(30),
          false);
    }

    public Settings withBackups(boolean on) {
      return new Settings(interval, maxDuration, pollInterval, resourceTimeout, requestTimeout, on);
    }

    public Settings withMaxDuration(Duration d) {
      return new Settings(interval, d, pollInterval, resourceTimeout, requestTimeout, backups);
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

  private static final String PROJECT = "traffic";

  private final CinderApi api;
  private final List<String> backends;
  private final Settings settings;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(daemon("traffic-ticker"));
  private final ExecutorService users = Executors.newCachedThreadPool(daemon("traffic-user"));
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final List<Outage> outages = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.BEFORE);
  private final AtomicInteger started = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final long startNanos = System.nanoTime();
  private volatile long deadlineNanos;
  private volatile long upgradeStartNanos;
  private volatile long upgradeEndNanos;

  private TrafficClient(URI api, List<String> backends, Settings settings) {
    this.api = new CinderApi(api, PROJECT, settings.requestTimeout());
    this.backends = List.copyOf(backends);
    this.settings = settings;
    this.deadlineNanos = startNanos + settings.maxDuration().toNanos();
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
    client.prepare();
    client.ticker.scheduleAtFixedRate(
        client::tick, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    return client;
  }

  /** Requests sent from now on count as during the upgrade. */
  public void upgradeStarted() {
    upgradeStartNanos = System.nanoTime();
    phase.set(Phase.DURING);
  }

  /** Requests sent from now on count as after it; users keep starting for {@code window}. */
  public void upgradeFinished(Duration window) {
    upgradeEndNanos = System.nanoTime();
    phase.set(Phase.AFTER);
    deadlineNanos = Math.min(deadlineNanos, System.nanoTime() + window.toNanos());
  }

  /** {@code what} is taken away from now on (a database or message bus stopped by the test). */
  public void outageStarted(String what) {
    outages.add(new Outage(what, now(), Long.MAX_VALUE));
  }

  /**
   * {@code what} is back; requests and resources up to {@code settle} from now still count as
   * inside the outage (the time Cinder's services are given to reconnect).
   */
  public void outageEnded(String what, Duration settle) {
    for (int i = 0; i < outages.size(); i++) {
      Outage o = outages.get(i);
      if (o.what().equals(what) && o.toNanos() == Long.MAX_VALUE) {
        outages.set(i, new Outage(what, o.fromNanos(), now() + settle.toNanos()));
        return;
      }
    }
    throw new IllegalStateException("no outage of " + what + " under way");
  }

  private long now() {
    return System.nanoTime() - startNanos;
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
    return TrafficReport.of(
        List.copyOf(requests),
        List.copyOf(outcomes),
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

  // ---- what users do

  private void prepare() {
    for (String backend : backends) {
      String type = typeOf(backend);
      CinderApi.Response list = api.get("/types", 200);
      if (!list.ok()) {
        throw new IllegalStateException("listing volume types failed: " + list.failure());
      }
      boolean exists = false;
      for (JsonNode t : list.body().path("volume_types")) {
        exists |= type.equals(t.path("name").asText());
      }
      if (!exists) {
        CinderApi.Response r =
            api.post(
                "/types",
                Map.of(
                    "volume_type",
                    Map.of("name", type, "extra_specs", Map.of("volume_backend_name", backend))),
                200);
        if (!r.ok()) {
          throw new IllegalStateException("creating volume type " + type + ": " + r.failure());
        }
      }
    }
    CinderApi.Response q =
        api.put(
            "/os-quota-sets/" + PROJECT,
            Map.of(
                "quota_set",
                Map.of(
                    "volumes",
                    -1,
                    "gigabytes",
                    -1,
                    "backups",
                    -1,
                    "backup_gigabytes",
                    -1,
                    "snapshots",
                    -1)),
            200);
    if (!q.ok()) {
      throw new IllegalStateException("lifting the traffic project's quotas: " + q.failure());
    }
  }

  private static String typeOf(String backend) {
    return "traffic-" + backend;
  }

  private void tick() {
    if (System.nanoTime() >= deadlineNanos) {
      return;
    }
    int n = started.getAndIncrement();
    running.incrementAndGet();
    users.execute(
        () -> {
          try {
            lists();
            user(n, backends.get(n % backends.size()));
          } finally {
            running.decrementAndGet();
          }
        });
  }

  private void lists() {
    call(now(), "list volumes", () -> api.get("/volumes", 200));
    call(now(), "list services", () -> api.get("/os-services", 200));
    call(now(), "list backups", () -> api.get("/backups", 200));
  }

  private void user(int n, String backend) {
    Phase at = phase.get();
    long since = now();
    CinderApi.Response created =
        call(
            since,
            "create volume",
            () ->
                api.post(
                    "/volumes",
                    Map.of(
                        "volume",
                        Map.of("size", 1, "name", "traffic-" + n, "volume_type", typeOf(backend))),
                    202));
    if (!created.ok()) {
      return;
    }
    String volume = created.body().path("volume").path("id").asText();
    if (!await(
        at,
        since,
        "volume",
        "/volumes/" + volume,
        "volume",
        Set.of("available"),
        Set.of("error"))) {
      deleteAndAwait(at, since, "volume", "/volumes/" + volume, "volume");
      return;
    }
    if (settings.backups()) {
      CinderApi.Response backup =
          call(
              since,
              "create backup",
              () ->
                  api.post(
                      "/backups",
                      Map.of("backup", Map.of("volume_id", volume, "name", "traffic-" + n)),
                      202));
      if (backup.ok()) {
        String id = backup.body().path("backup").path("id").asText();
        boolean available =
            await(
                at,
                since,
                "backup",
                "/backups/" + id,
                "backup",
                Set.of("available"),
                Set.of("error"));
        if (available) {
          deleteAndAwait(at, since, "backup", "/backups/" + id, "backup");
        }
        // a backup in error stays (it is counted); the volume waits until it is no longer busy
        awaitState(since, "/volumes/" + volume, "volume", Set.of("available", "error"));
      }
    }
    deleteAndAwait(at, since, "volume", "/volumes/" + volume, "volume");
  }

  private void deleteAndAwait(Phase at, long since, String kind, String path, String key) {
    CinderApi.Response d = call(since, "delete " + kind, () -> api.delete(path, 202));
    if (!d.ok()) {
      return;
    }
    long deadline = System.nanoTime() + settings.resourceTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      CinderApi.Response r = call(since, "show " + kind, () -> api.get(path, 200, 404));
      if (r.ok() && r.status() == 404) {
        outcomes.add(new Outcome(at, kind + " delete", path, "gone", null, since, now()));
        return;
      }
      if (r.ok()) {
        String status = r.body().path(key).path("status").asText();
        if (status.equals("error_deleting") || status.equals("error")) {
          outcomes.add(new Outcome(at, kind + " delete", path, "error", status, since, now()));
          return;
        }
      }
      pause();
    }
    outcomes.add(new Outcome(at, kind + " delete", path, "stuck", "still there", since, now()));
  }

  /** Polls until the resource reaches a wanted state (true), an error state or the timeout. */
  private boolean await(
      Phase at,
      long since,
      String kind,
      String path,
      String key,
      Set<String> wanted,
      Set<String> errors) {
    long deadline = System.nanoTime() + settings.resourceTimeout().toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      CinderApi.Response r = call(since, "show " + kind, () -> api.get(path, 200));
      if (r.ok()) {
        JsonNode node = r.body().path(key);
        last = node.path("status").asText();
        if (wanted.contains(last)) {
          outcomes.add(new Outcome(at, kind, path, "ok", last, since, now()));
          return true;
        }
        if (errors.contains(last)) {
          String reason = node.path("fail_reason").asText(null);
          outcomes.add(
              new Outcome(at, kind, path, "error", reason == null ? last : reason, since, now()));
          return false;
        }
      }
      pause();
    }
    outcomes.add(new Outcome(at, kind, path, "stuck", "last status " + last, since, now()));
    return false;
  }

  /** Waits for a state without counting the outcome (the resource's own wait counted it). */
  private void awaitState(long since, String path, String key, Set<String> wanted) {
    long deadline = System.nanoTime() + settings.resourceTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      CinderApi.Response r = call(since, "show " + key, () -> api.get(path, 200));
      if (r.ok() && wanted.contains(r.body().path(key).path("status").asText())) {
        return;
      }
      pause();
    }
  }

  private CinderApi.Response call(
      long since, String operation, java.util.function.Supplier<CinderApi.Response> c) {
    Phase at = phase.get();
    long sent = now();
    CinderApi.Response r = c.get();
    requests.add(
        new Request(
            at, operation, Math.min(since, sent), sent, r.nanos(), r.status(), r.failure()));
    return r;
  }

  private void pause() {
    try {
      Thread.sleep(settings.pollInterval().toMillis()); // the client's poll interval
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The requests so far, for tests that look at single ones. */
  List<Request> requests() {
    return new ArrayList<>(requests);
  }
}
