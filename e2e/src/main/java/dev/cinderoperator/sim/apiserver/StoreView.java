package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.crud.AttributeExtractor;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;

/**
 * The API server's own reads of its store, for the evictions and the pod removal listeners: parsed
 * once per version and shared (read, never modify); deletes go through the API's delete.
 */
final class StoreView implements Evictions.Store {
  private final IndexedObjectMap objects;
  private final Lock readLock;
  private final AttributeExtractor paths;
  private final Function<String, MockResponse> deleter;

  StoreView(
      IndexedObjectMap objects,
      Lock readLock,
      AttributeExtractor paths,
      Function<String, MockResponse> deleter) {
    this.objects = objects;
    this.readLock = readLock;
    this.paths = paths;
    this.deleter = deleter;
  }

  @Override
  public Optional<JsonNode> get(String path) {
    List<JsonNode> found = list(path);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  @Override
  public List<JsonNode> list(String collectionPath) {
    readLock.lock();
    try {
      return objects.matchingTrees(paths.fromPath(collectionPath));
    } finally {
      readLock.unlock();
    }
  }

  @Override
  public long changes(String plural) {
    return objects.changes(plural);
  }

  @Override
  public MockResponse delete(String path) {
    return deleter.apply(path);
  }
}
