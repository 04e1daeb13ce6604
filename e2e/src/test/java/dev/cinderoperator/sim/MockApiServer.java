package dev.cinderoperator.sim;

import dev.cinderoperator.sim.apiserver.CrudApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.lang.reflect.Field;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A CRUD mock API server per test, injected into the test's {@code KubernetesClient} and {@code
 * KubernetesMockServer} fields. Unlike Fabric8's extension, a slow shutdown of the server's event
 * loop on a loaded machine is logged, not reported as the test's failure: it says nothing about the
 * behaviour under test.
 */
public final class MockApiServer implements BeforeEachCallback, AfterEachCallback {
  private KubernetesMockServer server;
  private KubernetesClient client;

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    server = CrudApiServer.started();
    client = server.createClient();
    Object test = context.getRequiredTestInstance();
    for (Class<?> c = test.getClass(); c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.getType() == KubernetesClient.class) {
          f.setAccessible(true);
          f.set(test, client);
        } else if (f.getType() == KubernetesMockServer.class) {
          f.setAccessible(true);
          f.set(test, server);
        }
      }
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      System.err.println("mock API server shutdown was slow (" + e.getMessage() + "); ignored");
    }
  }
}
