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
import java.util.function.Predicate;

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
 *
 * <p>A scan touches no key's hash: the indexes hold each entry by identity, and a query made of a
 * path alone (api, version, plural, namespace, name) is checked by looking up those few attributes
 * in the key. {@link AttributeSet#hashCode} hashes every attribute of an object (its labels too)
 * and {@link AttributeSet#matches} scans them per query attribute; at 2,900 pods per namespace scan
 * the two were most of the event loop's time while 100 clusters upgraded.
 */
final class IndexedObjectMap extends AbstractMap<AttributeSet, String> {
  private static final String PLURAL = "plural";
  private static final String NAMESPACE = "namespace";
  private static final String NAME = "name";
  private static final List<String> PATH = List.of("api", "version", PLURAL, NAMESPACE, NAME);
  private static final String LABEL = "labels:"; // the stock extractor's prefix of a label key

  /** One stored object; equal only to itself, so the indexes never hash its key. */
  private static final class Stored {
    final AttributeSet key;
    String value;
    JsonNode tree;

    Stored(AttributeSet key, String value) {
      this.key = key;
      this.value = value;
    }
  }

  private final Map<AttributeSet, Stored> objects = new LinkedHashMap<>();
  private final Map<String, Set<Stored>> byResource = new HashMap<>();
  private final Map<String, Set<Stored>> byNamespace = new HashMap<>();
  private final Map<String, Set<Stored>> byName = new HashMap<>();
  private final Map<String, Set<Stored>> byLabel = new HashMap<>();
  private final Map<String, Long> changes = new HashMap<>();
  private final List<String> indexedLabels;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param indexedLabels the label keys whose values are indexed (within resource and namespace)
   */
  IndexedObjectMap(List<String> indexedLabels) {
    this.indexedLabels = List.copyOf(indexedLabels);
  }

  /** How many times objects of the resource were stored or removed so far. */
  synchronized long changes(String plural) {
    return changes.getOrDefault(plural, 0L);
  }

  /** Every stored entry whose key matches the query, in insertion order. */
  synchronized List<Map.Entry<AttributeSet, String>> matching(AttributeSet query) {
    List<Map.Entry<AttributeSet, String>> found = new ArrayList<>();
    Predicate<AttributeSet> matches = matcher(query);
    for (Stored s : candidates(query)) {
      if (matches.test(s.key)) {
        found.add(new SimpleImmutableEntry<>(s.key, s.value));
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
    Predicate<AttributeSet> matches = matcher(query);
    for (Stored s : candidates(query)) {
      if (matches.test(s.key)) {
        if (s.tree == null) {
          s.tree = parse(s.value);
        }
        found.add(s.tree);
      }
    }
    return found;
  }

  /**
   * {@link AttributeSet#matches}, answered from the key's path attributes when the query is a path
   * and nothing else (no selector): a stock WITH attribute matches when the key holds an equal one,
   * and a key holds one attribute per name.
   */
  private static Predicate<AttributeSet> matcher(AttributeSet query) {
    List<Attribute> path = new ArrayList<>();
    for (String name : PATH) {
      Attribute a = query.getAttribute(name);
      if (a != null) {
        if (a.getType() != AttributeType.WITH) {
          return key -> key.matches(query);
        }
        path.add(a);
      }
    }
    if (!new AttributeSet(path).equals(query)) {
      return key -> key.matches(query);
    }
    return key -> {
      for (Attribute a : path) {
        if (!a.equals(key.getAttribute(a.getKey().toString()))) {
          return false;
        }
      }
      return true;
    };
  }

  /** Whether an object of the key's resource, namespace and name is stored, whatever its labels. */
  synchronized boolean holdsName(AttributeSet key) {
    List<Attribute> name = new ArrayList<>();
    for (String a : List.of(PLURAL, NAMESPACE, NAME)) {
      if (key.getAttribute(a) != null) {
        name.add(key.getAttribute(a));
      }
    }
    AttributeSet query = new AttributeSet(name);
    Predicate<AttributeSet> matches = matcher(query);
    return candidates(query).stream().anyMatch(s -> matches.test(s.key));
  }

  private JsonNode parse(String value) {
    try {
      return json.readTree(value);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the store holds JSON that does not parse", e);
    }
  }

  private Collection<Stored> candidates(AttributeSet query) {
    String plural = exact(query, PLURAL);
    if (plural == null) {
      return objects.values();
    }
    String name = exact(query, NAME);
    if (name != null) {
      return byName.getOrDefault(plural + '/' + name, Set.of());
    }
    String namespace = exact(query, NAMESPACE);
    if (namespace != null) {
      for (String label : indexedLabels) {
        String value = exact(query, LABEL + label);
        if (value != null) {
          return byLabel.getOrDefault(labelKey(plural, namespace, label, value), Set.of());
        }
      }
      return byNamespace.getOrDefault(plural + '/' + namespace, Set.of());
    }
    return byResource.getOrDefault(plural, Set.of());
  }

  private static String labelKey(String plural, String namespace, String label, String value) {
    return plural + '/' + namespace + '/' + label + '=' + value;
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

  /** Calls back with each index the entry belongs in and its entry there. */
  private void forEachIndex(Stored stored, BiConsumer<Map<String, Set<Stored>>, String> action) {
    String plural = exact(stored.key, PLURAL);
    if (plural == null) {
      return; // reachable only by a query without a resource, which scans all keys
    }
    action.accept(byResource, plural);
    String namespace = exact(stored.key, NAMESPACE);
    if (namespace != null) {
      action.accept(byNamespace, plural + '/' + namespace);
      for (String label : indexedLabels) {
        String value = exact(stored.key, LABEL + label);
        if (value != null) {
          action.accept(byLabel, labelKey(plural, namespace, label, value));
        }
      }
    }
    String name = exact(stored.key, NAME);
    if (name != null) {
      action.accept(byName, plural + '/' + name);
    }
  }

  @Override
  public synchronized String put(AttributeSet key, String value) {
    counted(key);
    Stored stored = objects.get(key);
    if (stored != null) {
      String old = stored.value;
      stored.value = value;
      stored.tree = null;
      return old;
    }
    Stored added = new Stored(key, value);
    objects.put(key, added);
    forEachIndex(
        added, (index, k) -> index.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(added));
    return null;
  }

  @Override
  public synchronized String remove(Object key) {
    Stored old = objects.remove(key);
    if (old == null) {
      return null;
    }
    counted(old.key);
    // an emptied entry goes too: pods with generated names would otherwise leave one each
    forEachIndex(
        old,
        (index, k) ->
            index.computeIfPresent(k, (x, set) -> set.remove(old) && set.isEmpty() ? null : set));
    return old.value;
  }

  private void counted(AttributeSet key) {
    String plural = exact(key, PLURAL);
    if (plural != null) {
      changes.merge(plural, 1L, Long::sum);
    }
  }

  @Override
  public synchronized String get(Object key) {
    Stored stored = objects.get(key);
    return stored == null ? null : stored.value;
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
    byResource.clear();
    byNamespace.clear();
    byName.clear();
    byLabel.clear();
    changes.replaceAll((plural, n) -> n + 1); // never back to a count a reader has seen
  }

  @Override
  public synchronized Set<Map.Entry<AttributeSet, String>> entrySet() {
    Map<AttributeSet, String> copy = new LinkedHashMap<>();
    objects.forEach((k, s) -> copy.put(k, s.value));
    return copy.entrySet();
  }
}
