package dev.cinderoperator.sim.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.DatabaseUnavailableException;
import dev.cinderoperator.db.JdbcServiceRegistry;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent;
import dev.cinderoperator.sim.events.SimEvent.ServiceRowEvent.Change;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The in-memory table's semantics, on Cinder's real schema in MariaDB. */
class JdbcServicesTableTest {
  private final List<ServiceRowEvent> events = new CopyOnWriteArrayList<>();
  private final ServiceRegistration scheduler =
      new ServiceRegistration("cinder-scheduler", "cinder-scheduler-0", null, "3.12", "1.39");
  private TestDatabase db;
  private JdbcServicesTable table;

  @BeforeEach
  void create() {
    db = TestMariaDb.shared().createDatabase("jdbc_sim_table");
    table = new JdbcServicesTable("ns", "cinder", db.url(), Clock.systemUTC(), events::add);
  }

  @AfterEach
  void drop() {
    if (table != null) {
      table.close();
    }
    if (db != null) {
      db.drop();
    }
  }

  @Test
  void aRestartedServiceUpdatesItsRowInsteadOfAddingOne() {
    ServiceRow first = table.register(scheduler);
    ServiceRow second =
        table.register(
            new ServiceRegistration(
                "cinder-scheduler", "cinder-scheduler-0", null, "3.13", "1.39"));

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(table.liveRows())
        .singleElement()
        .extracting(ServiceRow::rpcVersion)
        .isEqualTo("3.13");
    assertThat(db.value("SELECT topic FROM services WHERE id = ?", first.id()))
        .isEqualTo("cinder-scheduler");
    assertThat(events)
        .extracting(ServiceRowEvent::change)
        .containsExactly(Change.CREATED, Change.REGISTERED);
  }

  @Test
  void heartbeatsCountAndRecreateARowTheOperatorRemoved() {
    ServiceRow row = table.register(scheduler);
    assertThat(table.heartbeat(row.id(), scheduler).reportCount()).isEqualTo(1);

    try (JdbcServiceRegistry operator = new JdbcServiceRegistry(db.url())) {
      assertThat(operator.remove(row)).isTrue();
    }
    assertThat(table.liveRows()).isEmpty();

    ServiceRow recreated = table.heartbeat(row.id(), scheduler);
    assertThat(recreated.id()).isNotEqualTo(row.id());
    assertThat(table.liveRows())
        .singleElement()
        .extracting(ServiceRow::host)
        .isEqualTo("cinder-scheduler-0");
    assertThat(db.value("SELECT COUNT(*) FROM services WHERE deleted = 1")).isEqualTo(1L);
  }

  @Test
  void insertedRowsKeepTheTestsTimestampsAsNaiveUtc() {
    Instant old = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    ServiceRow stale =
        table.insert(
            new ServiceRow(
                0, "cinder-volume", "gone@lvm", null, "3.16", "1.39", false, old, old, 7, null));

    assertThat(stale.lastSeen()).isEqualTo(old);
    assertThat(stale.reportCount()).isEqualTo(7);
    assertThat(events).extracting(ServiceRowEvent::change).containsExactly(Change.INSERTED);
  }

  @Test
  void aDroppedDatabaseMakesWritesFailAsUnavailableWithoutThePassword() {
    table.close();
    db.drop();
    TestDatabase other = db;
    db = null;
    JdbcServicesTable broken =
        new JdbcServicesTable("ns", "cinder", other.url(), Clock.systemUTC(), events::add);
    try {
      assertThatThrownBy(() -> broken.register(scheduler))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageNotContaining(other.server().password());
    } finally {
      broken.close();
      table = null;
    }
  }
}
