package dev.cinderoperator.sim.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.annotations.SerializedName;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Decodes an object as a real API server does with {@code fieldValidation=Strict}, against the
 * official schema: the models of {@code io.kubernetes:client-java-api}, which Kubernetes generates
 * from its OpenAPI spec. A value of the wrong JSON type fails as Go's decoder fails ({@code json:
 * cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32}); a
 * field the schema does not declare fails as {@code strict decoding error: unknown field
 * "spec.foo"}. Both answer 400, as a real server does. Kinds without a model (custom resources)
 * pass unchecked: a CRD's schema is not modelled here.
 */
public final class OpenApiSchema {
  private static final String MODELS = "io.kubernetes.client.openapi.models.";
  private static final Map<Class<?>, Map<String, Field>> FIELDS = new ConcurrentHashMap<>();
  private static final Map<String, Optional<Class<?>>> MODEL_BY_KIND = new ConcurrentHashMap<>();
  private static final Map<Class<?>, String> GO_STRUCT_NAMES = new ConcurrentHashMap<>();
  private static final Pattern VERSION_PREFIX =
      Pattern.compile("^(Core|Events)?V\\d+((alpha|beta)\\d+)?");

  private OpenApiSchema() {}

  /**
   * Checks the object; nothing happens when it decodes.
   *
   * @throws ApiRefusal 400 with the decoder's message otherwise
   */
  public static void check(String apiVersion, String kind, JsonNode object) {
    Optional<Class<?>> model = modelOf(apiVersion, kind);
    if (model.isEmpty()) {
      return;
    }
    List<String> unknown = new ArrayList<>();
    List<String> typeErrors = new ArrayList<>();
    walkObject(model.get(), object, "", unknown, typeErrors);
    String version = apiVersion.contains("/") ? apiVersion.split("/", 2)[1] : apiVersion;
    String prefix = kind + " in version \"" + version + "\" cannot be handled as a " + kind + ": ";
    if (!typeErrors.isEmpty()) {
      throw ApiRefusal.badRequest(prefix + typeErrors.get(0));
    }
    if (!unknown.isEmpty()) {
      List<String> parts = unknown.stream().map(u -> "unknown field \"" + u + "\"").toList();
      throw ApiRefusal.badRequest(prefix + "strict decoding error: " + String.join(", ", parts));
    }
  }

  /** The model of a built-in kind: {@code V1<Kind>} (core Events are {@code CoreV1Event}). */
  static Optional<Class<?>> modelOf(String apiVersion, String kind) {
    String version = apiVersion.contains("/") ? apiVersion.split("/", 2)[1] : apiVersion;
    String group = apiVersion.contains("/") ? apiVersion.split("/", 2)[0] : "";
    String prefix = Character.toUpperCase(version.charAt(0)) + version.substring(1);
    String name =
        group.isEmpty() && kind.equals("Event") ? "Core" + prefix + "Event" : prefix + kind;
    return MODEL_BY_KIND.computeIfAbsent(
        apiVersion + "/" + kind,
        k -> {
          if (group.contains(".") && !group.endsWith(".k8s.io")) {
            return Optional.empty(); // a custom resource's group
          }
          try {
            return Optional.of(Class.forName(MODELS + name));
          } catch (ClassNotFoundException e) {
            return Optional.empty();
          }
        });
  }

  private static void walkObject(
      Class<?> model, JsonNode node, String path, List<String> unknown, List<String> typeErrors) {
    Map<String, Field> fields = fieldsOf(model);
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String childPath = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      Field f = fields.get(e.getKey());
      if (f == null) {
        unknown.add(childPath);
        continue;
      }
      walkValue(
          f.getGenericType(), e.getValue(), childPath, goStructName(model), unknown, typeErrors);
    }
  }

  private static void walkValue(
      Type type,
      JsonNode value,
      String path,
      String struct,
      List<String> unknown,
      List<String> typeErrors) {
    if (value == null || value.isNull()) {
      return;
    }
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type arg = p.getActualTypeArguments()[p.getActualTypeArguments().length - 1];
      if (List.class.isAssignableFrom(raw)) {
        if (!value.isArray()) {
          typeErrors.add(typeError(value, struct, path, "[]" + goType(arg)));
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          walkValue(arg, value.get(i), path + "[" + i + "]", struct, unknown, typeErrors);
        }
      } else if (Map.class.isAssignableFrom(raw)) {
        if (!value.isObject()) {
          typeErrors.add(typeError(value, struct, path, "map[string]" + goType(arg)));
          return;
        }
        value
            .properties()
            .forEach(
                e ->
                    walkValue(
                        arg,
                        e.getValue(),
                        path + "[" + e.getKey() + "]",
                        struct,
                        unknown,
                        typeErrors));
      }
      return;
    }
    Class<?> c = (Class<?>) type;
    boolean ok =
        switch (c.getName()) {
          case "java.lang.String", "java.time.OffsetDateTime", "[B" ->
              value.isTextual() && (!c.getName().equals("[B") || isBase64(value.asText()));
          case "java.lang.Integer", "java.lang.Long" -> value.isIntegralNumber();
          case "java.lang.Double", "java.lang.Float", "java.math.BigDecimal" -> value.isNumber();
          case "java.lang.Boolean" -> value.isBoolean();
          case "io.kubernetes.client.custom.IntOrString" ->
              value.isIntegralNumber() || value.isTextual();
          case "io.kubernetes.client.custom.Quantity" -> value.isTextual() || value.isNumber();
          case "java.lang.Object" -> true;
          default -> {
            if (c.getName().startsWith(MODELS)) {
              if (!value.isObject()) {
                yield false;
              }
              walkObject(c, value, path, unknown, typeErrors);
            }
            yield true;
          }
        };
    if (!ok) {
      typeErrors.add(typeError(value, struct, path, goType(c)));
    }
  }

  private static boolean isBase64(String s) {
    try {
      Base64.getDecoder().decode(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Go's {@code UnmarshalTypeError}: what the JSON held, where, and what Go wanted. */
  private static String typeError(JsonNode value, String struct, String path, String goType) {
    String what =
        value.isTextual()
            ? "string"
            : value.isBoolean()
                ? "bool"
                : value.isArray()
                    ? "array"
                    : value.isObject()
                        ? "object"
                        : value.isIntegralNumber() ? "number" : "number " + value.asText();
    return "json: cannot unmarshal "
        + what
        + " into Go struct field "
        + struct
        + "."
        + path
        + " of type "
        + goType;
  }

  private static String goType(Type type) {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type arg = p.getActualTypeArguments()[p.getActualTypeArguments().length - 1];
      return (List.class.isAssignableFrom(raw) ? "[]" : "map[string]") + goType(arg);
    }
    Class<?> c = (Class<?>) type;
    return switch (c.getName()) {
      case "java.lang.String" -> "string";
      case "java.lang.Integer" -> "int32";
      case "java.lang.Long" -> "int64";
      case "java.lang.Double", "java.math.BigDecimal" -> "float64";
      case "java.lang.Boolean" -> "bool";
      case "java.time.OffsetDateTime" -> "v1.Time";
      case "[B" -> "[]uint8";
      case "io.kubernetes.client.custom.IntOrString" -> "intstr.IntOrString";
      case "io.kubernetes.client.custom.Quantity" -> "resource.Quantity";
      default -> "v1." + goStructName(c);
    };
  }

  /**
   * {@code V1StatefulSetSpec} is Go's {@code StatefulSetSpec}. Remembered per model: the walk asks
   * for it at every field of every write, and compiling the pattern each time was half the check.
   */
  private static String goStructName(Class<?> model) {
    return GO_STRUCT_NAMES.computeIfAbsent(
        model, m -> VERSION_PREFIX.matcher(m.getSimpleName()).replaceFirst(""));
  }

  /** The JSON name of every declared property of a model, with its Java field. */
  private static Map<String, Field> fieldsOf(Class<?> model) {
    return FIELDS.computeIfAbsent(
        model,
        m -> {
          Map<String, Field> out = new LinkedHashMap<>();
          for (Field f : m.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
              continue;
            }
            SerializedName name = f.getAnnotation(SerializedName.class);
            out.put(name != null ? name.value() : f.getName(), f);
          }
          return out;
        });
  }
}
