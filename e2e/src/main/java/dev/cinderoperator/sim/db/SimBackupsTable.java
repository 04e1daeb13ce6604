package dev.cinderoperator.sim.db;

import dev.cinderoperator.cinder.FailedBackupRow;
import dev.cinderoperator.cinder.FailedBackups;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One CinderCluster's {@code backups} table in memory: what the simulated backup services and
 * schedulers write and what the operator counts. Statuses are Cinder's (objects/fields.py
 * BackupStatus); a deleted backup is {@code deleted} and no longer counted.
 */
public final class SimBackupsTable {
  /** Work in progress on a backup host, as the operator counts it. */
  public static final Set<String> IN_FLIGHT = Set.of("creating", "restoring", "deleting");

  /** One row: the columns the operator and the tests read. */
  public record Backup(
      String id, String host, String status, String failReason, Instant createdAt, Instant at) {
    Backup with(String newHost, String newStatus, String reason, Instant now) {
      return new Backup(id, newHost, newStatus, reason, createdAt, now);
    }
  }

  private final Clock clock;
  private final Map<String, Backup> rows = new LinkedHashMap<>();

  public SimBackupsTable(Clock clock) {
    this.clock = clock;
  }

  /** {@code backup.create()}: status creating, no host yet (the scheduler picks one). */
  public synchronized Backup create() {
    Instant now = clock.instant();
    Backup b = new Backup(UUID.randomUUID().toString(), null, "creating", null, now, now);
    rows.put(b.id(), b);
    return b;
  }

  public synchronized Optional<Backup> get(String id) {
    return Optional.ofNullable(rows.get(id));
  }

  /** Sets host and status (and fail_reason when given); the ORM bumps updated_at. */
  public synchronized Backup update(String id, String host, String status, String failReason) {
    Backup b = rows.get(id);
    if (b == null) {
      throw new IllegalStateException("no backup " + id);
    }
    Backup changed = b.with(host, status, failReason == null ? b.failReason() : failReason, now());
    rows.put(id, changed);
    return changed;
  }

  /** Every row, deleted ones included. */
  public synchronized List<Backup> all() {
    return List.copyOf(rows.values());
  }

  public synchronized List<Backup> byHost(String host) {
    return rows.values().stream().filter(b -> host.equals(b.host())).toList();
  }

  public synchronized Map<String, Integer> inFlightByHost() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Backup b : rows.values()) {
      if (b.host() != null && IN_FLIGHT.contains(b.status())) {
        counts.merge(b.host(), 1, Integer::sum);
      }
    }
    return counts;
  }

  public synchronized FailedBackups failedSince(Instant since, int limit) {
    List<Backup> failed =
        rows.values().stream()
            .filter(b -> "error".equals(b.status()) && !b.at().isBefore(since))
            .sorted(Comparator.comparing(Backup::at).reversed())
            .toList();
    List<FailedBackupRow> newest = new ArrayList<>();
    for (Backup b : failed.subList(0, Math.min(limit, failed.size()))) {
      newest.add(new FailedBackupRow(b.id(), b.host(), b.failReason(), b.at()));
    }
    return new FailedBackups(failed.size(), newest);
  }

  private Instant now() {
    return clock.instant();
  }
}
