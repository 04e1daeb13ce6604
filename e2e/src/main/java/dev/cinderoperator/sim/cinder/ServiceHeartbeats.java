package dev.cinderoperator.sim.cinder;

import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.db.ServiceRegistration;
import dev.cinderoperator.sim.db.SimServicesTable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A service's row written at start and heartbeated every report interval, as Cinder's
 * Service.report_state does: no heartbeat while the manager is not working, and a database outage
 * leaves the row stale while the process keeps running.
 */
final class ServiceHeartbeats implements AutoCloseable {
  private final SimConfig config;
  private final ScheduledExecutorService heartbeats =
      Executors.newScheduledThreadPool(
          1,
          r -> {
            Thread t = new Thread(r, "sim-cinder-heartbeats");
            t.setDaemon(true);
            return t;
          });

  ServiceHeartbeats(SimConfig config) {
    this.config = config;
  }

  void register(CinderProcess process, SimServicesTable table, ServiceRegistration registration) {
    process.row(table.register(registration));
    long period = config.reportInterval().toMillis();
    process.heartbeat(
        heartbeats.scheduleWithFixedDelay(
            () -> heartbeat(process, table, registration), period, period, TimeUnit.MILLISECONDS));
  }

  private void heartbeat(
      CinderProcess process, SimServicesTable table, ServiceRegistration registration) {
    if (!process.running()) {
      return;
    }
    if (!process.working()) {
      // report_state (service.py): no heartbeat while the manager is not working
      process.log(
          "Manager for service "
              + registration.binary()
              + " "
              + registration.host()
              + " is reporting problems, not sending heartbeat. Service will appear \"down\".");
      return;
    }
    try {
      ServiceRow row = process.row();
      process.row(table.heartbeat(row.id(), registration));
    } catch (DatabaseUnavailableException e) {
      // Cinder logs the error and keeps running; its row goes stale
    } catch (RuntimeException e) {
      process.log("report_state failed: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
  }
}
