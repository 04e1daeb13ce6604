package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void aWaitOnPodsOrJobsIsRecheckedNoSoonerThanAPollAndNoLaterThanAnIdlePoll() {
    OperatorSettings defaults = OperatorSettings.defaults(); // poll 5 s, idle 60 s
    assertThat(defaults.watchedRecheck(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.watchedRecheck(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.watchedRecheck(Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(60));

    OperatorSettings fast =
        defaults.withPollIntervals(Duration.ofMillis(200), Duration.ofSeconds(2));
    assertThat(fast.watchedRecheck()).isEqualTo(Duration.ofSeconds(2));
  }
}
