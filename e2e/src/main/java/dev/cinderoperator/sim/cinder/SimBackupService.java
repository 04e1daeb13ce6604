package dev.cinderoperator.sim.cinder;

import dev.cinderoperator.cinder.BackupCapabilityReport;
import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.messaging.SchedulerBus;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.db.SimBackupsTable;
import dev.cinderoperator.sim.db.SimDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where Cinder puts backups and what becomes of them, as measured on 21.3.1 and 29.0.0
 * (docs/backup-drain.md), for every CinderCluster of the simulation:
 *
 * <ul>
 *   <li>each running scheduler keeps its own map of backup hosts, filled by their capability
 *       reports (at their start, every {@link Timings#capabilityInterval}, and when the scheduler
 *       starts and asks); a create goes to a random host reported working, whatever its services
 *       row says ({@code disabled}, down); none: the backup is error "Service not found";
 *   <li>restores and deletes go to a random backup host whose row is enabled and up;
 *   <li>a create is two messages to its host (create_backup, then continue_backup from the volume
 *       service after {@link Timings#deviceDelay}); messages to a host whose service is not running
 *       wait in its queue;
 *   <li>a stopped service takes no more messages and finishes what it runs within the grace period;
 *       when it starts again it resets its creating backups to error, its restoring ones to
 *       available (the restore is lost), resumes its deletes, reports itself working, then takes
 *       the queued messages (a create for a backup already in error stays error).
 * </ul>
 */
public final class SimBackupService implements AutoCloseable {

  /**
   * @param deviceDelay the volume service's get_backup_device, between a create's two messages
   * @param workTime how long a backup, restore or delete runs on its host
   * @param capabilityInterval how often a running backup service reports itself
   *     (backup_driver_stats_polling_interval, 60 s in Cinder)
   */
  public record Timings(Duration deviceDelay, Duration workTime, Duration capabilityInterval) {
    public static Timings defaults() {
      return new Timings(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(30));
    }
  }

  private record Message(String kind, String backupId) {}

  /** A backup host's queue (it outlives the service) and its running service, if any. */
  private static final class Host {
    final String cluster;
    final String name;
    final Deque<Message> queue = new ArrayDeque<>();
    boolean consuming;
    long incarnation;
    Instant killAt = Instant.MAX;
    ScheduledFuture<?> reports;

    Host(String cluster, String name) {
      this.cluster = cluster;
      this.name = name;
    }
  }

  private final SimDatabases databases;
  private final SimConfig config;
  private final ScheduledExecutorService timer;
  private final Random random;
  private volatile Timings timings = Timings.defaults();
  private volatile boolean deafSchedulers;

  /** cluster key → scheduler process uid → (backup host → reported working). */
  private final Map<String, Map<String, Map<String, Boolean>>> schedulers = new HashMap<>();

  private final Map<String, Host> hosts = new HashMap<>();

  /** cluster key → creates cast while no scheduler ran. */
  private final Map<String, Deque<String>> unscheduled = new HashMap<>();

  SimBackupService(SimDatabases databases, SimConfig config) {
    this.databases = databases;
    this.config = config;
    this.random = new Random(config.seed());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sim-cinder-backups");
              t.setDaemon(true);
              return t;
            });
  }

  // ---- knobs

  public void timings(Timings value) {
    timings = value;
  }

  public Timings timings() {
    return timings;
  }

  /** Schedulers ignore reports from anyone but the backup services (an operator not heard). */
  public void deafSchedulers(boolean deaf) {
    deafSchedulers = deaf;
  }

  // ---- what the processes do (called by the runtime)

  synchronized void schedulerStarted(CinderProcess p) {
    String key = key(p.namespace(), p.cluster());
    Map<String, Boolean> map = new HashMap<>();
    // init_host_with_rpc asks every backup service to publish; the running ones answer
    for (Host h : hosts.values()) {
      if (h.cluster.equals(key) && h.consuming) {
        map.put(h.name, true);
      }
    }
    schedulers.computeIfAbsent(key, k -> new HashMap<>()).put(p.uid(), map);
    Deque<String> waiting = unscheduled.remove(key);
    if (waiting != null) {
      waiting.forEach(id -> schedule(p.namespace(), p.cluster(), id));
    }
  }

  synchronized void schedulerStopped(CinderProcess p) {
    Map<String, Map<String, Boolean>> maps = schedulers.get(key(p.namespace(), p.cluster()));
    if (maps != null) {
      maps.remove(p.uid());
    }
  }

  synchronized void backupStarted(CinderProcess p) {
    Host h = host(p.namespace(), p.cluster(), p.host());
    h.incarnation++;
    h.killAt = Instant.MAX;
    SimBackupsTable table = databases.backups(p.namespace(), p.cluster());
    for (SimBackupsTable.Backup b : table.byHost(p.host())) {
      switch (b.status()) {
        case "creating" ->
            table.update(b.id(), b.host(), "error", "incomplete backup reset on manager restart");
        case "restoring" -> table.update(b.id(), b.host(), "available", null);
        case "deleting" -> work(h, b.id(), "deleted");
        default -> {}
      }
    }
    report(h.cluster, h.name, true);
    h.consuming = true;
    long every = timings.capabilityInterval().toMillis();
    h.reports =
        timer.scheduleWithFixedDelay(() -> periodicReport(h), every, every, TimeUnit.MILLISECONDS);
    while (!h.queue.isEmpty()) {
      handle(p.namespace(), p.cluster(), h, h.queue.poll());
    }
  }

  synchronized void backupStopped(CinderProcess p) {
    Host h = host(p.namespace(), p.cluster(), p.host());
    h.consuming = false;
    h.killAt = config.clock().instant().plus(config.terminationGracePeriod());
    if (h.reports != null) {
      h.reports.cancel(false);
    }
  }

  private synchronized void periodicReport(Host h) {
    if (h.consuming) {
      report(h.cluster, h.name, true);
    }
  }

  private void report(String cluster, String host, boolean working) {
    Map<String, Map<String, Boolean>> maps = schedulers.get(cluster);
    if (maps != null) {
      maps.values().forEach(m -> m.put(host, working));
    }
  }

  // ---- Cinder's API, as a client calls it

  /** POST /backups: the row, then a cast to the scheduler. */
  public synchronized SimBackupsTable.Backup create(String namespace, String cluster) {
    SimBackupsTable.Backup b = databases.backups(namespace, cluster).create();
    String key = key(namespace, cluster);
    Map<String, Map<String, Boolean>> maps = schedulers.get(key);
    if (maps == null || maps.isEmpty()) {
      unscheduled.computeIfAbsent(key, k -> new ArrayDeque<>()).add(b.id());
    } else {
      schedule(namespace, cluster, b.id());
    }
    return b;
  }

  /**
   * POST /backups/{id}/restore or DELETE /backups/{id}: Cinder's API picks an enabled, up backup
   * host, rewrites the row's host and casts there.
   *
   * @return false when Cinder refuses the request (no such host: ServiceNotFound)
   */
  public synchronized boolean restoreOrDelete(
      String namespace, String cluster, String backupId, boolean restore) {
    List<String> usable = new ArrayList<>();
    Instant now = config.clock().instant();
    for (ServiceRow r : databases.servicesTable(namespace, cluster).liveRows()) {
      if (CinderBinary.BACKUP.binaryName().equals(r.binary())
          && !r.disabled()
          && r.lastSeen() != null
          && r.lastSeen().plus(SERVICE_DOWN_TIME).isAfter(now)) {
        usable.add(r.host());
      }
    }
    if (usable.isEmpty()) {
      return false;
    }
    String to = usable.get(random.nextInt(usable.size()));
    databases
        .backups(namespace, cluster)
        .update(backupId, to, restore ? "restoring" : "deleting", null);
    enqueue(
        namespace,
        cluster,
        host(namespace, cluster, to),
        new Message(restore ? "restore" : "delete", backupId));
    return true;
  }

  /** What the operator under test tells the schedulers through. */
  public SchedulerBus bus(String namespace, String cluster) {
    String key = key(namespace, cluster);
    return new SchedulerBus() {
      @Override
      public boolean publish(BackupCapabilityReport report) {
        synchronized (SimBackupService.this) {
          Map<String, Map<String, Boolean>> maps = schedulers.get(key);
          if (maps == null || maps.isEmpty()) {
            return false;
          }
          if (!deafSchedulers) {
            report(key, report.host(), report.working());
          }
          return true;
        }
      }

      @Override
      public void close() {}
    };
  }

  /** Whether some running scheduler of the cluster would place a create on the host now. */
  public synchronized boolean schedulable(String namespace, String cluster, String host) {
    Map<String, Map<String, Boolean>> maps = schedulers.get(key(namespace, cluster));
    return maps != null && maps.values().stream().anyMatch(m -> m.getOrDefault(host, false));
  }

  // ---- the rest of the machinery

  /** Cinder's default service_down_time, which its API routes restores and deletes by. */
  private static final Duration SERVICE_DOWN_TIME = Duration.ofSeconds(60);

  private void schedule(String namespace, String cluster, String id) {
    SimBackupsTable table = databases.backups(namespace, cluster);
    Map<String, Map<String, Boolean>> maps = schedulers.get(key(namespace, cluster));
    List<Map<String, Boolean>> running = new ArrayList<>(maps.values());
    Map<String, Boolean> map = running.get(random.nextInt(running.size()));
    List<String> working =
        map.entrySet().stream()
            .filter(Map.Entry::getValue)
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    if (working.isEmpty()) {
      table.update(id, null, "error", "Service not found for creating backup.");
      return;
    }
    String to = working.get(random.nextInt(working.size()));
    table.update(id, to, "creating", null);
    enqueue(namespace, cluster, host(namespace, cluster, to), new Message("create", id));
  }

  private void enqueue(String namespace, String cluster, Host h, Message m) {
    if (h.consuming) {
      handle(namespace, cluster, h, m);
    } else {
      h.queue.add(m);
    }
  }

  private void handle(String namespace, String cluster, Host h, Message m) {
    SimBackupsTable table = databases.backups(namespace, cluster);
    Optional<SimBackupsTable.Backup> row = table.get(m.backupId());
    if (row.isEmpty()) {
      return;
    }
    switch (m.kind()) {
      case "create" -> {
        if (!"creating".equals(row.get().status())) {
          table.update(
              m.backupId(),
              row.get().host(),
              "error",
              "Create backup aborted, expected backup status creating but got "
                  + row.get().status()
                  + ".");
          return;
        }
        // the volume service's continue_backup comes back to the host the row names
        timer.schedule(
            () -> continueBackup(namespace, cluster, m.backupId()),
            timings.deviceDelay().toMillis(),
            TimeUnit.MILLISECONDS);
      }
      case "continue" -> work(h, m.backupId(), "available");
      case "restore" -> work(h, m.backupId(), "available");
      case "delete" -> work(h, m.backupId(), "deleted");
      default -> throw new IllegalStateException("unknown message " + m.kind());
    }
  }

  private synchronized void continueBackup(String namespace, String cluster, String id) {
    Optional<SimBackupsTable.Backup> row = databases.backups(namespace, cluster).get(id);
    if (row.isPresent() && row.get().host() != null) {
      enqueue(
          namespace,
          cluster,
          host(namespace, cluster, row.get().host()),
          new Message("continue", id));
    }
  }

  /** Runs on the host's current service; done only if that service still runs by then. */
  private void work(Host h, String id, String done) {
    long incarnation = h.incarnation;
    String[] keyParts = h.cluster.split("/", 2);
    timer.schedule(
        () -> {
          synchronized (this) {
            Instant now = config.clock().instant();
            boolean alive = h.incarnation == incarnation && (h.consuming || !now.isAfter(h.killAt));
            if (alive) {
              SimBackupsTable table = databases.backups(keyParts[0], keyParts[1]);
              table.get(id).ifPresent(b -> table.update(id, b.host(), done, null));
            }
          }
        },
        timings.workTime().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private Host host(String namespace, String cluster, String name) {
    return hosts.computeIfAbsent(
        key(namespace, cluster) + "#" + name, k -> new Host(key(namespace, cluster), name));
  }

  private static String key(String namespace, String cluster) {
    return namespace + "/" + cluster;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
