package dev.cinderoperator.sim.apiserver;

import dev.cinderoperator.threads.DaemonThreads;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the simulated API server fails requests on purpose: seeded, bounded by its
 * {@link FaultRule}s, and counted per phase and class. It answers 500, 503, 429 or 409 instead of
 * the store, lets a request time out (not stored, or stored with the answer lost), ends watch
 * streams with 410 Expired so informers list again, and partitions a client from the server.
 *
 * <p>The dispatcher asks {@link #decide} before it serves a request and hands watch responses to
 * {@link #track}; nothing else in the server knows about faults.
 */
public final class FaultInjector {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);
  private static final Duration BURST_EXPIRY = Duration.ofSeconds(10);

  /**
   * Where a closed watch's stock listener is told, off the event loop. It shuts down its own sender
   * and waits for it, and a sender in the middle of a write waits for the event loop: told on the
   * event loop, the two waited for each other for 30 s (the mock server's write timeout), the whole
   * API server stood still and the pending watch event was lost. Seen at 100 clusters, where
   * informers' watches close and reopen under load.
   */
  private static final ExecutorService CLOSER =
      Executors.newSingleThreadExecutor(DaemonThreads.named("sim-watch-closer"));

  /** What to do with one request. */
  public record Decision(Fault fault, String phase) {
    static final Decision NONE = new Decision(null, null);
  }

  private record Burst(Fault fault, String phase, int[] left, long expiresAt) {}

  /** Per rule and phase: the classes still to inject, in seeded order, and the counts. */
  private static final class PhaseState {
    final Deque<Fault> pending = new ArrayDeque<>();
  }

  private final List<FaultRule> rules = new CopyOnWriteArrayList<>();
  private final Map<FaultRule, Map<String, PhaseState>> phases = new HashMap<>();
  private final Map<String, Burst> bursts = new HashMap<>();
  private final Map<String, Fault> partitions = new ConcurrentHashMap<>();
  private final Set<TrackedWatch> watches = ConcurrentHashMap.newKeySet();
  private final Map<String, Map<Fault, int[]>> injected = new TreeMap<>();
  private final Map<String, Map<Fault, int[]>> failedRequests = new TreeMap<>();
  private Random random = new Random(0);
  private volatile Duration timeoutDelay = Duration.ofSeconds(5);

  /** Starts the seeded choices again from this seed. */
  public synchronized void reseed(long seed) {
    random = new Random(seed);
    phases.clear();
  }

  /**
   * How long a timed-out request waits for its (error) answer; longer than the clients' request
   * timeout, so they give up first.
   */
  public void timeoutDelay(Duration delay) {
    this.timeoutDelay = delay;
  }

  public Duration timeoutDelay() {
    return timeoutDelay;
  }

  public FaultRule add(FaultRule rule) {
    rules.add(rule);
    return rule;
  }

  public synchronized void remove(FaultRule rule) {
    rules.remove(rule);
    phases.remove(rule);
    bursts.clear();
  }

  /**
   * Cuts the client off: every request whose User-Agent starts with the prefix gets the fault
   * (TIMEOUT: no answer in time, as across a network partition) and its open watches end.
   */
  public void partition(String clientPrefix, Fault how) {
    partitions.put(clientPrefix, how);
    cutWatches(r -> r.from(clientPrefix), "partition of " + clientPrefix);
  }

  public void heal(String clientPrefix) {
    partitions.remove(clientPrefix);
  }

  /** Ends the matching open watch streams with 410 Expired; returns how many. */
  public int cutWatches(Predicate<ApiRequest> which, String why) {
    int cut = 0;
    for (TrackedWatch w : List.copyOf(watches)) {
      if (which.test(w.request)) {
        w.cut(why);
        cut++;
      }
    }
    return cut;
  }

  /** Faults started per phase and class (a burst counts once). */
  public synchronized Map<String, Map<Fault, Integer>> injected() {
    return snapshot(injected);
  }

  /** Requests answered with a fault per phase and class (every attempt of a burst). */
  public synchronized Map<String, Map<Fault, Integer>> failedRequests() {
    return snapshot(failedRequests);
  }

  private static Map<String, Map<Fault, Integer>> snapshot(Map<String, Map<Fault, int[]>> from) {
    Map<String, Map<Fault, Integer>> out = new LinkedHashMap<>();
    from.forEach(
        (phase, byFault) -> {
          Map<Fault, Integer> m = new EnumMap<>(Fault.class);
          byFault.forEach((f, n) -> m.put(f, n[0]));
          out.put(phase, Collections.unmodifiableMap(m));
        });
    return Collections.unmodifiableMap(out);
  }

  // ---- the dispatcher's side

  /** What to do with a request before it is served. */
  public synchronized Decision decide(ApiRequest r) {
    for (Map.Entry<String, Fault> p : partitions.entrySet()) {
      if (r.from(p.getKey())) {
        count(failedRequests, "partition", p.getValue());
        return new Decision(p.getValue(), "partition");
      }
    }
    long now = System.nanoTime();
    String key = r.client() + " " + r.call().method() + " " + r.call().path();
    Burst burst = bursts.get(key);
    if (burst != null) {
      if (burst.left[0] > 0 && now < burst.expiresAt) {
        burst.left[0]--;
        count(failedRequests, burst.phase, burst.fault);
        return new Decision(burst.fault, burst.phase);
      }
      bursts.remove(key);
    }
    for (FaultRule rule : rules) {
      if (!rule.requests().test(r)) {
        continue;
      }
      String phase = rule.phase().apply(r);
      if (phase == null) {
        continue;
      }
      PhaseState state =
          phases
              .computeIfAbsent(rule, k -> new HashMap<>())
              .computeIfAbsent(phase, k -> newPhase(rule));
      // The scarcest class that can hit this request, else the first in the seeded order: a
      // conflict waiting for a write must not hold back a 500 that any read could take, and a
      // write goes to the classes only writes can take (a short step has few writes).
      Fault next = null;
      for (Fault f : state.pending) {
        if (FaultRule.applies(f, r)
            && (next == null || FaultRule.scarcity(f) > FaultRule.scarcity(next))) {
          next = f;
        }
      }
      if (next == null || random.nextDouble() >= rule.probability()) {
        continue;
      }
      state.pending.removeFirstOccurrence(next);
      count(injected, phase, next);
      if (next == Fault.WATCH_CUT) {
        int n = cutWatches(w -> w.client().equals(r.client()), rule.name() + " in " + phase);
        LOG.debug("fault {}: cut {} watches of {} ({})", next, n, r.client(), phase);
        return Decision.NONE;
      }
      count(failedRequests, phase, next);
      int attempts =
          next == Fault.LOST_RESPONSE || random.nextBoolean() ? 1 : rule.outageAttempts();
      if (attempts > 1) {
        bursts.put(
            key, new Burst(next, phase, new int[] {attempts - 1}, now + BURST_EXPIRY.toNanos()));
      }
      LOG.debug("fault {} x{} on {} from {} ({})", next, attempts, r.describe(), r.client(), phase);
      return new Decision(next, phase);
    }
    return Decision.NONE;
  }

  private PhaseState newPhase(FaultRule rule) {
    PhaseState s = new PhaseState();
    List<Fault> order = new ArrayList<>();
    for (int i = 0; i < rule.perPhase(); i++) {
      List<Fault> round = new ArrayList<>(rule.classes());
      Collections.shuffle(round, random);
      order.addAll(round);
    }
    s.pending.addAll(order);
    return s;
  }

  private static void count(Map<String, Map<Fault, int[]>> counts, String phase, Fault fault) {
    counts.computeIfAbsent(phase, k -> new EnumMap<>(Fault.class))
        .computeIfAbsent(fault, k -> new int[1])[0]++;
  }

  /** The answer a fault gives in place of the server's. */
  public MockResponse answer(Fault fault, ApiRequest r) {
    MockResponse response =
        new MockResponse().setResponseCode(fault.code()).setBody(statusBody(fault, r));
    if (fault == Fault.THROTTLED) {
      response.setHeader("Retry-After", "1");
    }
    if (fault == Fault.TIMEOUT) {
      response.setBodyDelay(timeoutDelay);
    }
    return response;
  }

  /** A served answer whose delivery the fault prevents (the client times out first). */
  public MockResponse lose(MockResponse served) {
    return served.setBodyDelay(timeoutDelay);
  }

  private static String statusBody(Fault fault, ApiRequest r) {
    String message =
        fault == Fault.CONFLICT
            ? "Operation cannot be fulfilled on "
                + r.resource()
                + " \""
                + r.call().name()
                + "\": "
                + fault.message()
            : fault.message();
    var status =
        new StatusBuilder()
            .withStatus("Failure")
            .withMessage(message)
            .withReason(fault.reason())
            .withCode(fault.code())
            .build();
    status.setApiVersion("v1");
    status.setKind("Status");
    return Serialization.asJson(status);
  }

  /**
   * Wraps a watch's listener so the stream can be cut later; {@code ended} runs when the stream has
   * closed or failed, before the stock listener hears of it.
   */
  public MockResponse track(ApiRequest r, MockResponse response, Runnable ended) {
    WebSocketListener delegate = response.getWebSocketListener();
    if (delegate == null) {
      return response;
    }
    return response.withWebSocketUpgrade(new TrackedWatch(r, delegate, ended));
  }

  /** One open watch stream. */
  private final class TrackedWatch extends WebSocketListener {
    final ApiRequest request;
    final WebSocketListener delegate;
    final Runnable ended;
    volatile WebSocket socket;

    TrackedWatch(ApiRequest request, WebSocketListener delegate, Runnable ended) {
      this.request = request;
      this.delegate = delegate;
      this.ended = ended;
    }

    String client() {
      return request.client();
    }

    void cut(String why) {
      WebSocket s = socket;
      watches.remove(this);
      if (s == null) {
        return;
      }
      var status =
          new StatusBuilder()
              .withStatus("Failure")
              .withMessage("too old resource version: watch cut by the simulation (" + why + ")")
              .withReason("Expired")
              .withCode(410)
              .build();
      status.setApiVersion("v1");
      status.setKind("Status");
      s.send("{\"type\":\"ERROR\",\"object\":" + Serialization.asJson(status) + "}");
      s.close(1000, "watch cut");
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      socket = webSocket;
      watches.add(this);
      delegate.onOpen(webSocket, response);
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      delegate.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      watches.remove(this);
      delegate.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      watches.remove(this);
      CLOSER.execute(
          () -> {
            ended.run();
            delegate.onClosed(webSocket, code, reason);
          });
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      watches.remove(this);
      CLOSER.execute(
          () -> {
            ended.run();
            delegate.onFailure(webSocket, t, response);
          });
    }
  }
}
