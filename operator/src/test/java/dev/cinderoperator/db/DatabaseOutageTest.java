package dev.cinderoperator.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A private MariaDB that goes away and comes back, behind the guarded JDBC registry. */
class DatabaseOutageTest {
  private static TestMariaDb server;

  @BeforeAll
  static void start() {
    TestMariaDb.shared(); // skips loudly when no MariaDB can be had
    server = TestMariaDb.startPrivate();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void failsFastWhileDownAndRecoversByItself() {
    TestDatabase db = server.createDatabase("outage");
    db.insertService("cinder-scheduler", "cinder-scheduler-0", "3.12", "1.39", 0);
    try (GuardedServiceRegistry registry =
        new GuardedServiceRegistry(
            new JdbcServiceRegistry(db.url(), Duration.ofSeconds(2)),
            new GuardedServiceRegistry.Settings(
                3,
                Duration.ofMillis(50),
                2,
                Duration.ofMillis(500),
                java.time.Clock.systemUTC()))) {
      assertThat(registry.read().rows()).hasSize(1);

      server.stop();
      long t = System.nanoTime();
      assertThatThrownBy(registry::read)
          .isInstanceOf(DatabaseUnavailableException.class)
          .satisfies(e -> JdbcServiceRegistryTest.assertNoSecretInChain(e, server.password()));
      System.out.printf(
          "server stopped: first read failed after %d ms (3 attempts)%n",
          (System.nanoTime() - t) / 1_000_000);
      assertThatThrownBy(registry::read).isInstanceOf(DatabaseUnavailableException.class);
      assertThat(registry.circuitState()).isEqualTo(GuardedServiceRegistry.CircuitState.OPEN);
      t = System.nanoTime();
      assertThatThrownBy(registry::read).hasMessageContaining("circuit open");
      System.out.printf(
          "circuit open: read failed after %d ms%n", (System.nanoTime() - t) / 1_000_000);

      server.start();
      await("reads work again once the database is back")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> registry.read().rows().size() == 1);
      assertThat(registry.circuitState()).isEqualTo(GuardedServiceRegistry.CircuitState.CLOSED);
    }
  }
}
