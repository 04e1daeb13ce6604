package dev.cinderoperator.sim.informers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One informer's cache of one kind, shared by every simulated controller, that also shows the
 * simulator's own writes before their watch events arrive (read-your-writes, as the expectations of
 * Kubernetes controllers give): a controller woken again right after creating or deleting a pod
 * must not create or delete a second one. The mock server's resource versions are one global
 * counter, so "newer" is a numeric comparison.
 */
public final class ObjectCache<T extends HasMetadata> implements AutoCloseable {
  private final SharedIndexInformer<T> informer;

  /** The newest copy this simulator wrote, by uid, until the informer has caught up with it. */
  private final Map<String, T> written = new ConcurrentHashMap<>();

  /** Uids this simulator deleted, until the informer has dropped them. */
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();

  /**
   * Every uid deleted, by this simulator or seen deleted by the informer. A write that raced with
   * the delete (a kubelet status write returning after it) must not bring the object back into the
   * overlay. Uids are never reused, so this only grows by the objects a run deletes.
   */
  private final Set<String> tombstones = ConcurrentHashMap.newKeySet();

  /** The informer's indexes, by name: the keys each files an object under. */
  private final Map<String, Function<T, List<String>>> indexes;

  public ObjectCache(SharedIndexInformer<T> informer) {
    this(informer, Map.of());
  }

  /**
   * @param indexes the indexes the informer was given before it ran, for {@link #list(String,
   *     String)}
   */
  public ObjectCache(
      SharedIndexInformer<T> informer, Map<String, Function<T, List<String>>> indexes) {
    this.informer = informer;
    this.indexes = Map.copyOf(indexes);
    // An overlaid write is dropped once the informer has shown that version or a newer one, or
    // the object's deletion; never inferred from the informer's last synced version, which can
    // move past a create before the created object is in its store (the Deployment controller
    // then saw its surge pod vanish and created a second).
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            caughtUp(obj);
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            caughtUp(newObj);
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            // a write of ours that returns later must not revive it
            tombstones.add(obj.getMetadata().getUid());
            written.remove(obj.getMetadata().getUid());
          }
        });
  }

  private void caughtUp(T seen) {
    written.computeIfPresent(
        seen.getMetadata().getUid(), (uid, mine) -> version(mine) > version(seen) ? mine : null);
  }

  /** Adds a handler to the shared informer (its events are delivered on the informer's thread). */
  public void addHandler(ResourceEventHandler<? super T> handler) {
    informer.addEventHandler(handler);
  }

  /**
   * Every object: the informer's copies, overlaid with this simulator's newer writes.
   *
   * <p>The overlay is copied before the store. The informer changes its store first and runs its
   * handlers (which retire overlaid writes) after, on its own thread: read the other way round, a
   * write retired between the two reads was in neither copy, and a controller listing then saw its
   * own new pod vanish and created a second one (ObjectCacheTest). Copied first, a retired write
   * was in the store before it was retired, so in the store's later copy.
   */
  public List<T> list() {
    Map<String, T> mine = new HashMap<>(written);
    Set<String> deletedByUs = new HashSet<>(deleted);
    return merged(informer.getStore().list(), mine, deletedByUs, o -> true, true);
  }

  /**
   * The objects an index files under the key, overlaid as {@link #list()}. A controller of a few
   * hundred Jobs or Deployments reads their pods, not all 3,000 pods of 100 clusters on every
   * wake-up.
   */
  public List<T> list(String index, String key) {
    Function<T, List<String>> keys = indexes.get(index);
    if (keys == null) {
      throw new IllegalArgumentException("no index " + index);
    }
    Map<String, T> mine = new HashMap<>(written);
    Set<String> deletedByUs = new HashSet<>(deleted);
    return merged(
        informer.getIndexer().byIndex(index, key),
        mine,
        deletedByUs,
        o -> keys.apply(o).contains(key),
        false);
  }

  private List<T> merged(
      List<T> items,
      Map<String, T> mine,
      Set<String> deletedByUs,
      Predicate<T> inView,
      boolean everything) {
    List<T> out = new ArrayList<>(items.size() + mine.size());
    Set<String> present = new HashSet<>(items.size() * 2);
    for (T item : items) {
      String uid = item.getMetadata().getUid();
      present.add(uid);
      if (deletedByUs.contains(uid)) {
        continue;
      }
      T ours = mine.get(uid);
      if (ours != null) {
        if (version(ours) > version(item)) {
          if (inView.test(ours)) {
            out.add(ours);
          }
          continue;
        }
        written.remove(uid, ours);
      }
      out.add(item);
    }
    for (Map.Entry<String, T> e : mine.entrySet()) {
      if (present.contains(e.getKey())) {
        continue;
      }
      if (deletedByUs.contains(e.getKey()) || tombstones.contains(e.getKey())) {
        written.remove(e.getKey(), e.getValue());
      } else if (inView.test(e.getValue())) {
        out.add(e.getValue()); // created (or written) by us, not in the informer yet
      }
    }
    if (everything) {
      // a delete of ours the informer no longer shows: its own view suffices from now on
      for (String uid : deletedByUs) {
        if (!present.contains(uid)) {
          deleted.remove(uid);
        }
      }
    }
    return out;
  }

  /** Records what the API server returned for a create or update by this simulator. */
  public T wrote(T object) {
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
  public void deleted(T object) {
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
