package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deletions a watch resumed from a resourceVersion missed. An informer re-opens its watch from the
 * last version it saw (Fabric8's every 5 to 10 minutes); a real API server then sends every event
 * after that version. The stock mock server sends an ADDED for each object it holds now and nothing
 * else, so an object deleted in between stayed in the informer's cache for good: at 100 clusters
 * the simulated StatefulSet controller then waited forever for a pod that was gone. This keeps the
 * recent deletions and sends the ones after the watch's version, for names not stored again (a
 * stored one gets its ADDED, which replaces the old copy in the informer).
 */
final class WatchResumption {
  private static final int KEPT = 100_000;
  private static final Pattern VERSION = Pattern.compile("[?&]resourceVersion=(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Deletion(AttributeSet key, String json, long version) {}

  private final Deque<Deletion> deletions = new ArrayDeque<>();

  /** An object left the store at {@code version} (call under the store's write lock). */
  synchronized void removed(AttributeSet key, String json, long version) {
    deletions.addLast(new Deletion(key, json, version));
    if (deletions.size() > KEPT) {
      deletions.removeFirst();
    }
  }

  /**
   * Queues on a new watch's listener a DELETED for each deletion it missed (call under the store's
   * write lock, right after the watch was registered, so no live event comes between).
   *
   * @param stored whether an object of the key's name is in the store now
   */
  synchronized void resume(
      String path,
      AttributeSet watched,
      WebSocketListener listener,
      Predicate<AttributeSet> stored) {
    Matcher m = VERSION.matcher(path);
    if (!m.find() || listener == null) {
      return;
    }
    long since = Long.parseLong(m.group(1));
    List<String> missed = new ArrayList<>();
    for (Deletion d : deletions) {
      if (d.version() > since && d.key().matches(watched) && !stored.test(d.key())) {
        missed.add(withVersion(d.json(), d.version()));
      }
    }
    if (missed.isEmpty()) {
      return;
    }
    try {
      // the stock listener's class is package-private; its send queues until the socket opens
      Method send =
          listener
              .getClass()
              .getMethod("sendWebSocketResponse", String.class, Watcher.Action.class);
      send.setAccessible(true);
      for (String json : missed) {
        send.invoke(listener, json, Watcher.Action.DELETED);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the mock server's watch listener changed", e);
    }
  }

  /** The deleted object as a DELETED event carries it: at the version of its deletion. */
  private static String withVersion(String json, long version) {
    try {
      JsonNode tree = JSON.readTree(json);
      ((ObjectNode) tree.path("metadata")).put("resourceVersion", String.valueOf(version));
      return JSON.writeValueAsString(tree);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the store held JSON that does not parse", e);
    }
  }
}
