package dev.cinderoperator.sim.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pods as the workload controllers make them from their owner's template: the template's labels
 * (plus the controller's own) and annotations, the owner as controlling reference, bound to the
 * node; and how they read a pod back (its controller, its readiness).
 */
public final class PodTemplates {
  private PodTemplates() {}

  /** The owner's pod {@code name} in its namespace, with {@code labels} over the template's. */
  static Pod podFrom(
      HasMetadata owner,
      String apiVersion,
      PodTemplateSpec template,
      String name,
      Map<String, String> labels,
      String nodeName) {
    ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    Map<String, String> all = new LinkedHashMap<>();
    if (tm.getLabels() != null) {
      all.putAll(tm.getLabels());
    }
    all.putAll(labels);
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(all)
        .withAnnotations(tm.getAnnotations() == null ? Map.of() : tm.getAnnotations())
        .withOwnerReferences(controllerReference(owner, apiVersion))
        .endMetadata()
        .withSpec(template.getSpec())
        .editSpec()
        .withNodeName(nodeName)
        .endSpec()
        .build();
  }

  static OwnerReference controllerReference(HasMetadata owner, String apiVersion) {
    return new OwnerReferenceBuilder()
        .withApiVersion(apiVersion)
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** The pod's controlling owner of this kind, or null. */
  static OwnerReference controllerOf(Pod pod, String kind) {
    if (pod.getMetadata().getOwnerReferences() == null) {
      return null;
    }
    for (OwnerReference o : pod.getMetadata().getOwnerReferences()) {
      if (kind.equals(o.getKind()) && Boolean.TRUE.equals(o.getController())) {
        return o;
      }
    }
    return null;
  }

  public static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
