package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods/eviction subresource, checked against PodDisruptionBudgets as a real API server checks
 * it ({@code pkg/registry/core/pod/storage/eviction.go}): a pod that is not running yet, finished
 * or already being deleted goes at once; a pod covered by one PDB goes only while the budget allows
 * a disruption, else 429 TooManyRequests with the DisruptionBudget cause; more than one PDB is a
 * 500.
 *
 * <p>The budget is computed from the store at the moment of the request, as a disruption controller
 * that is never behind would compute it: expected pods from the controllers' replicas, healthy pods
 * those Ready and not being deleted, {@code disruptionsAllowed = currentHealthy - desiredHealthy}.
 * A not-Ready pod may be evicted while the budget is met (the default {@code
 * unhealthyPodEvictionPolicy: IfHealthyBudget}).
 */
public final class Evictions {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the evictions read from, and delete through, the store. */
  public interface Store {
    Optional<JsonNode> get(String path);

    /** The objects at a collection path, which may carry a {@code ?labelSelector=}. */
    List<JsonNode> list(String collectionPath);

    /** How many times objects of the resource (plural) were stored or removed so far. */
    long changes(String plural);

    MockResponse delete(String path);
  }

  /**
   * A namespace's PodDisruptionBudgets by the first pair of their matchLabels, as of a count of the
   * store's budget writes. A pod's candidates are the budgets under one of its labels (and those
   * without matchLabels), not all 2,300 of a 100-cluster namespace.
   */
  private record BudgetIndex(
      long changes, Map<String, List<JsonNode>> byFirstLabel, List<JsonNode> withoutLabels) {}

  private static final String BUDGETS = "poddisruptionbudgets";

  private final Store store;
  private final Map<String, BudgetIndex> budgetIndexes = new ConcurrentHashMap<>();

  public Evictions(Store store) {
    this.store = store;
  }

  /** The budget check for an eviction of {@code namespace/name}. */
  public MockResponse evict(String namespace, String name, String body) {
    String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
    Optional<JsonNode> found = store.get(podPath);
    if (found.isEmpty()) {
      return status(404, "NotFound", "pods \"" + name + "\" not found", null);
    }
    JsonNode pod = found.get();
    JsonNode preconditions = preconditions(body);
    MockResponse unmet = Preconditions.unmet(preconditions, pod, "pods", name);
    if (unmet != null) {
      return unmet;
    }
    String phase = pod.at("/status/phase").asText("Pending");
    boolean ignoresBudget =
        !pod.at("/metadata/deletionTimestamp").isMissingNode()
            || phase.equals("Pending")
            || phase.equals("Succeeded")
            || phase.equals("Failed");
    if (!ignoresBudget) {
      List<JsonNode> budgets = budgetsOf(namespace, pod);
      if (budgets.size() > 1) {
        return status(
            500,
            "InternalError",
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does"
                + " not support.",
            null);
      }
      if (budgets.size() == 1) {
        Budget b = budget(namespace, budgets.get(0));
        boolean podReady = isReady(pod);
        boolean allowed =
            podReady ? b.disruptionsAllowed() > 0 : b.currentHealthy() >= b.desiredHealthy();
        if (!allowed) {
          return status(
              429,
              "TooManyRequests",
              "Cannot evict pod as it would violate the pod's disruption budget.",
              "The disruption budget "
                  + b.name()
                  + " needs "
                  + b.desiredHealthy()
                  + " healthy pods and has "
                  + b.currentHealthy()
                  + " currently");
        }
      }
    }
    MockResponse deleted = store.delete(podPath);
    if (deleted.code() / 100 != 2) {
      return deleted;
    }
    return status(201, null, null, null);
  }

  /** A budget as the disruption controller computes it. */
  public record Budget(String name, int expected, int desiredHealthy, int currentHealthy) {
    public int disruptionsAllowed() {
      return Math.max(0, currentHealthy - desiredHealthy);
    }
  }

  Budget budget(String namespace, JsonNode pdb) {
    List<JsonNode> pods = selected(namespace, pdb.at("/spec/selector"));
    int expected = expectedPods(namespace, pods);
    int healthy = 0;
    for (JsonNode p : pods) {
      if (isReady(p) && p.at("/metadata/deletionTimestamp").isMissingNode()) {
        healthy++;
      }
    }
    JsonNode maxUnavailable = pdb.at("/spec/maxUnavailable");
    JsonNode minAvailable = pdb.at("/spec/minAvailable");
    int desired;
    if (!maxUnavailable.isMissingNode() && !maxUnavailable.isNull()) {
      desired = Math.max(0, expected - scaled(maxUnavailable, expected));
    } else if (!minAvailable.isMissingNode() && !minAvailable.isNull()) {
      desired = scaled(minAvailable, expected);
    } else {
      desired = expected;
    }
    return new Budget(pdb.at("/metadata/name").asText(), expected, desired, healthy);
  }

  /** An int, or a percentage of {@code of} rounded up, as intstr.GetScaledValueFromIntOrPercent. */
  private static int scaled(JsonNode value, int of) {
    if (value.isNumber()) {
      return value.asInt();
    }
    String s = value.asText();
    if (s.endsWith("%")) {
      return (int) Math.ceil(Integer.parseInt(s.substring(0, s.length() - 1)) * of / 100.0);
    }
    return Integer.parseInt(s);
  }

  private List<JsonNode> budgetsOf(String namespace, JsonNode pod) {
    BudgetIndex index = budgetIndex(namespace);
    JsonNode labels = pod.at("/metadata/labels");
    List<JsonNode> candidates = new ArrayList<>(index.withoutLabels());
    for (Map.Entry<String, JsonNode> label : labels.properties()) {
      candidates.addAll(
          index.byFirstLabel().getOrDefault(pair(label.getKey(), label.getValue()), List.of()));
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode pdb : candidates) {
      if (matches(pdb.at("/spec/selector"), labels)) {
        out.add(pdb);
      }
    }
    return out;
  }

  private BudgetIndex budgetIndex(String namespace) {
    long changes = store.changes(BUDGETS);
    BudgetIndex known = budgetIndexes.get(namespace);
    if (known != null && known.changes() == changes) {
      return known;
    }
    Map<String, List<JsonNode>> byFirstLabel = new HashMap<>();
    List<JsonNode> withoutLabels = new ArrayList<>();
    for (JsonNode pdb : store.list("/apis/policy/v1/namespaces/" + namespace + "/" + BUDGETS)) {
      var first = pdb.at("/spec/selector/matchLabels").properties().iterator();
      if (first.hasNext()) {
        var label = first.next();
        byFirstLabel
            .computeIfAbsent(pair(label.getKey(), label.getValue()), k -> new ArrayList<>())
            .add(pdb);
      } else {
        withoutLabels.add(pdb);
      }
    }
    BudgetIndex index = new BudgetIndex(changes, byFirstLabel, withoutLabels);
    budgetIndexes.put(namespace, index);
    return index;
  }

  private static String pair(String key, JsonNode value) {
    return key + "=" + value.asText();
  }

  /** The pods a selector selects; its matchLabels narrow the store's read to their labels. */
  private List<JsonNode> selected(String namespace, JsonNode selector) {
    StringBuilder path = new StringBuilder("/api/v1/namespaces/" + namespace + "/pods");
    String separator = "?labelSelector=";
    for (Map.Entry<String, JsonNode> label : selector.path("matchLabels").properties()) {
      path.append(separator).append(pair(label.getKey(), label.getValue()));
      separator = ",";
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : store.list(path.toString())) {
      if (matches(selector, p.at("/metadata/labels"))) {
        out.add(p);
      }
    }
    return out;
  }

  /** The replicas of the pods' controllers (pods without one count as themselves). */
  private int expectedPods(String namespace, List<JsonNode> pods) {
    Map<String, Integer> controllers = new HashMap<>();
    int loose = 0;
    for (JsonNode p : pods) {
      JsonNode owner = controllerOf(p);
      if (owner == null) {
        loose++;
        continue;
      }
      String kind = owner.path("kind").asText();
      String plural =
          switch (kind) {
            case "StatefulSet" -> "statefulsets";
            case "Deployment" -> "deployments";
            case "ReplicaSet" -> "replicasets";
            default -> null;
          };
      if (plural == null) {
        loose++;
        continue;
      }
      String path =
          "/apis/apps/v1/namespaces/"
              + namespace
              + "/"
              + plural
              + "/"
              + owner.path("name").asText();
      controllers.computeIfAbsent(
          path, k -> store.get(k).map(o -> o.at("/spec/replicas").asInt(1)).orElse(0));
    }
    return loose + controllers.values().stream().mapToInt(Integer::intValue).sum();
  }

  private static JsonNode controllerOf(JsonNode pod) {
    for (JsonNode ref : pod.at("/metadata/ownerReferences")) {
      if (ref.path("controller").asBoolean(false)) {
        return ref;
      }
    }
    return null;
  }

  static boolean isReady(JsonNode pod) {
    for (JsonNode c : pod.at("/status/conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }

  /** A label selector's matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist). */
  static boolean matches(JsonNode selector, JsonNode labels) {
    if (selector == null || selector.isMissingNode() || selector.isNull()) {
      return false; // a PDB without a selector selects nothing (policy/v1)
    }
    for (Map.Entry<String, JsonNode> e : selector.path("matchLabels").properties()) {
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    for (JsonNode expr : selector.path("matchExpressions")) {
      String key = expr.path("key").asText();
      String value = labels.path(key).asText(null);
      List<String> values = new ArrayList<>();
      expr.path("values").forEach(v -> values.add(v.asText()));
      boolean ok =
          switch (expr.path("operator").asText()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode preconditions(String body) {
    if (body == null || body.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(body).at("/deleteOptions/preconditions");
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  /** A Status answer; {@code cause}, when given, is a DisruptionBudget cause. */
  public static MockResponse status(int code, String reason, String message, String cause) {
    var b = new StatusBuilder().withStatus(code / 100 == 2 ? "Success" : "Failure").withCode(code);
    if (reason != null) {
      b.withReason(reason).withMessage(message);
    }
    if (cause != null) {
      b.withNewDetails()
          .withCauses(
              new StatusCauseBuilder().withReason("DisruptionBudget").withMessage(cause).build())
          .endDetails();
    }
    var status = b.build();
    status.setApiVersion("v1");
    status.setKind("Status");
    return new MockResponse().setResponseCode(code).setBody(Serialization.asJson(status));
  }
}
