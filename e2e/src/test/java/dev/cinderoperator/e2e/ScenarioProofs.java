package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.sim.SimulatedEnvironment;
import java.util.List;
import java.util.Set;

/**
 * What every scenario proves after it ran, over everything it did: each API call the operator made
 * is allowed by the chart's RBAC in every way the chart can be installed for such an operator
 * ({@link ChartRbac}), and no user Secret value reached a status, an Event, a ConfigMap or an
 * operator log line ({@link SecretsScan}).
 */
final class ScenarioProofs {
  private ScenarioProofs() {}

  static void verify(
      SimulatedEnvironment env, OperatorSettings settings, String namespace, List<String> logs) {
    for (ChartRbac mode : ChartRbac.modesFor(settings)) {
      Set<String> denied =
          ChartRbac.denied(env.calls().calls(), mode.rules(namespace, settings.unpinBySignal()));
      assertThat(denied)
          .as("operator calls the chart does not allow when installed as " + mode)
          .isEmpty();
    }
    assertThat(logs).as("the operator's log lines, captured for the scan").isNotEmpty();
    assertThat(SecretsScan.leaks(env.client(), logs)).as("Secret values outside Secrets").isEmpty();
  }
}
