package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API the e2e RBAC test uses: --set values in, RBAC matching out. */
class RenderedRbacTest {

  @Test
  void rendersWithSetValues() {
    RenderedRbac defaults = RenderedRbac.render(Map.of("watchAllNamespaces", "true"));
    RenderedRbac namespaced = RenderedRbac.render(Map.of("watchNamespaces[0]", "openstack"));

    assertThat(defaults.allowsIn(null, "cinder.operator.dev", "cinderclusters", "", "watch"))
        .as("cluster-wide watch when asked for")
        .isTrue();
    assertThat(namespaced.allowsIn(null, "cinder.operator.dev", "cinderclusters", "", "watch"))
        .as("no cluster-wide watch when namespaces are listed")
        .isFalse();
    assertThat(
            namespaced.allowsIn("openstack", "cinder.operator.dev", "cinderclusters", "", "watch"))
        .isTrue();
    assertThat(namespaced.allows("", "pods", "exec", "create")).isFalse();
  }

  @Test
  void nullGroupAndSubresourceMeanCoreAndNone() {
    RenderedRbac rbac = RenderedRbac.render(Map.of());

    assertThat(rbac.allows(null, "secrets", null, "list")).isTrue();
    assertThat(rbac.allows(null, "pods", null, "create")).as("pods are never created").isFalse();
    assertThat(rbac.allows("cinder.operator.dev", "cinderclusters", "status", "update")).isTrue();
    assertThat(rbac.allows("cinder.operator.dev", "cinderclusters", "", "update"))
        .as("spec is never written")
        .isFalse();
    assertThat(rbac.allows("cinder.operator.dev", "cinderclusters", "", "patch"))
        .as("the operator's finalizer is added and removed by a patch")
        .isTrue();
  }

  @Test
  void refusesValuesTheSchemaRejects() {
    assertThatThrownBy(() -> RenderedRbac.render(Map.of("unpinBySignal", "maybe")))
        .hasMessageContaining("/unpinBySignal");
  }
}
