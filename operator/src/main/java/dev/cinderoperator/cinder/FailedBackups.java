package dev.cinderoperator.cinder;

import java.util.List;

/**
 * Backups that turned to error since an instant: how many, and the newest of them.
 *
 * @param count every such backup
 * @param newest the newest first, at most the limit asked for
 */
public record FailedBackups(int count, List<FailedBackupRow> newest) {
  public FailedBackups {
    newest = newest == null ? List.of() : List.copyOf(newest);
  }

  public static FailedBackups none() {
    return new FailedBackups(0, List.of());
  }
}
