package dev.cinderoperator.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.BackupCapabilityReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class BackupHostFenceTest {
  private Instant now = Instant.parse("2026-12-01T10:00:00Z");
  private final List<String> sent = new ArrayList<>();
  private boolean brokerDown;

  private final SchedulerBus bus =
      new SchedulerBus() {
        @Override
        public boolean publish(BackupCapabilityReport r) {
          if (brokerDown) {
            throw new MessagingUnavailableException("cannot reach rabbitmq:5672");
          }
          sent.add(r.host() + "=" + r.working());
          return true;
        }

        @Override
        public void close() {}
      };

  private final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now;
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };

  private final BiFunction<String, Boolean, BackupCapabilityReport> reports =
      (host, working) -> BackupCapabilityReport.of(host, working, Map.of(), Map.of(), now);

  private final BackupHostFence fence =
      new BackupHostFence("ns/cinder", bus, clock, Duration.ofSeconds(1), Duration.ofMinutes(2));

  @Test
  void aHostNewToTheSetIsReportedAtOnceAndThenEveryInterval() {
    fence.keepOff(Set.of("b-0"), reports);
    assertThat(sent).containsExactly("b-0=false");
    fence.keepOff(Set.of("b-0"), reports);
    assertThat(sent).as("asked again: the repeat is the ticker's").hasSize(1);
    fence.tick();
    fence.tick();
    assertThat(sent).containsExactly("b-0=false", "b-0=false", "b-0=false");
    assertThat(fence.keptOff()).containsExactly("b-0");
  }

  @Test
  void aHostLeftOutOfTheSetIsNoLongerReported() {
    fence.keepOff(Set.of("b-0", "b-1"), reports);
    fence.keepOff(Set.of("b-1"), reports);
    sent.clear();
    fence.tick();
    assertThat(sent).containsExactly("b-1=false");
    assertThat(fence.keptOff()).containsExactly("b-1");
  }

  @Test
  void aHostNotAskedForWithinTheExpiryIsDropped() {
    fence.keepOff(Set.of("b-0"), reports);
    now = now.plus(Duration.ofMinutes(3));
    sent.clear();
    fence.tick();
    assertThat(sent).isEmpty();
    assertThat(fence.keptOff()).isEmpty();
  }

  @Test
  void aReportThatCannotBeSentLeavesTheHostExposedWithTheReason() {
    brokerDown = true;
    fence.keepOff(Set.of("b-0"), reports);
    assertThat(fence.keptOff()).isEmpty();
    assertThat(fence.problem()).hasValue("cannot reach rabbitmq:5672");
    assertThat(fence.reassert("b-0")).isFalse();
    brokerDown = false;
    assertThat(fence.reassert("b-0")).isTrue();
    assertThat(fence.keptOff()).containsExactly("b-0");
    assertThat(fence.problem()).isEmpty();
  }

  @Test
  void aStaleReportNoLongerCountsAsKeepingTheHostOff() {
    fence.keepOff(Set.of("b-0"), reports);
    now = now.plusSeconds(3);
    assertThat(fence.keptOff()).isEmpty();
  }

  @Test
  void reportingAHostWorkingEndsItsFence() {
    fence.keepOff(Set.of("b-0"), reports);
    fence.reportWorking("b-0", reports.apply("b-0", true));
    sent.clear();
    fence.tick();
    assertThat(sent).isEmpty();
    assertThat(fence.reassert("b-0")).isFalse();
  }
}
