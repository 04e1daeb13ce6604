package dev.cinderoperator.sim.db;

import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServicesSnapshot;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent.Change;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One CinderCluster's services table in memory. It is both what simulated processes write ({@link
 * SimServicesTable}) and what the operator reads ({@link ServiceRegistry}), so the demo needs no
 * database server. Rows are soft-deleted as Cinder does; events go to the recorder after the change
 * is made.
 */
public final class InMemoryServicesTable implements SimServicesTable, ServiceRegistry {
  private final String namespace;
  private final String cluster;
  private final Clock clock;
  private final Consumer<ServiceRowEvent> events;
  private final Map<Long, ServiceRow> live = new LinkedHashMap<>();
  private final Map<String, Integer> inFlightBackups = new ConcurrentHashMap<>();
  private final Set<String> backupsStopped = ConcurrentHashMap.newKeySet();
  private final SimBackupsTable backups;
  private volatile boolean down;
  private volatile NullUseQuotaRows nullUseQuota = new NullUseQuotaRows(0, 0);
  private long nextId = 1;

  public InMemoryServicesTable(
      String namespace,
      String cluster,
      Clock clock,
      Consumer<ServiceRowEvent> events,
      SimBackupsTable backups) {
    this.namespace = namespace;
    this.cluster = cluster;
    this.clock = clock;
    this.events = events;
    this.backups = backups;
  }

  // ---- knobs for tests

  /** Makes every call of the processes and the operator fail until {@link #recover()}. */
  public void outage() {
    down = true;
  }

  public void recover() {
    down = false;
  }

  public boolean isDown() {
    return down;
  }

  /**
   * Backups of the host creating, restoring or deleting besides the rows of the simulated backup
   * services (a backup the test holds in flight).
   */
  public void setInFlightBackups(String host, int count) {
    inFlightBackups.put(host, count);
  }

  /** Volumes and snapshots with NULL use_quota (deleted ones included) the database holds. */
  public void setNullUseQuota(long volumes, long snapshots) {
    nullUseQuota = new NullUseQuotaRows(volumes, snapshots);
  }

  /** Whether {@link #stopNewBackups(String)} holds for the host. */
  public boolean newBackupsStopped(String host) {
    return backupsStopped.contains(host);
  }

  /** The live rows regardless of an outage (for assertions and invariant checks). */
  public synchronized List<ServiceRow> peek() {
    return List.copyOf(live.values());
  }

  // ---- SimServicesTable

  @Override
  public ServiceRow register(ServiceRegistration r) {
    checkUp();
    ServiceRow row;
    Change change;
    synchronized (this) {
      Instant now = clock.instant();
      ServiceRow existing = find(r.host(), r.binary());
      if (existing != null) {
        String clusterName =
            existing.clusterName() == null ? r.clusterName() : existing.clusterName();
        row =
            new ServiceRow(
                existing.id(),
                existing.binary(),
                existing.host(),
                clusterName,
                r.rpcVersion(),
                r.objectVersion(),
                existing.disabled(),
                existing.createdAt(),
                now,
                existing.reportCount(),
                existing.uuid());
        change = Change.REGISTERED;
      } else {
        row = r.firstRow(nextId++, now, UUID.randomUUID().toString());
        change = Change.CREATED;
      }
      live.put(row.id(), row);
    }
    emit(change, row);
    return row;
  }

  @Override
  public ServiceRow heartbeat(long id, ServiceRegistration r) {
    checkUp();
    ServiceRow row;
    synchronized (this) {
      ServiceRow existing = live.get(id);
      if (existing == null) {
        row = null;
      } else {
        row =
            new ServiceRow(
                existing.id(),
                existing.binary(),
                existing.host(),
                existing.clusterName(),
                existing.rpcVersion(),
                existing.objectVersion(),
                existing.disabled(),
                existing.createdAt(),
                clock.instant(),
                existing.reportCount() + 1,
                existing.uuid());
        live.put(id, row);
      }
    }
    if (row == null) {
      // report_state re-creates a row removed under a running service (service.py:474-479)
      return register(r);
    }
    emit(Change.HEARTBEAT, row);
    return row;
  }

  @Override
  public List<ServiceRow> liveRows() {
    checkUp();
    return peek();
  }

  @Override
  public ServiceRow insert(ServiceRow row) {
    ServiceRow stored;
    synchronized (this) {
      long id = row.id() > 0 ? row.id() : nextId;
      nextId = Math.max(nextId, id + 1);
      stored =
          new ServiceRow(
              id,
              row.binary(),
              row.host(),
              row.clusterName(),
              row.rpcVersion(),
              row.objectVersion(),
              row.disabled(),
              row.createdAt() != null ? row.createdAt() : clock.instant(),
              row.updatedAt(),
              row.reportCount(),
              row.uuid() != null ? row.uuid() : UUID.randomUUID().toString());
      live.put(id, stored);
    }
    emit(Change.INSERTED, stored);
    return stored;
  }

  // ---- ServiceRegistry (the operator's side)

  @Override
  public ServicesSnapshot read() {
    checkUp();
    return new ServicesSnapshot(clock.instant(), peek());
  }

  @Override
  public boolean remove(ServiceRow row) {
    checkUp();
    ServiceRow removed;
    synchronized (this) {
      removed = live.remove(row.id());
    }
    if (removed != null) {
      emit(Change.DELETED, removed);
    }
    return true;
  }

  @Override
  public void stopNewBackups(String host) {
    checkUp();
    backupsStopped.add(host);
    setDisabled(host, true).forEach(r -> emit(Change.DISABLED, r));
  }

  @Override
  public void allowNewBackups(String host) {
    checkUp();
    backupsStopped.remove(host);
    setDisabled(host, false).forEach(r -> emit(Change.ENABLED, r));
  }

  @Override
  public int inFlightBackups(String host) {
    checkUp();
    return inFlightBackups.getOrDefault(host, 0) + backups.inFlightByHost().getOrDefault(host, 0);
  }

  @Override
  public Map<String, Integer> inFlightBackupsByHost() {
    checkUp();
    Map<String, Integer> counts = new LinkedHashMap<>(backups.inFlightByHost());
    inFlightBackups.forEach(
        (host, n) -> {
          if (n > 0) {
            counts.merge(host, n, Integer::sum);
          }
        });
    return counts;
  }

  @Override
  public FailedBackups failedBackupsSince(Instant since, int limit) {
    checkUp();
    return backups.failedSince(since, limit);
  }

  @Override
  public NullUseQuotaRows nullUseQuota() {
    checkUp();
    return nullUseQuota;
  }

  /** Nothing to release: the table outlives the operator's handle on it. */
  @Override
  public void close() {}

  private synchronized List<ServiceRow> setDisabled(String host, boolean disabled) {
    List<ServiceRow> changed = new ArrayList<>();
    for (ServiceRow r : List.copyOf(live.values())) {
      if (r.host().equals(host) && r.binary().equals("cinder-backup")) {
        ServiceRow updated =
            new ServiceRow(
                r.id(),
                r.binary(),
                r.host(),
                r.clusterName(),
                r.rpcVersion(),
                r.objectVersion(),
                disabled,
                r.createdAt(),
                r.updatedAt(),
                r.reportCount(),
                r.uuid());
        live.put(r.id(), updated);
        changed.add(updated);
      }
    }
    return changed;
  }

  private ServiceRow find(String host, String binary) {
    for (ServiceRow r : live.values()) {
      if (r.host().equals(host) && r.binary().equals(binary)) {
        return r;
      }
    }
    return null;
  }

  private void checkUp() {
    if (down) {
      throw new DatabaseUnavailableException(
          "simulated outage of the database of " + namespace + "/" + cluster);
    }
  }

  private void emit(Change change, ServiceRow row) {
    events.accept(new ServiceRowEvent(clock.instant(), namespace, cluster, change, row));
  }
}
