package dev.cinderoperator.kube;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * CinderClusters whose stored content does not fit the model (an enum value outside the schema, a
 * wrong type: a CR written under another CRD version or before a schema tightened). The operator's
 * client reads every CinderCluster through {@link #serialization()}: one that does not fit becomes
 * a CinderCluster with its metadata (and status, when that reads), no spec, and a {@link #problem}
 * naming the field and the value. So the informer never fails on a CR's content (a failed informer
 * stops JOSDK's operator), the reconciler reports that CR alone, and every other CR is reconciled
 * as usual.
 */
public final class UnreadableClusters {
  private static final int MAX_REMEMBERED = 10_000;

  /** Problems by uid and resourceVersion: one object version, so a fixed CR is read afresh. */
  private static final Map<String, String> PROBLEMS =
      java.util.Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
              return size() > MAX_REMEMBERED;
            }
          });

  private UnreadableClusters() {}

  /** A client builder whose serialization tolerates unreadable CinderClusters. */
  public static KubernetesClientBuilder clientBuilder() {
    return new KubernetesClientBuilder().withKubernetesSerialization(serialization());
  }

  /** Fabric8's serialization plus the tolerant CinderCluster reader. */
  public static KubernetesSerialization serialization() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.registerModule(module());
    return new KubernetesSerialization(mapper, true);
  }

  /** Why this CinderCluster could not be read into the model, if it could not. */
  public static Optional<String> problem(CinderCluster cc) {
    return Optional.ofNullable(PROBLEMS.get(key(cc.getMetadata())));
  }

  /**
   * Fails when the client reads CinderClusters strictly: an operator built on such a client would
   * stop on the first CR it cannot read.
   */
  static void requireTolerant(KubernetesSerialization serialization) {
    String probe =
        "{\"apiVersion\":\"cinder.operator.dev/v1alpha1\",\"kind\":\"CinderCluster\","
            + "\"metadata\":{\"name\":\"probe\",\"uid\":\"probe\",\"resourceVersion\":\"0\"},"
            + "\"spec\":{\"upgrade\":{\"staleServices\":\"probe\"}}}";
    try {
      serialization.unmarshal(probe, CinderCluster.class);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "the operator's Kubernetes client must read CinderClusters through"
              + " UnreadableClusters.serialization(): with this one, one CR that does not fit the"
              + " model would stop the operator",
          e);
    }
  }

  private static String key(ObjectMeta meta) {
    return meta == null ? "" : meta.getUid() + "@" + meta.getResourceVersion();
  }

  private static SimpleModule module() {
    SimpleModule module = new SimpleModule("cinder-operator-unreadable-clusters");
    module.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public JsonDeserializer<?> modifyDeserializer(
              DeserializationConfig config, BeanDescription bean, JsonDeserializer<?> deser) {
            return bean.getBeanClass() == CinderCluster.class ? new Tolerant(deser) : deser;
          }
        });
    return module;
  }

  /** Reads the model as usual; on a failure, what can be read and the problem. */
  private static final class Tolerant extends DelegatingDeserializer {
    private static final long serialVersionUID = 1L;

    Tolerant(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new Tolerant(delegate);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode tree = ctxt.readTree(p);
      try (JsonParser again = p.getCodec().treeAsTokens(tree)) {
        again.nextToken();
        return _delegatee.deserialize(again, ctxt);
      } catch (JsonMappingException e) {
        return unreadable(tree, e, ctxt);
      }
    }

    private static CinderCluster unreadable(
        JsonNode tree, JsonMappingException e, DeserializationContext ctxt) throws IOException {
      CinderCluster cc = new CinderCluster();
      cc.setMetadata(ctxt.readTreeAsValue(tree.path("metadata"), ObjectMeta.class));
      cc.setSpec(null);
      try {
        cc.setStatus(
            tree.hasNonNull("status")
                ? ctxt.readTreeAsValue(tree.get("status"), CinderClusterStatus.class)
                : null);
      } catch (JsonMappingException statusUnreadable) {
        cc.setStatus(null);
      }
      PROBLEMS.put(key(cc.getMetadata()), describe(tree, e));
      return cc;
    }
  }

  /**
   * {@code spec.upgrade.staleServices: "Sometimes" is not one of Remove, Block}: the path, the
   * value as stored, and what the model expects.
   */
  static String describe(JsonNode tree, JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    JsonNode value = tree;
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
        value = value.path(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
        value = value.path(r.getIndex());
      }
    }
    String shown = value.isMissingNode() ? "?" : value.toString();
    Class<?> target =
        e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m
            ? m.getTargetType()
            : null;
    String expected;
    if (e instanceof InvalidFormatException f
        && f.getTargetType() != null
        && f.getTargetType().isEnum()) {
      expected =
          "is not one of "
              + Arrays.stream(f.getTargetType().getEnumConstants())
                  .map(String::valueOf)
                  .collect(Collectors.joining(", "));
    } else if (target != null) {
      expected = "cannot be read as " + typeName(target);
    } else {
      expected = "cannot be read: " + e.getOriginalMessage();
    }
    return (path.length() == 0 ? "the object" : path) + ": " + shown + " " + expected;
  }

  private static String typeName(Class<?> c) {
    if (c == Integer.class || c == int.class || c == Long.class || c == long.class) {
      return "an integer";
    }
    if (c == Boolean.class || c == boolean.class) {
      return "true or false";
    }
    if (c == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(c)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(c)) {
      return "a map";
    }
    if (c.isEnum()) {
      return "one of "
          + Arrays.stream(c.getEnumConstants())
              .map(String::valueOf)
              .collect(Collectors.joining(", "));
    }
    return "an object (" + c.getSimpleName() + ")";
  }
}
