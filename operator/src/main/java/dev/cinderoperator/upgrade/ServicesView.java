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
 */
public record ServicesView(List<ServiceRow> rows, Instant databaseNow, Duration serviceDownTime) {
  public ServicesView {
    rows = List.copyOf(rows);
  }
}
