package dev.cinderoperator.sim.db;

import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** An in-memory services table per CinderCluster, created on first use. */
public final class InMemoryDatabases implements SimDatabases {
  private final Clock clock;
  private final Consumer<ServiceRowEvent> events;
  private final Map<String, InMemoryServicesTable> tables = new ConcurrentHashMap<>();
  private final Map<String, SimBackupsTable> backups = new ConcurrentHashMap<>();

  public InMemoryDatabases(Clock clock, Consumer<ServiceRowEvent> events) {
    this.clock = clock;
    this.events = events;
  }

  @Override
  public InMemoryServicesTable servicesTable(String namespace, String cluster) {
    return tables.computeIfAbsent(
        namespace + "/" + cluster,
        k ->
            new InMemoryServicesTable(
                namespace, cluster, clock, events, backups(namespace, cluster)));
  }

  @Override
  public SimBackupsTable backups(String namespace, String cluster) {
    return backups.computeIfAbsent(namespace + "/" + cluster, k -> new SimBackupsTable(clock));
  }

  @Override
  public List<ServiceRow> peek(String namespace, String cluster) {
    return servicesTable(namespace, cluster).peek();
  }
}
