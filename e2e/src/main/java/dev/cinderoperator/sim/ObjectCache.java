package dev.cinderoperator.sim;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One informer's cache of one kind, shared by every simulated controller, that also shows the
 * simulator's own writes before their watch events arrive (read-your-writes, as the expectations of
 * Kubernetes controllers give): a controller woken again right after creating or deleting a pod
 * must not create or delete a second one. The mock server's resource versions are one global
 * counter, so "newer" is a numeric comparison.
 */
final class ObjectCache<T extends HasMetadata> implements AutoCloseable {
  private final SharedIndexInformer<T> informer;

  /** The newest copy this simulator wrote, by uid, until the informer has caught up with it. */
  private final Map<String, T> written = new ConcurrentHashMap<>();

  /** Uids this simulator deleted, until the informer has dropped them. */
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();

  /**
   * Every uid this simulator deleted. A write that raced with the delete (a kubelet status write
   * returned after a controller's delete) must not bring the object back into the overlay: a
   * deleted pod shown as Ready again let the Deployment controller retire a second pod. Uids are
   * never reused, so this only grows by the pods a run deletes.
   */
  private final Set<String> tombstones = ConcurrentHashMap.newKeySet();

  ObjectCache(SharedIndexInformer<T> informer) {
    this.informer = informer;
  }

  /** Adds a handler to the shared informer (its events are delivered on the informer's thread). */
  void addHandler(ResourceEventHandler<? super T> handler) {
    informer.addEventHandler(handler);
  }

  /** Every object: the informer's copies, overlaid with this simulator's newer writes. */
  List<T> list() {
    List<T> items = informer.getStore().list();
    List<T> out = new ArrayList<>(items.size() + written.size());
    Set<String> present = new HashSet<>(items.size() * 2);
    for (T item : items) {
      String uid = item.getMetadata().getUid();
      present.add(uid);
      if (deleted.contains(uid)) {
        continue;
      }
      T mine = written.get(uid);
      if (mine != null) {
        if (version(mine) > version(item)) {
          out.add(mine);
          continue;
        }
        written.remove(uid, mine);
      }
      out.add(item);
    }
    long synced = parse(informer.lastSyncResourceVersion());
    for (Map.Entry<String, T> e : written.entrySet()) {
      if (present.contains(e.getKey())) {
        continue;
      }
      if (version(e.getValue()) <= synced || deleted.contains(e.getKey())) {
        // the watch passed our write and the object is gone: deleted since
        written.remove(e.getKey(), e.getValue());
      } else {
        out.add(e.getValue());
      }
    }
    deleted.removeIf(uid -> !present.contains(uid));
    return out;
  }

  /** Records what the API server returned for a create or update by this simulator. */
  T wrote(T object) {
    if (object != null
        && object.getMetadata() != null
        && object.getMetadata().getUid() != null
        && !tombstones.contains(object.getMetadata().getUid())) {
      written.merge(
          object.getMetadata().getUid(),
          object,
          (old, fresh) -> version(fresh) >= version(old) ? fresh : old);
    }
    return object;
  }

  /** Records a delete by this simulator. */
  void deleted(T object) {
    String uid = object.getMetadata().getUid();
    if (uid != null) {
      tombstones.add(uid);
      deleted.add(uid);
      written.remove(uid);
    }
  }

  private static long version(HasMetadata object) {
    return parse(object.getMetadata().getResourceVersion());
  }

  private static long parse(String resourceVersion) {
    if (resourceVersion == null) {
      return -1;
    }
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
