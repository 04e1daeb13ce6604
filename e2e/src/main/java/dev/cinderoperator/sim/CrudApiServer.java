package dev.cinderoperator.sim;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;

/**
 * Starts Fabric8's mock API server in CRUD mode outside JUnit (the demo, the bench): it stores
 * objects, serves lists and watches, and runs nothing; {@link SimulatedCluster} adds the rest. Its
 * store is indexed ({@link IndexedCrudDispatcher}) so a request does not cost a scan of every
 * object.
 */
public final class CrudApiServer {
  private CrudApiServer() {}

  /** A started CRUD-mode server on a free local port, plain HTTP. Call destroy() when done. */
  public static KubernetesMockServer start() {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new IndexedCrudDispatcher(),
            false);
    server.init();
    return server;
  }
}
