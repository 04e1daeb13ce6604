package dev.cinderoperator.realcinder;

import dev.cinderoperator.threads.DaemonThreads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * HTTP readiness probes, run as the kubelet runs them: every period, a GET with the probe's
 * timeout; 200 to 399 passes; one pass makes the container Ready, {@code failureThreshold} failures
 * in a row make it not Ready. Before its first pass a container is not Ready.
 */
final class HttpProber implements AutoCloseable {
  /** One container's probe. */
  record Probe(
      String url, Duration period, Duration timeout, int failureThreshold, Duration initialDelay) {}

  private static final class State {
    volatile boolean ready;
    int failures;
    ScheduledFuture<?> task;
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ScheduledExecutorService executor =
      Executors.newScheduledThreadPool(1, DaemonThreads.named("sim-http-prober"));
  private final Map<String, State> states = new ConcurrentHashMap<>();

  void watch(String uid, Probe probe, BooleanSupplier alive) {
    State state = new State();
    states.put(uid, state);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(probe.url())).timeout(probe.timeout()).GET().build();
    state.task =
        executor.scheduleWithFixedDelay(
            () -> {
              boolean pass = false;
              if (alive.getAsBoolean()) {
                try {
                  int code =
                      http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                  pass = code >= 200 && code < 400;
                } catch (java.io.IOException e) {
                  pass = false;
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
              if (pass) {
                state.failures = 0;
                state.ready = true;
              } else if (++state.failures >= probe.failureThreshold()) {
                state.ready = false;
              }
            },
            probe.initialDelay().toMillis(),
            probe.period().toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /** The probe's verdict, or empty when the container has no HTTP probe. */
  Optional<Boolean> ready(String uid) {
    State s = states.get(uid);
    return s == null ? Optional.empty() : Optional.of(s.ready);
  }

  void forget(String uid) {
    State s = states.remove(uid);
    if (s != null && s.task != null) {
      s.task.cancel(false);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
