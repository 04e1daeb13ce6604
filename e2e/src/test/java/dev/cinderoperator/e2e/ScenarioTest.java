package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * An end-to-end test class on the simulated cluster: a fresh {@link Scenario} per test, and after
 * each test two proofs over everything the scenario did: every API call the operator made is
 * allowed by the chart's RBAC in each way it can be installed ({@link ChartRbac}), and no Secret
 * value reached a status, an Event, a ConfigMap or a log line ({@link SecretsScan}).
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
      for (ChartRbac mode : ChartRbac.modesFor(s.settings())) {
        Set<String> denied =
            ChartRbac.denied(
                s.env.calls().calls(), mode.rules(Scenario.NS, s.settings().unpinBySignal()));
        assertThat(denied)
            .as("operator calls the chart does not allow when installed as " + mode)
            .isEmpty();
      }
      assertThat(logs.lines()).as("the operator's log lines, captured for the scan").isNotEmpty();
      assertThat(SecretsScan.leaks(s.env.client(), logs.lines()))
          .as("Secret values outside Secrets")
          .isEmpty();
    } finally {
      s.close();
      logs.close();
    }
  }
}
