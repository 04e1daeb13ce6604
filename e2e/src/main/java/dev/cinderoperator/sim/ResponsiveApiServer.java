package dev.cinderoperator.sim;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * Waits until the mock API server answers promptly. It runs on one event loop, which stalls for
 * seconds while it closes the watches of a stopped operator. Informers started meanwhile can list
 * and then watch across events the mock server does not replay (a real API server replays from the
 * list's resourceVersion), so an operator (re)starts only once the server is responsive.
 */
final class ResponsiveApiServer {
  private ResponsiveApiServer() {}

  /** Lists namespaces until one list takes under 200 ms, for 30 s at most. */
  static void await(KubernetesClient client) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      long t = System.nanoTime();
      client.namespaces().list();
      if (System.nanoTime() - t < Duration.ofMillis(200).toNanos()) {
        return;
      }
      try {
        Thread.sleep(100); // a probe interval, not a wait for a state
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
