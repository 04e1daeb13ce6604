package dev.cinderoperator.e2e;

import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.threads.DaemonThreads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When each Cinder service heartbeated: the services table read every 100 ms, and the moment each
 * row's {@code report_count} was seen to change recorded. Only {@code report_state} raises the
 * count, so a change is a real heartbeat (a row written at a service's start does not count). Reads
 * that fail (the database restarted) are skipped.
 */
final class HeartbeatLog implements AutoCloseable {
  private record Beat(Instant at, long count) {}

  private final TestDatabase db;
  private final Map<String, List<Beat>> beats = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("heartbeat-log"));

  HeartbeatLog(TestDatabase db) {
    this.db = db;
    poller.scheduleWithFixedDelay(this::read, 0, 100, TimeUnit.MILLISECONDS);
  }

  private void read() {
    List<Object> rows;
    try {
      rows = db.column("SELECT CONCAT(host, ' ', report_count) FROM services WHERE deleted = 0");
    } catch (RuntimeException e) {
      return;
    }
    Instant now = Instant.now();
    for (Object row : rows) {
      String[] hostAndCount = row.toString().split(" ");
      long count = Long.parseLong(hostAndCount[1]);
      List<Beat> seen = beats.computeIfAbsent(hostAndCount[0], h -> new CopyOnWriteArrayList<>());
      if (seen.isEmpty() || seen.get(seen.size() - 1).count() != count) {
        seen.add(new Beat(now, count));
      }
    }
  }

  /**
   * The first heartbeat of the service on {@code host} (a pod's name, or {@code pod@backend}) seen
   * after {@code start}: the first count change after it (the first sight of a row counts only when
   * the row was seen before with another count).
   */
  Optional<Instant> firstAfter(String host, Instant start) {
    List<Beat> seen = new ArrayList<>(beats.getOrDefault(host, List.of()));
    for (int i = 1; i < seen.size(); i++) {
      if (seen.get(i).at().isAfter(start)) {
        return Optional.of(seen.get(i).at());
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
