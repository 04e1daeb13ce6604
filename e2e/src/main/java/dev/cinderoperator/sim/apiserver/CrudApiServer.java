package dev.cinderoperator.sim.apiserver;

import dev.cinderoperator.sim.SimulatedCluster;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.function.Consumer;

/**
 * The simulated API server: Fabric8's mock API server in CRUD mode on the strict, indexed store of
 * {@link IndexedCrudDispatcher} (refusals with real messages, garbage collection). It stores
 * objects, serves lists, watches and evictions, records an audit log, injects the faults it is
 * asked to, and runs no controller; {@link SimulatedCluster} adds those. Started outside JUnit too
 * (the demo, the bench).
 */
public final class CrudApiServer extends KubernetesMockServer {
  private final IndexedCrudDispatcher store;

  private CrudApiServer(IndexedCrudDispatcher store) {
    super(new Context(), new MockWebServer(), new HashMap<>(), store, false);
    this.store = store;
  }

  /** A started server on a free local port, plain HTTP. Call destroy() when done. */
  public static CrudApiServer started() {
    CrudApiServer server = new CrudApiServer(new IndexedCrudDispatcher());
    server.init();
    return server;
  }

  /** The stored object at an API path, read without a request (see the dispatcher's peek). */
  public java.util.Optional<com.fasterxml.jackson.databind.JsonNode> peek(String path) {
    return store.peek(path);
  }

  /** Who sent what, and what each request was answered. */
  public AuditLog audit() {
    return store.audit();
  }

  /** The one place the server's faults come from (none until a rule or partition is added). */
  public FaultInjector faults() {
    return store.faults();
  }

  /** Told of every pod removal, with the store as it is right after it. */
  public void onPodRemoval(Consumer<PodRemoval> listener) {
    store.onPodRemoval(listener);
  }

  /** Waits until the garbage collector has acted on every deletion so far. */
  public void awaitGarbageCollection() {
    store.awaitGarbageCollection();
  }

  @Override
  public void destroy() {
    try {
      super.destroy();
    } finally {
      store.close();
    }
  }
}
