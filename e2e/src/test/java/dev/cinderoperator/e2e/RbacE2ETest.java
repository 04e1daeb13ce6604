package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.chart.RenderedRbac;
import dev.cinderoperator.chart.RenderedRbac.Permission;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.apiserver.ApiCallRecorder.ApiCall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Least privilege, proven. Every scenario's calls are replayed against the chart's rules in each
 * install mode (see {@link ScenarioTest}); here, an operator installed with the chart's defaults
 * (its own namespace, pods restarted to unpin) uses every rule the chart grants, except the ones
 * listed in {@link #UNUSED_HERE} with the reason, and an operator watching every namespace is
 * refused by the namespaced installs.
 */
class RbacE2ETest extends ScenarioTest {
  /** Rules this run cannot exercise, as "verb group/resource[/subresource]", and why. */
  static final Map<String, String> UNUSED_HERE =
      Map.of(
          "get coordination.k8s.io/leases",
          "leader election is off in the simulated environment",
          "create coordination.k8s.io/leases",
          "leader election is off in the simulated environment",
          "update coordination.k8s.io/leases",
          "leader election is off in the simulated environment",
          "patch coordination.k8s.io/leases",
          "leader election is off in the simulated environment (LeaderFailoverE2ETest replays its"
              + " replicas' Lease renewals against the chart)",
          "get cinder.operator.dev/cinderclusters",
          "JOSDK gets the CinderCluster again only when patching its finalizer conflicts (409);"
              + " the operator reads it from its informer",
          "update services",
          "a Service changes only when the operator's rendering of it changes (an operator"
              + " upgrade); no spec field changes it",
          "update policy/poddisruptionbudgets",
          "a PodDisruptionBudget changes only when the operator's rendering of it changes (an"
              + " operator upgrade)");

  @Test
  void anOperatorInstalledWithTheDefaultsUsesExactlyTheChartsPermissions() {
    restart(Scenario.settingsFor().withUnpinBySignal(false));
    s.deploy(
        Clusters.of(
            NAME, NS, "2023.2", 1, 2, 1, Clusters.backend("ceph", 1), Clusters.backend("lvm", 1)));
    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(90));
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

    RenderedRbac rbac = ChartRbac.OWN_NAMESPACE.rules(NS, false);
    List<ApiCall> calls =
        s.env.calls().calls().stream().filter(ApiCall::isResourceRequest).toList();
    assertThat(calls).isNotEmpty();
    assertThat(ChartRbac.denied(calls, rbac)).isEmpty();

    Set<String> unused = new TreeSet<>();
    for (Permission p : rbac.permissions()) {
      boolean used =
          calls.stream()
              .anyMatch(
                  c ->
                      p.matches(
                              orEmpty(c.apiGroup()),
                              c.resource(),
                              orEmpty(c.subresource()),
                              c.verb())
                          || ChartRbac.finalizerChecks(c).stream()
                              .anyMatch(
                                  f -> p.matches(f.group(), f.resource(), "finalizers", "update")));
      String rule =
          ChartRbac.describe(
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

  @Test
  void anOperatorWatchingEveryNamespaceNeedsTheClusterWideInstall() {
    restart(Scenario.settingsFor().withWatchNamespaces(Set.of()));
    s.deploy(Clusters.small(NAME, NS, "2023.2"));

    List<ApiCall> calls = s.env.calls().calls();
    assertThat(ChartRbac.denied(calls, ChartRbac.ALL_NAMESPACES.rules(NS, true))).isEmpty();
    assertThat(ChartRbac.denied(calls, ChartRbac.OWN_NAMESPACE.rules(NS, true)))
        .as("cluster-wide lists and watches are refused by a namespaced install")
        .anyMatch(d -> d.startsWith("watch cinder.operator.dev/cinderclusters in null"));
    assertThat(ChartRbac.denied(calls, ChartRbac.LISTED_NAMESPACES.rules(NS, true))).isNotEmpty();
  }

  private void restart(dev.cinderoperator.kube.OperatorSettings settings) {
    s.close();
    s = Scenario.start(SimConfig.fast(), settings);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
