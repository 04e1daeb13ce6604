package dev.cinderoperator.sim.apiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * The parts of Fabric8's {@link KubernetesCrudDispatcher} that are private and the indexed store
 * needs: its map (swapped for an {@link IndexedObjectMap}), its lock, its resourceVersion counter,
 * its open watches' listeners and its {@code processDelete}. Fabric8 offers no hook for the store,
 * so they are reached by reflection; a Fabric8 upgrade that renames them fails here at once, not
 * silently.
 */
final class StockStore {
  final ReadWriteLock lock;
  final AtomicLong resourceVersion;

  /** The listeners every stored change is sent to, one per open watch. */
  final Set<?> watchListeners;

  private final KubernetesCrudDispatcher dispatcher;
  private final Method processDelete;

  /** Makes {@code objects} the dispatcher's store. */
  StockStore(KubernetesCrudDispatcher dispatcher, IndexedObjectMap objects) {
    this.dispatcher = dispatcher;
    try {
      Field map = CrudDispatcher.class.getDeclaredField("map");
      map.setAccessible(true);
      map.set(dispatcher, objects);
      lock = (ReadWriteLock) privateField("lock").get(dispatcher);
      resourceVersion = (AtomicLong) privateField("resourceVersion").get(dispatcher);
      watchListeners = (Set<?>) privateField("watchEventListeners").get(dispatcher);
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

  /** The stock removal of the object stored under {@code key} (finalizers, watch events). */
  void processDelete(String path, AttributeSet query, AttributeSet key) {
    try {
      processDelete.invoke(dispatcher, path, query, key);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
