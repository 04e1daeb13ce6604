package dev.cinderoperator.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * An end-to-end test class on the simulated cluster: a fresh {@link Scenario} per test, and after
 * each test two proofs over everything the scenario did: every API call the operator made is
 * allowed by the chart's RBAC in each way it can be installed, and no Secret value reached a
 * status, an Event, a ConfigMap or a log line ({@link ScenarioProofs}).
 */
abstract class ScenarioTest {
  Scenario s;
  private LogCapture logs;

  @BeforeEach
  final void startScenario() {
    logs = LogCapture.begin();
    s = Scenario.start();
  }

  @AfterEach
  final void closeScenario() {
    try {
      ScenarioProofs.verify(s.env, s.settings(), Scenario.NS, logs.lines());
    } finally {
      s.close();
      logs.close();
    }
  }
}
