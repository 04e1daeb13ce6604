package dev.cinderoperator.upgrade;

import dev.cinderoperator.cinder.ServiceRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The services table as read in this reconcile.
 *
 * @param rows every non-deleted row
 * @param databaseNow the database's clock at the read ({@code SELECT NOW()})
 * @param serviceDownTime Cinder's {@code service_down_time}: a row whose last heartbeat is older is
 *     down
 * @param reportInterval Cinder's {@code report_interval}: a working service heartbeats this long
 *     after its last write (0: heartbeats off)
 */
public record ServicesView(
    List<ServiceRow> rows, Instant databaseNow, Duration serviceDownTime, Duration reportInterval) {
  public ServicesView {
    rows = List.copyOf(rows);
  }

  /** With Cinder's default report_interval (10 s). */
  public ServicesView(List<ServiceRow> rows, Instant databaseNow, Duration serviceDownTime) {
    this(
        rows,
        databaseNow,
        serviceDownTime,
        Duration.ofSeconds(dev.cinderoperator.cinder.ServicesTable.DEFAULT_REPORT_INTERVAL));
  }
}
