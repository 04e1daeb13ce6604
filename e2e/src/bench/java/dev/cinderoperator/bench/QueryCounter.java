package dev.cinderoperator.bench;

import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServicesSnapshot;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Counts the SQL statements the operator sends to the Cinder databases, by wrapping every registry
 * the pool hands out. Each call is weighed as the JDBC registry runs it: read, stop/allow backups
 * and in-flight count one statement each; remove two (the soft delete and the read-back).
 */
final class QueryCounter implements UnaryOperator<ServiceRegistry> {
  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();

  @Override
  public ServiceRegistry apply(ServiceRegistry delegate) {
    return new Counting(delegate);
  }

  long statements() {
    return statements.get();
  }

  long reads() {
    return reads.get();
  }

  private final class Counting implements ServiceRegistry {
    private final ServiceRegistry delegate;

    Counting(ServiceRegistry delegate) {
      this.delegate = delegate;
    }

    @Override
    public ServicesSnapshot read() {
      statements.incrementAndGet();
      reads.incrementAndGet();
      return delegate.read();
    }

    @Override
    public boolean remove(ServiceRow row) {
      statements.addAndGet(2);
      return delegate.remove(row);
    }

    @Override
    public void stopNewBackups(String host) {
      statements.incrementAndGet();
      delegate.stopNewBackups(host);
    }

    @Override
    public void allowNewBackups(String host) {
      statements.incrementAndGet();
      delegate.allowNewBackups(host);
    }

    @Override
    public int inFlightBackups(String host) {
      statements.incrementAndGet();
      return delegate.inFlightBackups(host);
    }

    @Override
    public dev.cinderoperator.cinder.NullUseQuotaRows nullUseQuota() {
      statements.incrementAndGet();
      return delegate.nullUseQuota();
    }

    @Override
    public Map<String, Integer> inFlightBackupsByHost() {
      statements.incrementAndGet();
      return delegate.inFlightBackupsByHost();
    }

    @Override
    public FailedBackups failedBackupsSince(Instant since, int limit) {
      statements.addAndGet(2);
      return delegate.failedBackupsSince(since, limit);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
