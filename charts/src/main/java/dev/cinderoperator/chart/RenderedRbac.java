package dev.cinderoperator.chart;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the chart lets the operator's ServiceAccount do: the rules of every Role and ClusterRole
 * that the rendered chart binds to the ServiceAccount the operator Deployment runs as, flattened to
 * one {@link Permission} per (namespace, apiGroup, resource, subresource, verb).
 *
 * <p>The e2e RBAC test compares these with the API calls the operator made.
 */
public final class RenderedRbac {

  /**
   * One allowed call. {@code subresource} is {@code ""} for the resource itself; {@code namespace}
   * is {@code null} when granted in every namespace (a ClusterRoleBinding). Any field may be {@code
   * "*"} as in RBAC, though the chart uses no wildcards.
   */
  public record Permission(
      String namespace, String apiGroup, String resource, String subresource, String verb) {
    public Permission {
      Objects.requireNonNull(apiGroup, "apiGroup");
      Objects.requireNonNull(resource, "resource");
      Objects.requireNonNull(subresource, "subresource");
      Objects.requireNonNull(verb, "verb");
    }

    /** True when this permission allows the call in its namespace (RBAC matching, {@code *}). */
    public boolean matches(String apiGroup, String resource, String subresource, String verb) {
      return matchesField(this.apiGroup, apiGroup)
          && matchesResource(resource, subresource)
          && matchesField(this.verb, verb);
    }

    /** True when granted in {@code namespace}; {@code null} asks for a cluster-wide grant. */
    public boolean coversNamespace(String namespace) {
      return this.namespace == null || this.namespace.equals(namespace);
    }

    private boolean matchesResource(String resource, String subresource) {
      if (this.resource.equals("*") && this.subresource.isEmpty()) {
        return true; // "*" covers every resource and subresource
      }
      return matchesField(this.resource, resource) && matchesField(this.subresource, subresource);
    }

    private static boolean matchesField(String granted, String asked) {
      return granted.equals("*") || granted.equals(asked);
    }
  }

  private final String serviceAccountNamespace;
  private final String serviceAccountName;
  private final Set<Permission> permissions;

  private RenderedRbac(
      String serviceAccountNamespace, String serviceAccountName, Set<Permission> permissions) {
    this.serviceAccountNamespace = serviceAccountNamespace;
    this.serviceAccountName = serviceAccountName;
    this.permissions = Collections.unmodifiableSet(permissions);
  }

  /**
   * Renders the chart (found by {@link ChartDirectory#locate()}) with these {@code --set} values
   * and collects the operator's permissions. {@code Map.of()} gives the defaults.
   */
  public static RenderedRbac render(Map<String, String> values) {
    return from(RenderedChart.render(values));
  }

  /** As {@link #render(Map)}, installed into another release namespace. */
  public static RenderedRbac render(Map<String, String> values, String releaseNamespace) {
    return from(RenderedChart.render(values, releaseNamespace));
  }

  /** The permissions of the operator's ServiceAccount in an already rendered chart. */
  public static RenderedRbac from(RenderedChart chart) {
    JsonNode deployment = operatorDeployment(chart);
    String namespace = deployment.path("metadata").path("namespace").asText();
    String account =
        Optional.ofNullable(
                deployment.path("spec").path("template").path("spec").get("serviceAccountName"))
            .map(JsonNode::asText)
            .orElse("default");

    Set<Permission> permissions = new LinkedHashSet<>();
    for (JsonNode binding : bindings(chart)) {
      if (!bindsServiceAccount(binding, namespace, account)) {
        continue;
      }
      String bindingNamespace =
          binding.path("kind").asText().equals("ClusterRoleBinding")
              ? null
              : binding.path("metadata").path("namespace").asText();
      JsonNode role = referencedRole(chart, binding);
      for (JsonNode rule : role.path("rules")) {
        addRule(permissions, bindingNamespace, rule, role);
      }
    }
    return new RenderedRbac(namespace, account, permissions);
  }

  /** Every permission, in the order the chart lists them. */
  public Set<Permission> permissions() {
    return permissions;
  }

  /** True when the operator may make this call in at least one namespace. */
  public boolean allows(String apiGroup, String resource, String subresource, String verb) {
    return permissions.stream()
        .anyMatch(p -> p.matches(orEmpty(apiGroup), resource, orEmpty(subresource), verb));
  }

  /**
   * True when the operator may make this call in {@code namespace}; {@code null} stands for a
   * cluster-wide call (e.g. a list or watch across all namespaces), which only a ClusterRoleBinding
   * allows.
   */
  public boolean allowsIn(
      String namespace, String apiGroup, String resource, String subresource, String verb) {
    return permissions.stream()
        .anyMatch(
            p ->
                p.coversNamespace(namespace)
                    && p.matches(orEmpty(apiGroup), resource, orEmpty(subresource), verb));
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }

  /** The namespace of the operator's ServiceAccount (the release namespace). */
  public String serviceAccountNamespace() {
    return serviceAccountNamespace;
  }

  public String serviceAccountName() {
    return serviceAccountName;
  }

  private static JsonNode operatorDeployment(RenderedChart chart) {
    List<JsonNode> deployments = chart.ofKind("Deployment");
    if (deployments.size() != 1) {
      throw new IllegalStateException(
          "expected the chart to render one Deployment (the operator), got " + deployments.size());
    }
    return deployments.get(0);
  }

  private static List<JsonNode> bindings(RenderedChart chart) {
    List<JsonNode> bindings = new ArrayList<>(chart.ofKind("ClusterRoleBinding"));
    bindings.addAll(chart.ofKind("RoleBinding"));
    return bindings;
  }

  private static boolean bindsServiceAccount(JsonNode binding, String namespace, String account) {
    for (JsonNode subject : binding.path("subjects")) {
      if (subject.path("kind").asText().equals("ServiceAccount")
          && subject.path("name").asText().equals(account)
          && subject.path("namespace").asText().equals(namespace)) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode referencedRole(RenderedChart chart, JsonNode binding) {
    String kind = binding.path("roleRef").path("kind").asText();
    String name = binding.path("roleRef").path("name").asText();
    String namespace = binding.path("metadata").path("namespace").asText();
    return chart.ofKind(kind).stream()
        .filter(r -> r.path("metadata").path("name").asText().equals(name))
        .filter(
            r ->
                kind.equals("ClusterRole")
                    || r.path("metadata").path("namespace").asText().equals(namespace))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    binding.path("kind").asText()
                        + " "
                        + binding.path("metadata").path("name").asText()
                        + " refers to "
                        + kind
                        + " "
                        + name
                        + ", which the chart does not render"));
  }

  private static void addRule(
      Set<Permission> permissions, String namespace, JsonNode rule, JsonNode role) {
    if (rule.has("resourceNames") || rule.has("nonResourceURLs")) {
      // not modelled: a rule limited to names would look broader here than it is
      throw new IllegalStateException(
          role.path("kind").asText()
              + " "
              + role.path("metadata").path("name").asText()
              + " uses resourceNames or nonResourceURLs, which RenderedRbac does not model");
    }
    for (JsonNode group : rule.path("apiGroups")) {
      for (JsonNode resource : rule.path("resources")) {
        String[] parts = resource.asText().split("/", 2);
        String subresource = parts.length == 2 ? parts[1] : "";
        for (JsonNode verb : rule.path("verbs")) {
          permissions.add(
              new Permission(namespace, group.asText(), parts[0], subresource, verb.asText()));
        }
      }
    }
  }
}
