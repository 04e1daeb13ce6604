package dev.cinderoperator.testing;

import dev.cinderoperator.cinder.BackupCapabilityReport;
import dev.cinderoperator.messaging.BackupFences;
import dev.cinderoperator.messaging.SchedulerBus;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A scheduler bus that records what it was asked to cast, for tests with no RabbitMQ. */
public final class NoSchedulers implements SchedulerBus {
  private final List<BackupCapabilityReport> published = new CopyOnWriteArrayList<>();

  /** Fences over buses like this one, repeating every 100 ms. */
  public static BackupFences fences() {
    return new BackupFences(
        (ns, name, url, ssl) -> new NoSchedulers(), Clock.systemUTC(), Duration.ofMillis(100));
  }

  @Override
  public boolean publish(BackupCapabilityReport report) {
    published.add(report);
    return true;
  }

  public List<BackupCapabilityReport> published() {
    return List.copyOf(published);
  }

  @Override
  public void close() {}
}
