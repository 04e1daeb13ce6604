package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.chart.RenderedRbac;
import dev.cinderoperator.chart.RenderedRbac.Permission;
import dev.cinderoperator.sim.ApiCallRecorder.ApiCall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Least privilege, proven: every API call the operator's own client makes in a deploy and an
 * upgrade is allowed by the chart's RBAC rendered with default values, and every rule the chart
 * grants is used, except the ones listed in {@link #UNUSED_HERE} with the reason.
 */
class RbacE2ETest extends ScenarioTest {
  /** Rules this run cannot exercise, as "verb group/resource[/subresource]", and why. */
  static final Map<String, String> UNUSED_HERE =
      Map.of(
          "create pods/exec",
          "SIGHUP goes through the simulated kubelet's hook (the mock API server has no exec);"
              + " needed on a real cluster when unpinBySignal is true",
          "get coordination.k8s.io/leases",
          "leader election is off in the simulated environment",
          "create coordination.k8s.io/leases",
          "leader election is off in the simulated environment",
          "update coordination.k8s.io/leases",
          "leader election is off in the simulated environment",
          "get cinder.operator.dev/cinderclusters",
          "JOSDK's PrimaryUpdateAndCacheUtils re-reads the CinderCluster only when a status update"
              + " conflicts (409)",
          "update services",
          "a Service changes only when the operator's rendering of it changes (an operator"
              + " upgrade); no spec field changes it",
          "update policy/poddisruptionbudgets",
          "a PodDisruptionBudget changes only when the operator's rendering of it changes (an"
              + " operator upgrade)");

  @Test
  void theOperatorUsesExactlyTheChartsPermissions() {
    s.deploy(
        Clusters.of(
            NAME, NS, "2023.2", 1, 2, 1, Clusters.backend("ceph", 1), Clusters.backend("lvm", 1)));
    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(60));
    // a config change rewrites the cinder.conf Secret; a backend leaving the spec deletes its
    // StatefulSet and PodDisruptionBudget
    s.edit(spec -> spec.setConfig(Map.of("DEFAULT", Map.of("debug", "true"))));
    s.edit(spec -> spec.getVolumes().remove(1));
    s.awaitThat(
        "the lvm backend's StatefulSet removed",
        Duration.ofSeconds(30),
        () ->
            s.env
                    .client()
                    .apps()
                    .statefulSets()
                    .inNamespace(NS)
                    .withName(NAME + "-volume-lvm")
                    .get()
                == null);
    s.awaitStatus(
        "Ready", Duration.ofSeconds(60), st -> st.getPhase() == dev.cinderoperator.api.Phase.Ready);

    RenderedRbac rbac = RenderedRbac.render(Map.of());
    List<ApiCall> calls =
        s.env.calls().calls().stream().filter(ApiCall::isResourceRequest).toList();
    assertThat(calls).isNotEmpty();

    Set<String> denied = new TreeSet<>();
    for (ApiCall c : calls) {
      if (!rbac.allowsIn(c.namespace(), c.apiGroup(), c.resource(), c.subresource(), c.verb())) {
        denied.add(describe(c.verb(), c.apiGroup(), c.rbacResource()) + " in " + c.namespace());
      }
    }
    assertThat(denied).as("calls the chart's default RBAC does not allow").isEmpty();

    Set<String> unused = new TreeSet<>();
    for (Permission p : rbac.permissions()) {
      boolean used =
          calls.stream()
              .anyMatch(
                  c ->
                      p.matches(
                          orEmpty(c.apiGroup()), c.resource(), orEmpty(c.subresource()), c.verb()));
      String rule =
          describe(
              p.verb(),
              p.apiGroup(),
              p.subresource().isEmpty() ? p.resource() : p.resource() + "/" + p.subresource());
      if (!used && !UNUSED_HERE.containsKey(rule)) {
        unused.add(rule);
      }
    }
    System.out.println("operator API calls: " + s.env.calls().summary());
    assertThat(unused)
        .as(
            "rules granted by the chart and never used (operator calls: %s)",
            s.env.calls().summary())
        .isEmpty();
  }

  private static String describe(String verb, String group, String resource) {
    return verb + " " + (group == null || group.isEmpty() ? "" : group + "/") + resource;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
