package dev.cinderoperator.cinder;

import java.time.Instant;

/**
 * A row of Cinder's {@code backups} table in status {@code error}: its id, the cinder-backup host
 * it was on, Cinder's {@code fail_reason} and when it last changed ({@code updated_at}, UTC).
 */
public record FailedBackupRow(String id, String host, String failReason, Instant updatedAt) {}
