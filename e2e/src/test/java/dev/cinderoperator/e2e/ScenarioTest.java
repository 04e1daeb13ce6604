package dev.cinderoperator.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** An end-to-end test class on the simulated cluster: a fresh {@link Scenario} per test. */
abstract class ScenarioTest {
  Scenario s;

  @BeforeEach
  final void startScenario() {
    s = Scenario.start();
  }

  @AfterEach
  final void closeScenario() {
    s.close();
  }
}
