package dev.cinderoperator.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a live object still carries what the operator wrote, field by field, and where it does
 * not. The operator owns every field it sets: a live value that differs is drift. Fields it does
 * not set are the API server's defaults (terminationMessagePath, protocol, clusterIP, ...) or
 * another tool's additions (annotations of the Deployment controller, {@code kubectl rollout
 * restart}) and are left alone, except inside what the operator owns whole: lists (containers,
 * volumes, env, tolerations, ports: an added element is drift), every {@code securityContext} (an
 * added {@code privileged: true} is drift) and a Secret's {@code data}. Kubernetes drops zero
 * values on output ({@code omitempty}), so a desired {@code false}, 0, "" or empty object equals an
 * absent field; resource quantities compare by amount ("1000m" is "1").
 */
final class OwnedFields {
  private static final Set<String> WHOLE = Set.of("securityContext", "data");
  private static final Set<String> QUANTITY_MAPS = Set.of("requests", "limits");
  private static final Set<String> TOP_LEVEL_SKIPPED = Set.of("apiVersion", "kind", "status");
  private static final int MAX_REPORTED = 5;

  private OwnedFields() {}

  /**
   * The paths (e.g. {@code spec.replicas}) where {@code live} departs from {@code desired}; empty
   * when it carries every owned field as desired.
   */
  static List<String> differences(JsonNode desired, JsonNode live) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : desired.properties()) {
      String key = e.getKey();
      if (TOP_LEVEL_SKIPPED.contains(key)) {
        continue;
      }
      if (key.equals("metadata")) {
        for (String m : List.of("labels", "annotations", "ownerReferences")) {
          compare(e.getValue().get(m), live.path("metadata").get(m), "metadata." + m, false, out);
        }
        continue;
      }
      compare(e.getValue(), live.get(key), key, WHOLE.contains(key), out);
    }
    return out.size() > MAX_REPORTED ? out.subList(0, MAX_REPORTED) : out;
  }

  private static void compare(
      JsonNode want, JsonNode have, String path, boolean whole, List<String> out) {
    if (want == null || want.isNull()) {
      return;
    }
    if (have == null || have.isNull() || have.isMissingNode()) {
      if (!isZero(want)) {
        out.add(path);
      }
      return;
    }
    if (want.isObject()) {
      if (!have.isObject()) {
        out.add(path);
        return;
      }
      boolean quantities = QUANTITY_MAPS.contains(lastSegment(path));
      for (Map.Entry<String, JsonNode> e : want.properties()) {
        String child = path + "." + e.getKey();
        if (quantities && e.getValue().isTextual() && have.path(e.getKey()).isTextual()) {
          if (!sameQuantity(e.getValue().asText(), have.get(e.getKey()).asText())) {
            out.add(child);
          }
          continue;
        }
        compare(
            e.getValue(), have.get(e.getKey()), child, whole || WHOLE.contains(e.getKey()), out);
      }
      if (whole) {
        for (Map.Entry<String, JsonNode> e : have.properties()) {
          if (!want.has(e.getKey()) && !isZero(e.getValue())) {
            out.add(path + "." + e.getKey());
          }
        }
      }
      return;
    }
    if (want.isArray()) {
      if (!have.isArray() || have.size() != want.size()) {
        out.add(path);
        return;
      }
      for (int i = 0; i < want.size(); i++) {
        compare(want.get(i), have.get(i), path + "[" + i + "]", whole, out);
      }
      return;
    }
    if (!sameScalar(want, have)) {
      out.add(path);
    }
  }

  private static boolean sameScalar(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText())) == 0;
    }
    return a.equals(b);
  }

  private static boolean sameQuantity(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    try {
      return Quantity.getAmountInBytes(new Quantity(a))
              .compareTo(Quantity.getAmountInBytes(new Quantity(b)))
          == 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** What Kubernetes leaves out of its output (omitempty). */
  private static boolean isZero(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return true;
    }
    if (n.isBoolean()) {
      return !n.asBoolean();
    }
    if (n.isNumber()) {
      return n.decimalValue().signum() == 0;
    }
    if (n.isTextual()) {
      return n.asText().isEmpty();
    }
    return n.isContainerNode() && n.isEmpty();
  }

  private static String lastSegment(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }
}
