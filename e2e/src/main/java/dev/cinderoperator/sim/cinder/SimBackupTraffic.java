package dev.cinderoperator.sim.cinder;

import dev.cinderoperator.sim.SimulatedCluster;
import dev.cinderoperator.sim.db.SimBackupsTable;
import dev.cinderoperator.sim.db.SimDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Users of one CinderCluster's backups while a test runs: a create every period, and every third
 * period a restore or a delete of one of their available backups. Counts what Cinder refused and
 * how the backups ended.
 */
public final class SimBackupTraffic implements AutoCloseable {

  /**
   * @param created backups asked for
   * @param inError of those, in status error now
   * @param inFlight of those, still creating, restoring or deleting
   * @param refused restores and deletes Cinder's API refused (no enabled, up backup host)
   */
  public record Stats(int created, int inError, int inFlight, int refused) {}

  private final SimBackupService service;
  private final SimDatabases databases;
  private final String namespace;
  private final String cluster;
  private final ScheduledExecutorService thread;
  private final List<String> ids = new CopyOnWriteArrayList<>();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger ticks = new AtomicInteger();
  private final Random random = new Random(7);

  private SimBackupTraffic(
      SimBackupService service, SimDatabases databases, String namespace, String cluster) {
    this.service = service;
    this.databases = databases;
    this.namespace = namespace;
    this.cluster = cluster;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sim-backup-traffic");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts the traffic; {@link #close()} stops it. */
  public static SimBackupTraffic start(
      SimulatedCluster sim, String namespace, String cluster, Duration period) {
    SimBackupTraffic t =
        new SimBackupTraffic(sim.cinder().backups(), sim.databases(), namespace, cluster);
    long ms = period.toMillis();
    t.thread.scheduleAtFixedRate(t::tick, 0, ms, TimeUnit.MILLISECONDS);
    return t;
  }

  private void tick() {
    try {
      ids.add(service.create(namespace, cluster).id());
      if (ticks.incrementAndGet() % 3 == 0) {
        List<String> available = new ArrayList<>();
        for (String id : ids) {
          databases
              .backups(namespace, cluster)
              .get(id)
              .filter(b -> "available".equals(b.status()))
              .ifPresent(b -> available.add(id));
        }
        if (!available.isEmpty()) {
          String id = available.get(random.nextInt(available.size()));
          if (!service.restoreOrDelete(namespace, cluster, id, random.nextBoolean())) {
            refused.incrementAndGet();
          }
        }
      }
    } catch (RuntimeException e) {
      refused.incrementAndGet();
    }
  }

  public Stats stats() {
    int error = 0;
    int inFlight = 0;
    for (String id : ids) {
      var row = databases.backups(namespace, cluster).get(id);
      if (row.isEmpty()) {
        continue;
      }
      if ("error".equals(row.get().status())) {
        error++;
      } else if (SimBackupsTable.IN_FLIGHT.contains(row.get().status())) {
        inFlight++;
      }
    }
    return new Stats(ids.size(), error, inFlight, refused.get());
  }

  /** The traffic's backups that ended in error, with Cinder's reasons. */
  public List<SimBackupsTable.Backup> failed() {
    List<SimBackupsTable.Backup> out = new ArrayList<>();
    for (String id : ids) {
      databases
          .backups(namespace, cluster)
          .get(id)
          .filter(b -> "error".equals(b.status()))
          .ifPresent(out::add);
    }
    return out;
  }

  /** Hosts the traffic's backups went to. */
  public Set<String> hosts() {
    Set<String> out = new java.util.TreeSet<>();
    for (String id : ids) {
      databases
          .backups(namespace, cluster)
          .get(id)
          .map(SimBackupsTable.Backup::host)
          .ifPresent(out::add);
    }
    return out;
  }

  @Override
  public void close() {
    stop();
  }

  /** No more requests; the backups already asked for go on. */
  public void stop() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
