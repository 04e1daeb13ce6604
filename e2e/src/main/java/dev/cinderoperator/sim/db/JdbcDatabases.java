package dev.cinderoperator.sim.db;

import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.SqlAlchemyUrl;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Cinder database of each CinderCluster in a real MariaDB: the cluster's URL comes from the
 * given function (in tests, the database the cluster's Secret names).
 */
public final class JdbcDatabases implements SimDatabases, AutoCloseable {
  private final BiFunction<String, String, SqlAlchemyUrl> urls;
  private final Clock clock;
  private final Consumer<ServiceRowEvent> events;
  private final Map<String, JdbcServicesTable> tables = new ConcurrentHashMap<>();
  // Simulated backups stay in memory: the operator reads the real (empty) backups table.
  private final Map<String, SimBackupsTable> backups = new ConcurrentHashMap<>();

  public JdbcDatabases(
      BiFunction<String, String, SqlAlchemyUrl> urls,
      Clock clock,
      Consumer<ServiceRowEvent> events) {
    this.urls = urls;
    this.clock = clock;
    this.events = events;
  }

  /** For {@code SimulatedCluster.start(..., databases)}: every cluster's rows in one database. */
  public static Function<Consumer<ServiceRowEvent>, SimDatabases> factory(
      SqlAlchemyUrl url, Clock clock) {
    return events -> new JdbcDatabases((ns, cluster) -> url, clock, events);
  }

  @Override
  public JdbcServicesTable servicesTable(String namespace, String cluster) {
    return tables.computeIfAbsent(
        namespace + "/" + cluster,
        k ->
            new JdbcServicesTable(
                namespace, cluster, urls.apply(namespace, cluster), clock, events));
  }

  @Override
  public SimBackupsTable backups(String namespace, String cluster) {
    return backups.computeIfAbsent(namespace + "/" + cluster, k -> new SimBackupsTable(clock));
  }

  /** The invariant checker's view; empty while the database cannot be read. */
  @Override
  public List<ServiceRow> peek(String namespace, String cluster) {
    try {
      return servicesTable(namespace, cluster).liveRows();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  @Override
  public void close() {
    tables.values().forEach(JdbcServicesTable::close);
  }
}
