package dev.cinderoperator.sim;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * Fabric8's CRUD dispatcher with an indexed store. The stock one scans every stored object for each
 * GET, POST, PUT, PATCH and DELETE, so a request costs O(objects) on the server's single event
 * loop; at 100 clusters (2,900 pods) that loop saturated and the clusters never became Ready. Here
 * the store is an {@link IndexedObjectMap} and the lookups that scanned (find by key, get, list,
 * delete) ask it for the few candidates. Everything else (create, update, patch, status, watches,
 * finalizers) is the stock code, which reads and writes the same store.
 *
 * <p>Fabric8 offers no hook for the store, so the constructor swaps the map and reads two private
 * fields by reflection; a Fabric8 upgrade that renames them fails here at once, not silently.
 */
public final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
  private final IndexedObjectMap objects = new IndexedObjectMap();
  private final ReadWriteLock lock;
  private final AtomicLong resourceVersion;
  private final Method processDelete;
  private final KubernetesResponseComposer composer = new KubernetesResponseComposer();

  public IndexedCrudDispatcher() {
    super(List.of());
    try {
      Field map = CrudDispatcher.class.getDeclaredField("map");
      map.setAccessible(true);
      map.set(this, objects);
      lock = (ReadWriteLock) privateField("lock").get(this);
      resourceVersion = (AtomicLong) privateField("resourceVersion").get(this);
      processDelete =
          KubernetesCrudDispatcher.class.getDeclaredMethod(
              "processDelete", String.class, AttributeSet.class, AttributeSet.class);
      processDelete.setAccessible(true);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Fabric8's KubernetesCrudDispatcher changed shape", e);
    }
  }

  private static Field privateField(String name) throws NoSuchFieldException {
    Field f = KubernetesCrudDispatcher.class.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
    List<Map.Entry<AttributeSet, String>> found = objects.matching(query);
    return found.isEmpty() ? null : found.get(0);
  }

  @Override
  public MockResponse handleGet(String path) {
    if (path.contains("watch=true")) {
      return super.handleGet(path);
    }
    MockResponse response = locked(lock.readLock(), () -> respond(path, false));
    // an empty list may be an API discovery request, which the stock code answers
    return response != null ? response : super.handleGet(path);
  }

  @Override
  public MockResponse handleDelete(String path) {
    return locked(lock.writeLock(), () -> respond(path, true));
  }

  /** The stock answer to a GET or DELETE; null for an empty GET list. */
  private MockResponse respond(String path, boolean delete) {
    AttributeSet query = attributeExtractor.fromPath(path);
    List<Map.Entry<AttributeSet, String>> found = objects.matching(query);
    if (delete) {
      for (Map.Entry<AttributeSet, String> e : found) {
        invokeProcessDelete(path, query, e.getKey());
      }
    }
    List<String> bodies = found.stream().map(Map.Entry::getValue).toList();
    if (query.containsKey("name")) {
      return bodies.isEmpty()
          ? new MockResponse().setResponseCode(404)
          : new MockResponse().setResponseCode(200).setBody(bodies.get(0));
    }
    if (bodies.isEmpty() && !delete) {
      return null;
    }
    return new MockResponse()
        .setResponseCode(200)
        .setBody(composer.compose(bodies, String.valueOf(resourceVersion.get())));
  }

  private void invokeProcessDelete(String path, AttributeSet query, AttributeSet key) {
    try {
      processDelete.invoke(this, path, query, key);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static MockResponse locked(Lock lock, java.util.function.Supplier<MockResponse> work) {
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }
}
