package dev.cinderoperator.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a document against a CRD's openAPIV3Schema the way `kubectl apply --validate=strict` would
 * for the keywords the generated CRD uses: type, required, enum, pattern, minimum, maximum, unknown
 * fields. CEL rules are checked by the operator's validator instead.
 */
final class SchemaCheck {
  private SchemaCheck() {}

  static List<String> check(JsonNode schema, JsonNode value) {
    List<String> errors = new ArrayList<>();
    check(schema, value, "", errors);
    return errors;
  }

  private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (schema == null || schema.isMissingNode() || value == null || value.isNull()) {
      return;
    }
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)
        || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      return;
    }
    String type = schema.path("type").asText("");
    switch (type) {
      case "object" -> {
        if (!value.isObject()) {
          errors.add(path + ": expected object");
          return;
        }
        JsonNode props = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        for (JsonNode r : schema.path("required")) {
          if (!value.has(r.asText())) {
            errors.add(path + "." + r.asText() + ": required");
          }
        }
        for (Map.Entry<String, JsonNode> f : value.properties()) {
          if (props.has(f.getKey())) {
            check(props.get(f.getKey()), f.getValue(), path + "." + f.getKey(), errors);
          } else if (additional.isObject()) {
            check(additional, f.getValue(), path + "." + f.getKey(), errors);
          } else if (!path.isEmpty()
              || !List.of("apiVersion", "kind", "metadata").contains(f.getKey())) {
            errors.add(path + "." + f.getKey() + ": unknown field");
          }
        }
      }
      case "array" -> {
        if (!value.isArray()) {
          errors.add(path + ": expected array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          errors.add(path + ": expected string");
          return;
        }
        if (schema.has("pattern") && !value.asText().matches(schema.get("pattern").asText())) {
          errors.add(path + ": does not match " + schema.get("pattern").asText());
        }
        if (schema.has("enum")) {
          boolean found = false;
          for (JsonNode e : schema.get("enum")) {
            found |= e.asText().equals(value.asText());
          }
          if (!found) {
            errors.add(path + ": not one of " + schema.get("enum"));
          }
        }
      }
      case "integer", "number" -> {
        if (!value.isNumber()) {
          errors.add(path + ": expected number");
          return;
        }
        if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
          errors.add(path + ": below minimum " + schema.get("minimum"));
        }
        if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
          errors.add(path + ": above maximum " + schema.get("maximum"));
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(path + ": expected boolean");
        }
      }
      default -> {}
    }
  }
}
