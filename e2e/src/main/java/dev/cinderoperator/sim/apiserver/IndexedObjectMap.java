package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The mock API server's object store (key: the object's attributes, value: its JSON) with the keys
 * also indexed by resource, by resource and namespace, and by resource and name. {@link #matching}
 * narrows a query to the keys that can match it and then applies the stock {@link
 * AttributeSet#matches}, so results and their order are those of a full scan. Thread-safe like the
 * synchronized map it replaces; {@link #entrySet()} is a snapshot.
 *
 * <p>{@link #matchingTrees} also keeps each object's parsed JSON until the object changes: the
 * server's own reads (an eviction's budget over every pod and PodDisruptionBudget of the namespace,
 * the pods down beside a removed one) parsed every object of the namespace per request, which at
 * 100 clusters (2,900 pods, 2,300 budgets in one namespace) kept the event loop busy for most of an
 * upgrade.
 */
final class IndexedObjectMap extends AbstractMap<AttributeSet, String> {
  private static final String PLURAL = "plural";
  private static final String NAMESPACE = "namespace";
  private static final String NAME = "name";

  private final Map<AttributeSet, String> objects = new LinkedHashMap<>();
  private final Map<String, Set<AttributeSet>> byResource = new HashMap<>();
  private final Map<String, Set<AttributeSet>> byNamespace = new HashMap<>();
  private final Map<String, Set<AttributeSet>> byName = new HashMap<>();
  private final Map<AttributeSet, JsonNode> trees = new HashMap<>();
  private final ObjectMapper json = new ObjectMapper();

  /** Every stored entry whose key matches the query, in insertion order. */
  synchronized List<Map.Entry<AttributeSet, String>> matching(AttributeSet query) {
    List<Map.Entry<AttributeSet, String>> found = new ArrayList<>();
    for (AttributeSet key : candidates(query)) {
      if (key.matches(query)) {
        found.add(new SimpleImmutableEntry<>(key, objects.get(key)));
      }
    }
    return found;
  }

  /**
   * The parsed JSON of every stored object whose key matches the query, in insertion order. The
   * trees are shared with later readers until the object changes: read them, never modify them.
   */
  synchronized List<JsonNode> matchingTrees(AttributeSet query) {
    List<JsonNode> found = new ArrayList<>();
    for (AttributeSet key : candidates(query)) {
      if (key.matches(query)) {
        found.add(trees.computeIfAbsent(key, k -> parse(objects.get(k))));
      }
    }
    return found;
  }

  private JsonNode parse(String value) {
    try {
      return json.readTree(value);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the store holds JSON that does not parse", e);
    }
  }

  private Collection<AttributeSet> candidates(AttributeSet query) {
    String plural = exact(query, PLURAL);
    if (plural == null) {
      return objects.keySet();
    }
    String name = exact(query, NAME);
    if (name != null) {
      return byName.getOrDefault(plural + '/' + name, Set.of());
    }
    String namespace = exact(query, NAMESPACE);
    if (namespace != null) {
      return byNamespace.getOrDefault(plural + '/' + namespace, Set.of());
    }
    return byResource.getOrDefault(plural, Set.of());
  }

  /** The one value a query or key requires for an attribute, or null when it is not that simple. */
  private static String exact(AttributeSet attributes, String name) {
    Attribute a = attributes.getAttribute(name);
    if (a == null || a.getType() != AttributeType.WITH || a.getValues().size() != 1) {
      return null;
    }
    String value = a.getValues().get(0).toString();
    return "*".equals(value) ? null : value;
  }

  /** Calls back with each index the key belongs in and its entry there. */
  private void forEachIndex(
      AttributeSet key, BiConsumer<Map<String, Set<AttributeSet>>, String> action) {
    String plural = exact(key, PLURAL);
    if (plural == null) {
      return; // reachable only by a query without a resource, which scans all keys
    }
    action.accept(byResource, plural);
    String namespace = exact(key, NAMESPACE);
    if (namespace != null) {
      action.accept(byNamespace, plural + '/' + namespace);
    }
    String name = exact(key, NAME);
    if (name != null) {
      action.accept(byName, plural + '/' + name);
    }
  }

  @Override
  public synchronized String put(AttributeSet key, String value) {
    String old = objects.put(key, value);
    trees.remove(key);
    if (old == null) {
      forEachIndex(
          key, (index, k) -> index.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(key));
    }
    return old;
  }

  @Override
  public synchronized String remove(Object key) {
    String old = objects.remove(key);
    trees.remove(key);
    if (old != null) {
      // an emptied entry goes too: pods with generated names would otherwise leave one each
      forEachIndex(
          (AttributeSet) key,
          (index, k) ->
              index.computeIfPresent(k, (x, set) -> set.remove(key) && set.isEmpty() ? null : set));
    }
    return old;
  }

  @Override
  public synchronized String get(Object key) {
    return objects.get(key);
  }

  @Override
  public synchronized boolean containsKey(Object key) {
    return objects.containsKey(key);
  }

  @Override
  public synchronized int size() {
    return objects.size();
  }

  @Override
  public synchronized void clear() {
    objects.clear();
    trees.clear();
    byResource.clear();
    byNamespace.clear();
    byName.clear();
  }

  @Override
  public synchronized Set<Map.Entry<AttributeSet, String>> entrySet() {
    return new LinkedHashMap<>(objects).entrySet();
  }
}
