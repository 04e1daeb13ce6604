package dev.cinderoperator.sim;

import dev.cinderoperator.sim.controllers.PodTemplates;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Workload objects as an operator would write them, for the simulator's tests. */
public final class Workloads {
  public static final String NS = "sim";

  private Workloads() {}

  public static PodTemplateSpec template(Map<String, String> labels, String image) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(Map.of("example.dev/note", "kept"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage(image)
        .endContainer()
        .endSpec()
        .build();
  }

  public static StatefulSet statefulSet(
      String name, int replicas, String image, Map<String, String> labels, String strategy) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName(name)
        .withPodManagementPolicy("Parallel")
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewUpdateStrategy()
        .withType(strategy)
        .endUpdateStrategy()
        .withTemplate(template(labels, image))
        .endSpec()
        .build();
  }

  public static Deployment deployment(
      String name, int replicas, String image, Map<String, String> labels) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withNewMaxSurge(1)
        .withNewMaxUnavailable(0)
        .endRollingUpdate()
        .endStrategy()
        .withTemplate(template(labels, image))
        .endSpec()
        .build();
  }

  public static Job job(String name, String image, Map<String, String> labels, int backoffLimit) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(backoffLimit)
        .withTemplate(template(labels, image))
        .editTemplate()
        .editSpec()
        .withRestartPolicy("Never")
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  public static List<Pod> pods(KubernetesClient client, Map<String, String> labels) {
    return client.pods().inNamespace(NS).withLabels(labels).list().getItems().stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  public static Pod pod(KubernetesClient client, String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  public static boolean ready(Pod pod) {
    return pod != null && PodTemplates.isReady(pod);
  }

  public static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }
}
