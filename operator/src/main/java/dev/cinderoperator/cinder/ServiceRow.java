package dev.cinderoperator.cinder;

import java.time.Instant;

/**
 * One non-deleted row of Cinder's services table. Versions may be null in rows written before
 * Mitaka; such rows stop services from starting.
 */
public record ServiceRow(
    long id,
    String binary,
    String host,
    String clusterName,
    String rpcVersion,
    String objectVersion,
    boolean disabled,
    Instant createdAt,
    Instant updatedAt,
    int reportCount,
    String uuid) {

  /** The last heartbeat, as Cinder reads it: updated_at, else created_at. */
  public Instant lastSeen() {
    return updatedAt != null ? updatedAt : createdAt;
  }
}
