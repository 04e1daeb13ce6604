package dev.cinderoperator.sim.apiserver;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Records every request a Fabric8 client sends, as the API server's authorizer sees it: verb,
 * group, resource, subresource, namespace. Install it on the operator's client (see {@link
 * #install()}) and compare {@link #calls()} with the chart's RBAC rules.
 */
public final class ApiCallRecorder implements Interceptor {
  public static final String NAME = "cinder-sim-api-call-recorder";
  private static final Set<String> CONNECT_SUBRESOURCES = Set.of("exec", "attach", "portforward");

  /**
   * One request.
   *
   * @param verb the RBAC verb: get, list, watch, create, update, patch, delete, deletecollection
   *     (exec, attach and portforward count as create, as API servers since 1.30 authorize them);
   *     for non-resource URLs the lower-case HTTP method
   * @param apiGroup "" for the core group; null for non-resource URLs
   * @param resource the plural resource, or null for a non-resource URL such as /version
   * @param subresource status, scale, exec, ... or null
   * @param namespace null for cluster-scoped requests and all-namespace lists
   * @param name the object's name, or null for collections
   * @param path the request path
   * @param blockingOwners the {@code apiVersion/Kind} of every owner reference with {@code
   *     blockOwnerDeletion: true} a create or update carries (OwnerReferencesPermissionEnforcement
   *     then also asks for update on the owner's {@code finalizers})
   */
  public record ApiCall(
      String verb,
      String apiGroup,
      String version,
      String resource,
      String subresource,
      String namespace,
      String name,
      String method,
      String path,
      List<String> blockingOwners) {

    /** The same call, carrying the owners its body references with blockOwnerDeletion. */
    ApiCall withBlockingOwners(List<String> owners) {
      return new ApiCall(
          verb, apiGroup, version, resource, subresource, namespace, name, method, path, owners);
    }

    /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
    public String rbacResource() {
      return subresource == null ? resource : resource + "/" + subresource;
    }

    public boolean isResourceRequest() {
      return resource != null;
    }
  }

  private final List<ApiCall> calls = new CopyOnWriteArrayList<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    ApiCall call = parse(request.method(), request.uri());
    if (call.verb().equals("create") || call.verb().equals("update")) {
      List<String> owners = blockingOwners(request.bodyString());
      if (!owners.isEmpty()) {
        call = call.withBlockingOwners(owners);
      }
    }
    calls.add(call);
  }

  /** Adds this recorder to a client's HTTP client: {@code withHttpClientBuilderConsumer(...)}. */
  public Consumer<HttpClient.Builder> install() {
    return builder -> builder.addOrReplaceInterceptor(NAME, this);
  }

  /** A new client for the configuration whose every request is recorded here. */
  public KubernetesClient recordingClient(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(install())
        .build();
  }

  public List<ApiCall> calls() {
    return List.copyOf(calls);
  }

  /** Distinct {@code verb group/resource[/subresource]} strings, sorted, for readable diffs. */
  public Set<String> summary() {
    return calls.stream()
        .filter(ApiCall::isResourceRequest)
        .map(
            c ->
                c.verb()
                    + " "
                    + (c.apiGroup().isEmpty() ? "" : c.apiGroup() + "/")
                    + c.rbacResource())
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  public void clear() {
    calls.clear();
  }

  /** Parses a request the way the API server's request-info resolver does. */
  public static ApiCall parse(String method, URI uri) {
    String path = uri.getRawPath();
    String[] parts = path.replaceAll("^/+|/+$", "").split("/");
    String upper = method.toUpperCase(java.util.Locale.ROOT);
    int rest;
    String group;
    String version;
    if (parts.length >= 2 && parts[0].equals("api")) {
      group = "";
      version = parts[1];
      rest = 2;
    } else if (parts.length >= 3 && parts[0].equals("apis")) {
      group = parts[1];
      version = parts[2];
      rest = 3;
    } else {
      return new ApiCall(
          upper.toLowerCase(java.util.Locale.ROOT),
          null,
          null,
          null,
          null,
          null,
          null,
          upper,
          path,
          List.of());
    }
    String namespace = null;
    String resource = null;
    String name = null;
    String subresource = null;
    int n = parts.length - rest;
    if (n <= 0) {
      return new ApiCall("get", group, version, null, null, null, null, upper, path, List.of());
    }
    if (parts[rest].equals("namespaces") && n >= 3) {
      namespace = parts[rest + 1];
      resource = parts[rest + 2];
      name = n >= 4 ? parts[rest + 3] : null;
      subresource = n >= 5 ? parts[rest + 4] : null;
    } else {
      resource = parts[rest];
      name = n >= 2 ? parts[rest + 1] : null;
      subresource = n >= 3 ? parts[rest + 2] : null;
    }
    boolean watch = queryFlag(uri.getRawQuery(), "watch");
    String verb =
        switch (upper) {
          case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name == null ? "deletecollection" : "delete";
          default -> upper.toLowerCase(java.util.Locale.ROOT);
        };
    if (subresource != null && CONNECT_SUBRESOURCES.contains(subresource)) {
      verb = "create";
    }
    return new ApiCall(
        verb, group, version, resource, subresource, namespace, name, upper, path, List.of());
  }

  /** The owners a request body references with blockOwnerDeletion: true. */
  static List<String> blockingOwners(String body) {
    if (body == null || !body.contains("blockOwnerDeletion")) {
      return List.of();
    }
    try {
      com.fasterxml.jackson.databind.JsonNode refs =
          JSON.readTree(body).path("metadata").path("ownerReferences");
      List<String> owners = new java.util.ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonNode r : refs) {
        if (r.path("blockOwnerDeletion").asBoolean(false)) {
          owners.add(r.path("apiVersion").asText() + "/" + r.path("kind").asText());
        }
      }
      return List.copyOf(owners);
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static boolean queryFlag(String query, String key) {
    if (query == null) {
      return false;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      if (k.equals(key) && (v.equals("true") || v.equals("1"))) {
        return true;
      }
    }
    return false;
  }
}
