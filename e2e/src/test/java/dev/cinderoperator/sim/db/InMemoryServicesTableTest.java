package dev.cinderoperator.sim.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent.Change;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryServicesTableTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final List<ServiceRowEvent> events = new ArrayList<>();
  private final InMemoryServicesTable table =
      new InMemoryServicesTable(
          "ns",
          "cinder",
          Clock.fixed(T0, ZoneOffset.UTC),
          events::add,
          new SimBackupsTable(Clock.fixed(T0, ZoneOffset.UTC)));
  private final ServiceRegistration scheduler =
      new ServiceRegistration("cinder-scheduler", "cinder-scheduler-0", null, "3.12", "1.39");

  @Test
  void aRestartedServiceUpdatesItsRowInsteadOfAddingOne() {
    ServiceRow first = table.register(scheduler);
    ServiceRow second =
        table.register(
            new ServiceRegistration(
                "cinder-scheduler", "cinder-scheduler-0", null, "3.13", "1.39"));

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(table.read().rows())
        .singleElement()
        .extracting(ServiceRow::rpcVersion)
        .isEqualTo("3.13");
    assertThat(events)
        .extracting(ServiceRowEvent::change)
        .containsExactly(Change.CREATED, Change.REGISTERED);
  }

  @Test
  void heartbeatsCountAndRecreateARowRemovedUnderARunningService() {
    ServiceRow row = table.register(scheduler);
    assertThat(table.heartbeat(row.id(), scheduler).reportCount()).isEqualTo(1);

    assertThat(table.remove(row)).isTrue();
    assertThat(table.read().rows()).isEmpty();

    ServiceRow recreated = table.heartbeat(row.id(), scheduler);
    assertThat(recreated.id()).isNotEqualTo(row.id());
    assertThat(table.read().rows())
        .singleElement()
        .extracting(ServiceRow::host)
        .isEqualTo("cinder-scheduler-0");
    assertThat(table.read().databaseNow()).isEqualTo(T0);
  }

  @Test
  void backupsCanBeStoppedAndInFlightBackupsSetByTests() {
    table.register(
        new ServiceRegistration("cinder-backup", "cinder-backup-0", null, "2.4", "1.39"));
    table.setInFlightBackups("cinder-backup-0", 2);

    table.stopNewBackups("cinder-backup-0");

    assertThat(table.newBackupsStopped("cinder-backup-0")).isTrue();
    assertThat(table.read().rows())
        .singleElement()
        .extracting(ServiceRow::disabled)
        .isEqualTo(true);
    assertThat(table.inFlightBackups("cinder-backup-0")).isEqualTo(2);
    table.allowNewBackups("cinder-backup-0");
    assertThat(table.read().rows())
        .singleElement()
        .extracting(ServiceRow::disabled)
        .isEqualTo(false);
  }

  @Test
  void duringAnOutageEveryCallFailsAndNothingChanges() {
    ServiceRow row = table.register(scheduler);
    table.outage();

    assertThatThrownBy(table::read).isInstanceOf(DatabaseUnavailableException.class);
    assertThatThrownBy(() -> table.remove(row)).isInstanceOf(DatabaseUnavailableException.class);
    assertThatThrownBy(() -> table.heartbeat(row.id(), scheduler))
        .isInstanceOf(DatabaseUnavailableException.class);
    assertThatThrownBy(() -> table.inFlightBackups("x"))
        .isInstanceOf(DatabaseUnavailableException.class);
    assertThat(table.peek()).containsExactly(row);

    table.recover();
    assertThat(table.read().rows()).containsExactly(row);
  }
}
