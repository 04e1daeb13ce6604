package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a real API server does to an object between decoding and storage, for the kinds the
 * simulated cluster stores: defaulting that validation depends on, strict decoding against the
 * official schema ({@link OpenApiSchema}), and validation of names, labels, selectors and immutable
 * fields with the messages of Kubernetes' own validation code. Refusals are {@link ApiRefusal}s.
 */
public final class Admission {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Set<String> STATEFULSET_MUTABLE_SPEC =
      Set.of(
          "replicas",
          "ordinals",
          "template",
          "updateStrategy",
          "persistentVolumeClaimRetentionPolicy",
          "minReadySeconds");

  /** What the gate stores: the JSON and its parsed tree. */
  public record Admitted(String json, ObjectNode object) {}

  /**
   * Admits a create ({@code oldJson} null) or an update (including status writes).
   *
   * @return what to store: the request after defaulting (the same string when nothing was
   *     defaulted)
   * @throws ApiRefusal with the real status code and message when a real API server refuses it
   */
  public Admitted admit(String oldJson, String newJson) {
    ObjectNode object = parse(newJson);
    String apiVersion = object.path("apiVersion").asText("");
    String kind = object.path("kind").asText("");
    if (apiVersion.isEmpty() || kind.isEmpty()) {
      return new Admitted(newJson, object); // the stock code refuses objects without them
    }
    boolean defaulted = oldJson == null && applyDefaults(kind, object);
    OpenApiSchema.check(apiVersion, kind, object);
    List<FieldError> errors = new ArrayList<>();
    if (oldJson == null) {
      validateName(kind, object, errors);
    }
    validateMetadata(object.path("metadata"), errors);
    validateSpec(kind, object, errors);
    if (oldJson != null) {
      validateUpdate(kind, object, parse(oldJson), errors);
    }
    if (!errors.isEmpty()) {
      String group = apiVersion.contains("/") ? apiVersion.split("/", 2)[0] : "";
      throw ApiRefusal.invalid(group, kind, object.at("/metadata/name").asText(""), errors);
    }
    return new Admitted(defaulted ? object.toString() : newJson, object);
  }

  // ---- defaulting

  /** Defaults validation depends on; true when something changed. */
  private static boolean applyDefaults(String kind, ObjectNode object) {
    return switch (kind) {
      case "Job" -> defaultJobSelector(object);
      case "Secret" -> mergeStringData(object);
      default -> false;
    };
  }

  /**
   * The Job strategy's {@code generateSelector}: unless {@code manualSelector}, the template gets
   * the {@code controller-uid} and {@code job-name} labels (both prefixed and legacy) and the
   * selector matches the uid. A Job whose name is longer than a label value is therefore invalid.
   */
  private static boolean defaultJobSelector(ObjectNode job) {
    if (job.at("/spec/manualSelector").asBoolean(false) || !job.path("spec").isObject()) {
      return false;
    }
    String uid = job.at("/metadata/uid").asText("");
    String name = job.at("/metadata/name").asText("");
    ObjectNode spec = (ObjectNode) job.get("spec");
    ObjectNode template = objectAt(spec, "template");
    ObjectNode labels = objectAt(objectAt(template, "metadata"), "labels");
    for (Map.Entry<String, String> l :
        Map.of(
                "batch.kubernetes.io/controller-uid", uid,
                "batch.kubernetes.io/job-name", name,
                "controller-uid", uid,
                "job-name", name)
            .entrySet()) {
      if (!labels.has(l.getKey())) {
        labels.put(l.getKey(), l.getValue());
      }
    }
    ObjectNode matchLabels = objectAt(objectAt(spec, "selector"), "matchLabels");
    if (!matchLabels.has("batch.kubernetes.io/controller-uid")) {
      matchLabels.put("batch.kubernetes.io/controller-uid", uid);
    }
    return true;
  }

  /** {@code stringData} is write-only: the API server merges it into {@code data}. */
  private static boolean mergeStringData(ObjectNode secret) {
    JsonNode stringData = secret.remove("stringData");
    if (stringData == null || !stringData.isObject()) {
      return stringData != null;
    }
    ObjectNode data = objectAt(secret, "data");
    stringData
        .properties()
        .forEach(
            e ->
                data.put(
                    e.getKey(),
                    Base64.getEncoder()
                        .encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    return true;
  }

  // ---- validation on create and update

  /** {@code metadata.name} by the kind's rule (only on create: a name cannot change). */
  private static void validateName(String kind, ObjectNode object, List<FieldError> errors) {
    String name = object.at("/metadata/name").asText("");
    if (name.isEmpty()) {
      return; // generateName was already turned into a name; a missing one the stock code refuses
    }
    Function<String, List<String>> rule =
        switch (kind) {
          case "Service" -> Formats::dns1035Label;
          case "Namespace", "StatefulSet" -> Formats::dns1123Label;
          default -> Formats::dns1123Subdomain;
        };
    rule.apply(name).forEach(m -> errors.add(FieldError.invalid("metadata.name", name, m)));
    String namespace = object.at("/metadata/namespace").asText("");
    if (!namespace.isEmpty()) {
      Formats.dns1123Label(namespace)
          .forEach(m -> errors.add(FieldError.invalid("metadata.namespace", namespace, m)));
    }
  }

  private static void validateMetadata(JsonNode metadata, List<FieldError> errors) {
    validateLabels(metadata.path("labels"), "metadata.labels", errors);
    for (Map.Entry<String, JsonNode> a : metadata.path("annotations").properties()) {
      String key = a.getKey();
      Formats.labelKey(key.toLowerCase(java.util.Locale.ROOT))
          .forEach(m -> errors.add(FieldError.invalid("metadata.annotations", key, m)));
    }
    int controllers = 0;
    for (JsonNode ref : metadata.path("ownerReferences")) {
      if (ref.path("controller").asBoolean(false)) {
        controllers++;
      }
    }
    if (controllers > 1) {
      errors.add(
          FieldError.invalidRendered(
              "metadata.ownerReferences",
              "[]v1.OwnerReference{...}",
              "Only one reference can have Controller set to true."));
    }
  }

  /** {@code ValidateLabels}: a bad key is reported with the key, a bad value with the value. */
  static void validateLabels(JsonNode labels, String field, List<FieldError> errors) {
    for (Map.Entry<String, JsonNode> l : labels.properties()) {
      Formats.labelKey(l.getKey())
          .forEach(m -> errors.add(FieldError.invalid(field, l.getKey(), m)));
      String value = l.getValue().asText("");
      Formats.labelValue(value).forEach(m -> errors.add(FieldError.invalid(field, value, m)));
    }
  }

  private static void validateSpec(String kind, ObjectNode object, List<FieldError> errors) {
    JsonNode spec = object.path("spec");
    switch (kind) {
      case "Pod" -> validatePodSpec(spec, "spec", errors);
      case "StatefulSet", "Deployment" -> {
        validateSelector(spec, kind.toLowerCase(java.util.Locale.ROOT), errors);
        validateTemplate(spec.path("template"), errors);
      }
      case "Job" -> {
        validateLabels(spec.at("/selector/matchLabels"), "spec.selector.matchLabels", errors);
        validateTemplate(spec.path("template"), errors);
      }
      default -> {}
    }
  }

  private static void validateTemplate(JsonNode template, List<FieldError> errors) {
    validateLabels(template.at("/metadata/labels"), "spec.template.labels", errors);
    validatePodSpec(template.path("spec"), "spec.template.spec", errors);
  }

  /** The pod's hostname and subdomain become DNS names: DNS-1123 labels. */
  private static void validatePodSpec(JsonNode spec, String path, List<FieldError> errors) {
    for (String field : List.of("hostname", "subdomain")) {
      String value = spec.path(field).asText("");
      if (!value.isEmpty()) {
        Formats.dns1123Label(value)
            .forEach(m -> errors.add(FieldError.invalid(path + "." + field, value, m)));
      }
    }
  }

  private static void validateSelector(JsonNode spec, String what, List<FieldError> errors) {
    JsonNode selector = spec.path("selector");
    if (selector.isMissingNode() || selector.isNull()) {
      errors.add(FieldError.required("spec.selector", ""));
      return;
    }
    JsonNode matchLabels = selector.path("matchLabels");
    validateLabels(matchLabels, "spec.selector.matchLabels", errors);
    if (matchLabels.size() + selector.path("matchExpressions").size() == 0) {
      errors.add(
          FieldError.invalidRendered(
              "spec.selector", labelSelector(selector), "empty selector is invalid for " + what));
      return;
    }
    JsonNode labels = spec.at("/template/metadata/labels");
    for (Map.Entry<String, JsonNode> l : matchLabels.properties()) {
      if (!l.getValue().asText().equals(labels.path(l.getKey()).asText(null))) {
        errors.add(
            FieldError.invalidRendered(
                "spec.template.metadata.labels",
                goMap(labels),
                "`selector` does not match template `labels`"));
        return;
      }
    }
  }

  // ---- immutable fields

  private static void validateUpdate(
      String kind, ObjectNode object, ObjectNode old, List<FieldError> errors) {
    JsonNode spec = object.path("spec");
    JsonNode oldSpec = old.path("spec");
    switch (kind) {
      case "StatefulSet" -> {
        if (!semanticEqual(
            without(spec, STATEFULSET_MUTABLE_SPEC), without(oldSpec, STATEFULSET_MUTABLE_SPEC))) {
          errors.add(
              FieldError.forbidden(
                  "spec",
                  "updates to statefulset spec for fields other than 'replicas', 'ordinals',"
                      + " 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy'"
                      + " and 'minReadySeconds' are forbidden"));
        }
      }
      case "Deployment" -> immutable(spec, oldSpec, "selector", errors);
      case "Job" -> {
        immutable(spec, oldSpec, "selector", errors);
        if (!semanticEqual(spec.path("template"), oldSpec.path("template"))) {
          errors.add(
              FieldError.invalidRendered(
                  "spec.template", "core.PodTemplateSpec{...}", "field is immutable"));
        }
      }
      default -> {}
    }
  }

  /** {@code ValidateImmutableField} on a label selector, printed by its String() method. */
  private static void immutable(
      JsonNode spec, JsonNode oldSpec, String field, List<FieldError> errors) {
    if (!semanticEqual(spec.path(field), oldSpec.path(field))) {
      errors.add(
          FieldError.invalidRendered(
              "spec." + field, labelSelector(spec.path(field)), "field is immutable"));
    }
  }

  /**
   * Go's semantic equality after decoding: an absent field, null, an empty list, map or string are
   * the same zero value.
   */
  static boolean semanticEqual(JsonNode a, JsonNode b) {
    return normalize(a).equals(normalize(b));
  }

  private static JsonNode normalize(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return JSON.nullNode();
    }
    if (node.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      new TreeMap<String, JsonNode>(toMap(node))
          .forEach(
              (k, v) -> {
                JsonNode n = normalize(v);
                if (!n.isNull()) {
                  out.set(k, n);
                }
              });
      return out.isEmpty() ? JSON.nullNode() : out;
    }
    if (node.isArray()) {
      if (node.isEmpty()) {
        return JSON.nullNode();
      }
      var out = JSON.createArrayNode();
      node.forEach(n -> out.add(normalize(n)));
      return out;
    }
    if (node.isTextual() && node.asText().isEmpty()) {
      return JSON.nullNode();
    }
    return node;
  }

  private static Map<String, JsonNode> toMap(JsonNode node) {
    Map<String, JsonNode> m = new TreeMap<>();
    node.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  private static JsonNode without(JsonNode spec, Set<String> fields) {
    if (!spec.isObject()) {
      return spec;
    }
    ObjectNode copy = ((ObjectNode) spec).deepCopy();
    copy.remove(fields);
    return copy;
  }

  /** A *metav1.LabelSelector as its generated String() prints it. */
  static String labelSelector(JsonNode selector) {
    StringBuilder labels = new StringBuilder("map[string]string{");
    toMap(selector.path("matchLabels"))
        .forEach((k, v) -> labels.append(k).append(": ").append(v.asText()).append(','));
    labels.append('}');
    StringBuilder exprs = new StringBuilder("[]LabelSelectorRequirement{");
    for (JsonNode e : selector.path("matchExpressions")) {
      StringBuilder values = new StringBuilder("[");
      for (JsonNode v : e.path("values")) {
        values.append(values.length() > 1 ? " " : "").append(v.asText());
      }
      exprs
          .append("LabelSelectorRequirement{Key:")
          .append(e.path("key").asText())
          .append(",Operator:")
          .append(e.path("operator").asText())
          .append(",Values:")
          .append(values)
          .append("],},");
    }
    exprs.append('}');
    return "&LabelSelector{MatchLabels:" + labels + ",MatchExpressions:" + exprs + ",}";
  }

  /** A map[string]string as Go's %#v prints it (keys sorted). */
  static String goMap(JsonNode labels) {
    List<String> entries = new ArrayList<>();
    toMap(labels)
        .forEach((k, v) -> entries.add(FieldError.quote(k) + ":" + FieldError.quote(v.asText())));
    return "map[string]string{" + String.join(", ", entries) + "}";
  }

  private static ObjectNode objectAt(ObjectNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(field);
  }

  private static ObjectNode parse(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      if (!(n instanceof ObjectNode o)) {
        throw ApiRefusal.badRequest("the request body is not a JSON object");
      }
      return o;
    } catch (JsonProcessingException e) {
      throw ApiRefusal.badRequest("the request body is not JSON: " + e.getOriginalMessage());
    }
  }
}
