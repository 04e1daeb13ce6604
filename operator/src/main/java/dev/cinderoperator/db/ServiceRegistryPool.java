package dev.cinderoperator.db;

import dev.cinderoperator.cinder.SqlAlchemyUrl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registry per CinderCluster ({@code namespace/name}), re-created when the cluster's database
 * URL changes. It keeps only a SHA-256 fingerprint of each URL, never the URL.
 */
public final class ServiceRegistryPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistryPool.class);

  private record Entry(byte[] fingerprint, ServiceRegistry registry) {}

  /** Builds the registry of one CinderCluster. */
  @FunctionalInterface
  public interface Factory {
    ServiceRegistry create(String namespace, String name, SqlAlchemyUrl url);
  }

  private final Factory factory;
  private final Map<String, Entry> entries = new HashMap<>();
  private boolean closed;

  /**
   * @param factory builds a registry for a URL: {@link #guardedJdbc()} for the operator, an
   *     in-memory registry for the simulated cluster
   */
  public ServiceRegistryPool(Function<SqlAlchemyUrl, ServiceRegistry> factory) {
    this((namespace, name, url) -> factory.apply(url));
  }

  /** A factory that also knows which cluster it builds for (the simulated cluster needs it). */
  public ServiceRegistryPool(Factory factory) {
    this.factory = factory;
  }

  /** Registries over MariaDB Connector/J, each behind a retry and a circuit breaker. */
  public static ServiceRegistryPool guardedJdbc() {
    return new ServiceRegistryPool(url -> new GuardedServiceRegistry(new JdbcServiceRegistry(url)));
  }

  /**
   * The registry of a CinderCluster for its current URL; a previous registry for another URL is
   * closed.
   */
  public synchronized ServiceRegistry forCluster(String namespace, String name, SqlAlchemyUrl url) {
    if (closed) {
      throw new IllegalStateException("the registry pool is closed");
    }
    String key = namespace + "/" + name;
    byte[] fingerprint = fingerprint(url);
    Entry current = entries.get(key);
    if (current != null && MessageDigest.isEqual(current.fingerprint(), fingerprint)) {
      return current.registry();
    }
    if (current != null) {
      LOG.info("Database connection settings of {} changed; reconnecting", key);
      closeQuietly(key, current.registry());
    }
    ServiceRegistry registry = factory.create(namespace, name, url);
    entries.put(key, new Entry(fingerprint, registry));
    return registry;
  }

  /** Closes and forgets the registry of a deleted CinderCluster. */
  public synchronized void release(String namespace, String name) {
    Entry e = entries.remove(namespace + "/" + name);
    if (e != null) {
      closeQuietly(namespace + "/" + name, e.registry());
    }
  }

  /** 1 when a registry (and its connection pool) is open for the cluster, else 0. */
  public synchronized int heldFor(String namespace, String name) {
    return entries.containsKey(namespace + "/" + name) ? 1 : 0;
  }

  /** Circuit state per {@code namespace/name} of the guarded registries, for metrics. */
  public synchronized Map<String, GuardedServiceRegistry.CircuitState> circuitStates() {
    Map<String, GuardedServiceRegistry.CircuitState> states = new TreeMap<>();
    entries.forEach(
        (key, e) -> {
          if (e.registry() instanceof GuardedServiceRegistry g) {
            states.put(key, g.circuitState());
          }
        });
    return states;
  }

  @Override
  public synchronized void close() {
    closed = true;
    List.copyOf(entries.keySet()).forEach(k -> closeQuietly(k, entries.get(k).registry()));
    entries.clear();
  }

  private static void closeQuietly(String key, ServiceRegistry registry) {
    try {
      registry.close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the database registry of {} failed: {}", key, e.getClass().getName());
    }
  }

  private static byte[] fingerprint(SqlAlchemyUrl url) {
    StringBuilder b = new StringBuilder();
    for (String part :
        List.of(url.dialect(), url.user(), url.password(), url.host(), url.database())) {
      b.append(part.length()).append(':').append(part).append('|');
    }
    b.append(url.port()).append('|').append(new TreeMap<>(url.query()));
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(b.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
