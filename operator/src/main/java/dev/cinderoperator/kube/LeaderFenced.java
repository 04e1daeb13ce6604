package dev.cinderoperator.kube;

import dev.cinderoperator.cinder.BackupCapabilityReport;
import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServicesSnapshot;
import dev.cinderoperator.messaging.MessagingUnavailableException;
import dev.cinderoperator.messaging.SchedulerBus;
import java.time.Instant;
import java.util.Map;

/**
 * The operator's acts outside the Kubernetes API, each behind {@link Leadership#requireLeading}: a
 * replica that does not hold the Lease reads Cinder's database but never writes it, never tells
 * Cinder's schedulers anything and never signals a pod. (Its Kubernetes API writes are refused in
 * its client by the {@link LeaderFence}.)
 */
public final class LeaderFenced {
  private LeaderFenced() {}

  /**
   * A registry whose writes (row removal, backup host disable and enable) need the Lease. Wrap it
   * inside a {@link dev.cinderoperator.db.GuardedServiceRegistry}: a refusal is no database
   * failure, and the pool reads the guard's circuit state.
   */
  public static ServiceRegistry registry(ServiceRegistry registry, Leadership leadership) {
    return new FencedRegistry(registry, leadership);
  }

  /**
   * A bus that publishes only while this replica leads, so a former leader's repeating ticker
   * cannot contradict the new leader's reports.
   */
  public static SchedulerBus bus(SchedulerBus bus, Leadership leadership) {
    return new SchedulerBus() {
      @Override
      public boolean publish(BackupCapabilityReport report) {
        if (!leadership.mayAct()) {
          // As a broker that cannot be reached: the fence logs it once and keeps nothing off.
          throw new MessagingUnavailableException(
              "not the leader: reports to Cinder's schedulers are left to the replica that holds"
                  + " the Lease",
              new Leadership.NotLeadingException("a backup capability report"));
        }
        return bus.publish(report);
      }

      @Override
      public void close() {
        bus.close();
      }
    };
  }

  /** A signaller that signals only while this replica leads. */
  public static PodSignaller signaller(PodSignaller signaller, Leadership leadership) {
    return (namespace, pod) -> {
      leadership.requireLeading("SIGHUP to pod " + namespace + "/" + pod);
      signaller.sighup(namespace, pod);
    };
  }

  private record FencedRegistry(ServiceRegistry delegate, Leadership leadership)
      implements ServiceRegistry {
    @Override
    public ServicesSnapshot read() {
      return delegate.read();
    }

    @Override
    public boolean remove(ServiceRow row) {
      leadership.requireLeading("removing services row " + row.binary() + " " + row.host());
      return delegate.remove(row);
    }

    @Override
    public void stopNewBackups(String host) {
      leadership.requireLeading("disabling backup host " + host);
      delegate.stopNewBackups(host);
    }

    @Override
    public void allowNewBackups(String host) {
      leadership.requireLeading("enabling backup host " + host);
      delegate.allowNewBackups(host);
    }

    @Override
    public int inFlightBackups(String host) {
      return delegate.inFlightBackups(host);
    }

    @Override
    public NullUseQuotaRows nullUseQuota() {
      return delegate.nullUseQuota();
    }

    @Override
    public Map<String, Integer> inFlightBackupsByHost() {
      return delegate.inFlightBackupsByHost();
    }

    @Override
    public FailedBackups failedBackupsSince(Instant since, int limit) {
      return delegate.failedBackupsSince(since, limit);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
