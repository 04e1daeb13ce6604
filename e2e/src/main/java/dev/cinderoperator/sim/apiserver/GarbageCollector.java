package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' garbage collector for the simulated API server: when an object leaves the store, the
 * objects whose {@code ownerReferences} name its uid are collected in the background, as the real
 * collector does after an owner's deletion (background propagation, the default). A dependent that
 * still has another live owner only loses the dangling reference; one whose owner was deleted with
 * {@code propagationPolicy: Orphan} loses the reference and stays. Deleting a dependent goes
 * through the store's own delete, so its dependents follow in turn and a dependent with finalizers
 * is only marked for deletion.
 *
 * <p>Foreground propagation is collected like background (the owner does not wait for its
 * dependents).
 */
final class GarbageCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  /** What the collector does to the store. */
  interface Store {
    /** Deletes the object at the path, as a DELETE request would. */
    void delete(String path);

    /** Removes the owner reference to {@code ownerUid} from the object at the path. */
    void removeOwnerReference(String path, String ownerUid);
  }

  /** A stored object: where it lives and whom it names as owners. */
  private record Node(String path, Set<String> owners) {}

  private final Store store;
  private final Map<String, Node> byUid = new HashMap<>();
  private final Map<String, Set<String>> dependentsOf = new HashMap<>();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sim-garbage-collector");
            t.setDaemon(true);
            return t;
          });

  GarbageCollector(Store store) {
    this.store = store;
  }

  /** Where an object of the resource {@code plural} lives, for the collector's later DELETE. */
  static String pathOf(String plural, JsonNode object) {
    String apiVersion = object.path("apiVersion").asText();
    String prefix = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
    String ns = object.at("/metadata/namespace").asText("");
    return prefix
        + (ns.isEmpty() ? "" : "/namespaces/" + ns)
        + "/"
        + plural
        + "/"
        + object.at("/metadata/name").asText();
  }

  /** Edits {@code metadata} so it no longer names {@code ownerUid} as an owner. */
  static void dropOwnerReference(ObjectNode metadata, String ownerUid) {
    ArrayNode refs = metadata.withArray("ownerReferences");
    for (int i = refs.size() - 1; i >= 0; i--) {
      if (ownerUid.equals(refs.get(i).path("uid").asText())) {
        refs.remove(i);
      }
    }
    if (refs.isEmpty()) {
      metadata.remove("ownerReferences");
    }
  }

  /** An object was stored (created or updated) at {@code path}. */
  synchronized void stored(String path, JsonNode object) {
    String uid = object.at("/metadata/uid").asText("");
    if (uid.isEmpty()) {
      return;
    }
    Set<String> owners = new HashSet<>();
    object.at("/metadata/ownerReferences").forEach(r -> owners.add(r.path("uid").asText()));
    Node old = byUid.put(uid, new Node(path, owners));
    if (old != null) {
      old.owners().forEach(o -> unlink(o, uid));
    }
    owners.forEach(o -> dependentsOf.computeIfAbsent(o, k -> new HashSet<>()).add(uid));
    // an owner that was already gone when this reference was written: collect it now
    for (String owner : owners) {
      if (!byUid.containsKey(owner)) {
        schedule(owner, false);
      }
    }
  }

  /** An object left the store; its dependents are collected ({@code orphan}: released). */
  synchronized void removed(JsonNode object, boolean orphan) {
    String uid = object.at("/metadata/uid").asText("");
    if (uid.isEmpty()) {
      return;
    }
    Node old = byUid.remove(uid);
    if (old != null) {
      old.owners().forEach(o -> unlink(o, uid));
    }
    if (dependentsOf.containsKey(uid)) {
      schedule(uid, orphan);
    }
  }

  private void unlink(String owner, String dependent) {
    Set<String> deps = dependentsOf.get(owner);
    if (deps != null && deps.remove(dependent) && deps.isEmpty()) {
      dependentsOf.remove(owner);
    }
  }

  private void schedule(String ownerUid, boolean orphan) {
    try {
      worker.execute(() -> collect(ownerUid, orphan));
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** Runs on the collector's thread, outside this monitor: the store takes its own lock. */
  private void collect(String ownerUid, boolean orphan) {
    Map<String, Boolean> work = new HashMap<>();
    synchronized (this) {
      if (byUid.containsKey(ownerUid)) {
        return; // the owner exists (again): nothing is dangling
      }
      for (String dep : dependentsOf.getOrDefault(ownerUid, Set.of())) {
        Node node = byUid.get(dep);
        if (node == null) {
          continue;
        }
        boolean otherOwnerLives =
            node.owners().stream().anyMatch(o -> !o.equals(ownerUid) && byUid.containsKey(o));
        work.put(node.path(), orphan || otherOwnerLives);
      }
    }
    work.forEach(
        (path, keep) -> {
          try {
            if (keep) {
              store.removeOwnerReference(path, ownerUid);
            } else {
              store.delete(path);
            }
          } catch (RuntimeException e) {
            LOG.debug("garbage collection of {} failed: {}", path, e.getMessage());
          }
        });
  }

  /** Waits until every collection scheduled so far has run (tests). */
  void awaitIdle() {
    try {
      worker.submit(() -> {}).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("garbage collector did not settle", e);
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
