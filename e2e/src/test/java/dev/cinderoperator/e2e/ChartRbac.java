package dev.cinderoperator.e2e;

import dev.cinderoperator.chart.RenderedChart;
import dev.cinderoperator.chart.RenderedRbac;
import dev.cinderoperator.sim.apiserver.ApiCallRecorder.ApiCall;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chart's RBAC in each way it can be installed, and the replay of an operator's recorded API
 * calls against it: a call is allowed when a rule of the rendered chart allows it in its namespace,
 * and a create or update that sets {@code blockOwnerDeletion} on a reference to its owner also
 * needs {@code update} on the owner's {@code finalizers} subresource, as the
 * OwnerReferencesPermissionEnforcement admission plugin (OpenShift, hardened clusters) demands.
 */
enum ChartRbac {
  /** The defaults: the release namespace, which is the watched one. */
  OWN_NAMESPACE,
  /** {@code watchNamespaces: [openstack]}, the operator in its own namespace. */
  LISTED_NAMESPACES,
  /** {@code watchAllNamespaces: true}. */
  ALL_NAMESPACES;

  private static final Map<String, RenderedRbac> RENDERED = new ConcurrentHashMap<>();
  private static final Map<String, String> PLURALS =
      Map.of(
          "CinderCluster", "cinderclusters",
          "StatefulSet", "statefulsets",
          "Deployment", "deployments",
          "ReplicaSet", "replicasets",
          "Job", "jobs");

  /**
   * The modes an operator run with these settings may be installed in: a namespaced operator in any
   * of them, one watching every namespace only in {@link #ALL_NAMESPACES}.
   */
  static List<ChartRbac> modesFor(dev.cinderoperator.kube.OperatorSettings settings) {
    return settings.watchNamespaces().isEmpty() ? List.of(ALL_NAMESPACES) : List.of(values());
  }

  /** The rules rendered for this mode with SIGHUP unpinning on or off (cached per JVM). */
  RenderedRbac rules(String watched, boolean unpinBySignal) {
    return RENDERED.computeIfAbsent(
        name() + "/" + watched + "/" + unpinBySignal,
        k ->
            switch (this) {
              case OWN_NAMESPACE ->
                  RenderedRbac.render(
                      Map.of("unpinBySignal", String.valueOf(unpinBySignal)), watched);
              case LISTED_NAMESPACES ->
                  RenderedRbac.render(
                      Map.of(
                          "watchNamespaces[0]",
                          watched,
                          "unpinBySignal",
                          String.valueOf(unpinBySignal)),
                      RenderedChart.RELEASE_NAMESPACE);
              case ALL_NAMESPACES ->
                  RenderedRbac.render(
                      Map.of(
                          "watchAllNamespaces",
                          "true",
                          "unpinBySignal",
                          String.valueOf(unpinBySignal)),
                      RenderedChart.RELEASE_NAMESPACE);
            });
  }

  /** The calls (and the finalizer checks they imply) the rules do not allow, described. */
  static Set<String> denied(List<ApiCall> calls, RenderedRbac rbac) {
    Set<String> denied = new TreeSet<>();
    for (ApiCall c : calls) {
      if (!c.isResourceRequest() || askedOfEveryone(c)) {
        continue;
      }
      if (!rbac.allowsIn(c.namespace(), c.apiGroup(), c.resource(), c.subresource(), c.verb())) {
        denied.add(describe(c.verb(), c.apiGroup(), c.rbacResource()) + " in " + c.namespace());
      }
      for (FinalizerCheck f : finalizerChecks(c)) {
        if (!rbac.allowsIn(c.namespace(), f.group(), f.resource(), "finalizers", "update")) {
          denied.add(
              "update "
                  + f.group()
                  + "/"
                  + f.resource()
                  + "/finalizers in "
                  + c.namespace()
                  + " (blockOwnerDeletion on "
                  + c.rbacResource()
                  + ", OwnerReferencesPermissionEnforcement)");
        }
      }
    }
    return denied;
  }

  /**
   * A SelfSubjectRulesReview or -AccessReview (JOSDK's leader election asks what it may do with
   * Leases): Kubernetes grants them to every authenticated user through its default ClusterRole
   * {@code system:basic-user}, so no chart rule is needed.
   */
  static boolean askedOfEveryone(ApiCall c) {
    return "authorization.k8s.io".equals(c.apiGroup())
        && ("selfsubjectrulesreviews".equals(c.resource())
            || "selfsubjectaccessreviews".equals(c.resource()))
        && "create".equals(c.verb());
  }

  /** An owner whose finalizers the admission plugin asks about. */
  record FinalizerCheck(String group, String resource) {}

  static List<FinalizerCheck> finalizerChecks(ApiCall c) {
    return c.blockingOwners().stream()
        .map(
            owner -> {
              int slash = owner.lastIndexOf('/');
              String apiVersion = owner.substring(0, slash);
              String kind = owner.substring(slash + 1);
              String group = apiVersion.contains("/") ? apiVersion.split("/", 2)[0] : "";
              return new FinalizerCheck(
                  group, PLURALS.getOrDefault(kind, kind.toLowerCase(java.util.Locale.ROOT) + "s"));
            })
        .toList();
  }

  static String describe(String verb, String group, String resource) {
    return verb + " " + (group == null || group.isEmpty() ? "" : group + "/") + resource;
  }
}
