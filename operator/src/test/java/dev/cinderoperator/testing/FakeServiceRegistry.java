package dev.cinderoperator.testing;

import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServicesSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A services table held in memory, for mock-server tests that are not about the database (the
 * database tests use a real MariaDB).
 */
public final class FakeServiceRegistry implements ServiceRegistry {
  private final List<ServiceRow> rows = new CopyOnWriteArrayList<>();
  private volatile boolean down;

  public void put(ServiceRow row) {
    rows.removeIf(r -> r.host().equals(row.host()) && r.binary().equals(row.binary()));
    rows.add(row);
  }

  public void setDown(boolean down) {
    this.down = down;
  }

  @Override
  public ServicesSnapshot read() {
    if (down) {
      throw new DatabaseUnavailableException("database down (test)");
    }
    return new ServicesSnapshot(Instant.now(), new ArrayList<>(rows));
  }

  @Override
  public boolean remove(ServiceRow row) {
    return rows.removeIf(r -> r.id() == row.id());
  }

  @Override
  public void stopNewBackups(String host) {}

  @Override
  public dev.cinderoperator.cinder.NullUseQuotaRows nullUseQuota() {
    return new dev.cinderoperator.cinder.NullUseQuotaRows(0, 0);
  }

  @Override
  public void allowNewBackups(String host) {}

  @Override
  public int inFlightBackups(String host) {
    return 0;
  }

  @Override
  public Map<String, Integer> inFlightBackupsByHost() {
    return Map.of();
  }

  @Override
  public FailedBackups failedBackupsSince(Instant since, int limit) {
    return FailedBackups.none();
  }

  @Override
  public void close() {}
}
