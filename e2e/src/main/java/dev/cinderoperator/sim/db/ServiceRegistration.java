package dev.cinderoperator.sim.db;

import dev.cinderoperator.cinder.ServiceRow;
import java.time.Instant;

/** What a starting Cinder service writes into its services row. */
public record ServiceRegistration(
    String binary, String host, String clusterName, String rpcVersion, String objectVersion) {

  /**
   * The row its first start inserts: enabled, no reports yet, created and updated at {@code at}
   * (updated_at defaults to utcnow at insert too, models.py; null: the database's own clock).
   */
  ServiceRow firstRow(long id, Instant at, String uuid) {
    return new ServiceRow(
        id, binary, host, clusterName, rpcVersion, objectVersion, false, at, at, 0, uuid);
  }
}
