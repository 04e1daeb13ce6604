package dev.cinderoperator.db;

import dev.cinderoperator.cinder.ServiceRow;
import java.time.Instant;
import java.util.List;

/** The services table at one moment, stamped with the database's own clock. */
public record ServicesSnapshot(Instant databaseNow, List<ServiceRow> rows) {
  public ServicesSnapshot {
    rows = List.copyOf(rows);
  }
}
