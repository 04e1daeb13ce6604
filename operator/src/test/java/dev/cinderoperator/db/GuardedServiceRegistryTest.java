package dev.cinderoperator.db;

import static dev.cinderoperator.db.GuardedServiceRegistry.CircuitState.CLOSED;
import static dev.cinderoperator.db.GuardedServiceRegistry.CircuitState.HALF_OPEN;
import static dev.cinderoperator.db.GuardedServiceRegistry.CircuitState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class GuardedServiceRegistryTest {

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final FakeServiceRegistry fake = new FakeServiceRegistry();
  private final MovableClock clock = new MovableClock();
  private final GuardedServiceRegistry guarded =
      new GuardedServiceRegistry(
          fake,
          new GuardedServiceRegistry.Settings(
              3, Duration.ofMillis(1), 2, Duration.ofSeconds(30), clock));

  @Test
  void aShortBlipIsRetriedWithinOneCall() {
    fake.failNext(2);
    assertThat(guarded.inFlightBackups("b")).isEqualTo(2);
    assertThat(fake.calls).isEqualTo(3);
    assertThat(guarded.circuitState()).isEqualTo(CLOSED);
  }

  @Test
  void anOutageOpensTheCircuitThenFailsFastUntilATrialSucceeds() {
    fake.failNext(Integer.MAX_VALUE);
    assertThatThrownBy(guarded::read).isInstanceOf(DatabaseUnavailableException.class);
    assertThat(fake.calls).isEqualTo(3);
    assertThat(guarded.circuitState()).isEqualTo(CLOSED);
    assertThatThrownBy(guarded::read).isInstanceOf(DatabaseUnavailableException.class);
    assertThat(guarded.circuitState()).isEqualTo(OPEN);

    int before = fake.calls;
    assertThatThrownBy(() -> guarded.stopNewBackups("b"))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("circuit open");
    assertThat(fake.calls).as("open: the database is not touched").isEqualTo(before);

    fake.failNext(0);
    clock.now = clock.now.plusSeconds(31);
    assertThat(guarded.read().rows()).isEmpty();
    assertThat(guarded.circuitState()).isEqualTo(CLOSED);
  }

  @Test
  void aFailedTrialReopens() {
    fake.failNext(Integer.MAX_VALUE);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(guarded::read).isInstanceOf(DatabaseUnavailableException.class);
    }
    clock.now = clock.now.plusSeconds(31);
    assertThatThrownBy(guarded::read).isInstanceOf(DatabaseUnavailableException.class);
    assertThat(guarded.circuitState()).isIn(OPEN, HALF_OPEN);
    assertThatThrownBy(guarded::read).hasMessageContaining("circuit open");
  }

  @Test
  void otherErrorsAreNeitherRetriedNorCounted() {
    ServiceRegistry broken =
        new FakeServiceRegistry() {
          @Override
          public ServicesSnapshot read() {
            calls++;
            throw new IllegalStateException("bug");
          }
        };
    GuardedServiceRegistry g =
        new GuardedServiceRegistry(
            broken,
            new GuardedServiceRegistry.Settings(
                3, Duration.ofMillis(1), 1, Duration.ofSeconds(30), clock));
    assertThatThrownBy(g::read).isInstanceOf(IllegalStateException.class);
    assertThat(((FakeServiceRegistry) broken).calls).isEqualTo(1);
    assertThat(g.circuitState()).isEqualTo(CLOSED);
  }

  @Test
  void closeClosesTheDelegate() {
    guarded.close();
    assertThat(fake.closed).isTrue();
  }
}
