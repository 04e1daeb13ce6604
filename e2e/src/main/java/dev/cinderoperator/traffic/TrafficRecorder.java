package dev.cinderoperator.traffic;

import dev.cinderoperator.traffic.TrafficClient.Outcome;
import dev.cinderoperator.traffic.TrafficClient.Phase;
import dev.cinderoperator.traffic.TrafficClient.Request;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What the traffic saw, on one clock (nanoseconds since the client started): every request with the
 * phase of the upgrade it was sent in, and every resource's end.
 */
final class TrafficRecorder {
  private final long startNanos = System.nanoTime();
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.BEFORE);
  private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();

  /** Nanoseconds since the client started. */
  long now() {
    return System.nanoTime() - startNanos;
  }

  long startNanos() {
    return startNanos;
  }

  Phase phase() {
    return phase.get();
  }

  /** Requests sent from now on count in {@code next}. */
  void phase(Phase next) {
    phase.set(next);
  }

  /** Sends a request and records it, as part of the flow of a user started at {@code since}. */
  CinderApi.Response call(long since, String operation, Supplier<CinderApi.Response> c) {
    Phase at = phase.get();
    long sent = now();
    CinderApi.Response r = c.get();
    requests.add(
        new Request(
            at, operation, Math.min(since, sent), sent, r.nanos(), r.status(), r.failure()));
    return r;
  }

  /** A resource's end, seen now, of a user started at {@code since} in phase {@code at}. */
  void outcome(Phase at, String kind, String id, String end, String detail, long since) {
    outcomes.add(new Outcome(at, kind, id, end, detail, since, now()));
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }
}
