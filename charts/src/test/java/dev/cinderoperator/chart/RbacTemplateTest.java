package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cinderoperator.chart.RenderedRbac.Permission;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RbacTemplateTest {

  /** Every call the operator makes in a watched namespace, as group|resource|subresource|verb. */
  private static final Set<String> WATCH_PERMISSIONS =
      Set.of(
          "cinder.operator.dev|cinderclusters||get",
          "cinder.operator.dev|cinderclusters||list",
          "cinder.operator.dev|cinderclusters||watch",
          "cinder.operator.dev|cinderclusters||patch",
          "cinder.operator.dev|cinderclusters|status|update",
          "cinder.operator.dev|cinderclusters|finalizers|update",
          "|secrets||get",
          "|secrets||list",
          "|secrets||watch",
          "|secrets||create",
          "|secrets||update",
          "|pods||get",
          "|pods||list",
          "|pods||watch",
          "|pods|eviction|create",
          "|services||list",
          "|services||watch",
          "|services||create",
          "|services||update",
          "apps|statefulsets||list",
          "apps|statefulsets||watch",
          "apps|statefulsets||create",
          "apps|statefulsets||update",
          "apps|statefulsets||delete",
          "apps|deployments||list",
          "apps|deployments||watch",
          "apps|deployments||create",
          "apps|deployments||update",
          "policy|poddisruptionbudgets||list",
          "policy|poddisruptionbudgets||watch",
          "policy|poddisruptionbudgets||create",
          "policy|poddisruptionbudgets||update",
          "policy|poddisruptionbudgets||delete",
          "batch|jobs||list",
          "batch|jobs||watch",
          "batch|jobs||create",
          "batch|jobs||delete",
          "|events||create");

  private static final Set<String> LEASE_PERMISSIONS =
      Set.of(
          "coordination.k8s.io|leases||get",
          "coordination.k8s.io|leases||create",
          "coordination.k8s.io|leases||update",
          "coordination.k8s.io|leases||patch");

  private static Set<String> grantedIn(RenderedRbac rbac, String namespace) {
    return rbac.permissions().stream()
        .filter(p -> java.util.Objects.equals(p.namespace(), namespace))
        .map(p -> p.apiGroup() + "|" + p.resource() + "|" + p.subresource() + "|" + p.verb())
        .collect(Collectors.toSet());
  }

  private static RenderedChart render(String valuesYaml) {
    return RenderedChart.render(ChartDirectory.locate(), valuesYaml, Map.of());
  }

  private static final String EXEC = "|pods|exec|create";

  private static Set<String> plus(Set<String> a, String... more) {
    Set<String> out = new java.util.HashSet<>(a);
    out.addAll(Set.of(more));
    return out;
  }

  @Test
  void defaultsGrantTheOperatorsCallsInTheReleaseNamespaceAloneAndNothingClusterWide() {
    RenderedChart chart = render("");
    RenderedRbac rbac = RenderedRbac.from(chart);

    assertThat(chart.ofKind("ClusterRole")).isEmpty();
    assertThat(chart.ofKind("ClusterRoleBinding")).isEmpty();
    assertThat(chart.ofKind("Role"))
        .extracting(r -> r.at("/metadata/namespace").asText())
        .containsOnly(RenderedChart.RELEASE_NAMESPACE);
    assertThat(grantedIn(rbac, null)).as("nothing cluster-wide").isEmpty();
    assertThat(rbac.permissions())
        .as("no verb on any resource outside the release namespace")
        .allMatch(p -> RenderedChart.RELEASE_NAMESPACE.equals(p.namespace()));
    assertThat(grantedIn(rbac, RenderedChart.RELEASE_NAMESPACE))
        .isEqualTo(plus(WATCH_PERMISSIONS, LEASE_PERMISSIONS.toArray(String[]::new)));
    assertThat(rbac.allows("", "pods", "exec", "create")).as("no exec by default").isFalse();
    assertThat(rbac.permissions()).extracting(Permission::verb).doesNotContain("*");
  }

  @Test
  void watchingAllNamespacesIsAnExplicitClusterRole() {
    RenderedChart chart = render("watchAllNamespaces: true\n");
    RenderedRbac rbac = RenderedRbac.from(chart);

    assertThat(chart.ofKind("ClusterRole")).hasSize(1);
    assertThat(chart.ofKind("ClusterRoleBinding")).hasSize(1);
    assertThat(grantedIn(rbac, null)).isEqualTo(WATCH_PERMISSIONS);
    assertThat(grantedIn(rbac, RenderedChart.RELEASE_NAMESPACE)).isEqualTo(LEASE_PERMISSIONS);
  }

  @Test
  void watchingAllNamespacesAndListingSomeExcludeEachOther() {
    assertThatThrownBy(() -> render("watchAllNamespaces: true\nwatchNamespaces: [openstack]\n"))
        .hasMessageContaining("watchAllNamespaces and watchNamespaces exclude each other");
  }

  @Test
  void theFinalizersRuleLetsOwnedObjectsBlockTheirOwnersDeletion() {
    // OwnerReferencesPermissionEnforcement: blockOwnerDeletion on a reference to a CinderCluster
    // needs update on cinderclusters/finalizers in the namespace
    RenderedRbac rbac = RenderedRbac.from(render(""));

    assertThat(
            rbac.allowsIn(
                RenderedChart.RELEASE_NAMESPACE,
                "cinder.operator.dev",
                "cinderclusters",
                "finalizers",
                "update"))
        .isTrue();
  }

  @Test
  void watchNamespacesGetOneRoleEachAndNoClusterRole() {
    RenderedChart chart = render("watchNamespaces: [openstack, openstack-dev]\n");
    RenderedRbac rbac = RenderedRbac.from(chart);

    assertThat(chart.ofKind("ClusterRole")).isEmpty();
    assertThat(chart.ofKind("ClusterRoleBinding")).isEmpty();
    assertThat(chart.ofKind("Role"))
        .extracting(r -> r.at("/metadata/namespace").asText())
        .containsExactlyInAnyOrder("openstack", "openstack-dev", RenderedChart.RELEASE_NAMESPACE);
    assertThat(grantedIn(rbac, "openstack")).isEqualTo(WATCH_PERMISSIONS);
    assertThat(grantedIn(rbac, "openstack-dev")).isEqualTo(WATCH_PERMISSIONS);
    assertThat(grantedIn(rbac, RenderedChart.RELEASE_NAMESPACE)).isEqualTo(LEASE_PERMISSIONS);
    assertThat(grantedIn(rbac, null)).as("nothing cluster-wide").isEmpty();
    assertThat(rbac.allowsIn("openstack", "apps", "statefulsets", "", "create")).isTrue();
    assertThat(rbac.allowsIn("kube-system", "", "secrets", "", "get")).isFalse();
  }

  @Test
  void podsExecOnlyWhenUnpinningBySignal() {
    RenderedRbac bySignal = RenderedRbac.from(render("unpinBySignal: true\n"));
    RenderedRbac byRestart = RenderedRbac.from(render(""));

    assertThat(grantedIn(bySignal, RenderedChart.RELEASE_NAMESPACE))
        .isEqualTo(plus(plus(WATCH_PERMISSIONS, EXEC), LEASE_PERMISSIONS.toArray(String[]::new)));

    assertThat(bySignal.allows("", "pods", "exec", "create")).isTrue();
    assertThat(byRestart.allows("", "pods", "exec", "create")).isFalse();
    assertThat(byRestart.allows("", "pods", "eviction", "create"))
        .as("pods are rolled by eviction, which the PodDisruptionBudgets check")
        .isTrue();
    assertThat(byRestart.allows("", "pods", "", "delete")).as("never deleted directly").isFalse();
  }

  @Test
  void leasesAreGrantedOnlyInTheReleaseNamespaceAndOnlyWithLeaderElection() {
    RenderedRbac elected = RenderedRbac.from(render(""));
    RenderedRbac single =
        RenderedRbac.from(render("leaderElection: {enabled: false}\nreplicaCount: 1\n"));

    assertThat(
            elected.allowsIn(
                RenderedChart.RELEASE_NAMESPACE, "coordination.k8s.io", "leases", "", "update"))
        .isTrue();
    assertThat(
            elected.allowsIn(
                RenderedChart.RELEASE_NAMESPACE, "coordination.k8s.io", "leases", "", "patch"))
        .as("Fabric8's LeaderElector renews with a JSON merge patch")
        .isTrue();
    assertThat(elected.allowsIn("openstack", "coordination.k8s.io", "leases", "", "update"))
        .isFalse();
    assertThat(single.allows("coordination.k8s.io", "leases", "", "get")).isFalse();
  }

  @Test
  void bindingsNameTheOperatorsServiceAccount() {
    RenderedChart chart = render("serviceAccount: {name: cinder-ops}\n");

    assertThat(chart.get("ServiceAccount", "cinder-ops")).isNotNull();
    for (JsonNode binding : chart.ofKind("ClusterRoleBinding")) {
      assertThat(binding.at("/subjects/0/name").asText()).isEqualTo("cinder-ops");
      assertThat(binding.at("/subjects/0/namespace").asText())
          .isEqualTo(RenderedChart.RELEASE_NAMESPACE);
    }
    assertThat(RenderedRbac.from(chart).serviceAccountName()).isEqualTo("cinder-ops");
    assertThat(RenderedRbac.from(chart).permissions()).isNotEmpty();
  }

  @Test
  void rbacCanBeLeftToTheUser() {
    RenderedChart chart = render("rbac: {create: false}\n");

    assertThat(chart.ofKind("ClusterRole")).isEmpty();
    assertThat(chart.ofKind("Role")).isEmpty();
    assertThat(RenderedRbac.from(chart).permissions()).isEmpty();
  }
}
