package dev.cinderoperator.kube;

import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The cluster's objects as the informer caches hold them for one CinderCluster: one read per
 * reconcile, no API requests.
 */
public record ObservedObjects(
    List<Pod> pods,
    List<StatefulSet> statefulSets,
    List<Deployment> deployments,
    List<Service> services,
    List<PodDisruptionBudget> disruptionBudgets,
    List<Job> jobs,
    Function<String, Optional<Secret>> secrets) {

  public Optional<HasMetadata> find(String kind, String name) {
    List<? extends HasMetadata> list =
        switch (kind) {
          case "StatefulSet" -> statefulSets;
          case "Deployment" -> deployments;
          case "Service" -> services;
          case "PodDisruptionBudget" -> disruptionBudgets;
          case "Job" -> jobs;
          case "Secret" -> secrets.apply(name).map(List::of).orElse(List.of());
          default -> List.of();
        };
    return list.stream()
        .filter(o -> name.equals(o.getMetadata().getName()))
        .findFirst()
        .map(o -> o);
  }

  public Optional<Job> job(String name) {
    return jobs.stream().filter(j -> name.equals(j.getMetadata().getName())).findFirst();
  }

  public List<Pod> podsOf(Component component) {
    return pods.stream()
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && component.label().equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
        .toList();
  }

  /** A Secret's data decoded, or empty when it does not exist. */
  public Optional<Map<String, String>> secretData(String name) {
    return secrets.apply(name).map(ObservedObjects::decode);
  }

  static Map<String, String> decode(Secret secret) {
    Map<String, String> out = new HashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) -> {
                try {
                  out.put(
                      k,
                      new String(
                          Base64.getDecoder().decode(v), java.nio.charset.StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                  // Not base64: leave the key out; the resolver reports it as missing.
                }
              });
    }
    if (secret.getStringData() != null) {
      out.putAll(secret.getStringData());
    }
    return out;
  }

  public static Map<String, Pod> byName(List<Pod> pods) {
    return pods.stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p, (a, b) -> a));
  }
}
