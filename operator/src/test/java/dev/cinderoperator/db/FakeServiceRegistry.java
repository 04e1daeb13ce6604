package dev.cinderoperator.db;

import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.ServiceRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A registry that fails while told to, and counts calls. */
class FakeServiceRegistry implements ServiceRegistry {
  int calls;
  int failuresLeft;
  boolean closed;

  void failNext(int n) {
    failuresLeft = n;
  }

  private void call() {
    calls++;
    if (failuresLeft > 0) {
      failuresLeft--;
      throw new DatabaseUnavailableException("database down (fake)");
    }
  }

  @Override
  public ServicesSnapshot read() {
    call();
    return new ServicesSnapshot(Instant.EPOCH, List.of());
  }

  @Override
  public boolean remove(ServiceRow row) {
    call();
    return true;
  }

  @Override
  public void stopNewBackups(String host) {
    call();
  }

  @Override
  public void allowNewBackups(String host) {
    call();
  }

  @Override
  public int inFlightBackups(String host) {
    call();
    return 2;
  }

  @Override
  public dev.cinderoperator.cinder.NullUseQuotaRows nullUseQuota() {
    call();
    return new dev.cinderoperator.cinder.NullUseQuotaRows(0, 0);
  }

  @Override
  public Map<String, Integer> inFlightBackupsByHost() {
    call();
    return Map.of("cinder-backup-0", 2);
  }

  @Override
  public FailedBackups failedBackupsSince(Instant since, int limit) {
    call();
    return FailedBackups.none();
  }

  @Override
  public void close() {
    closed = true;
  }
}
