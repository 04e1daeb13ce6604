package dev.cinderoperator.testing;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays the StatefulSet controller, job controller and kubelet by hand in mock-server tests, where
 * nothing else would ever start a pod.
 */
public final class FakeKubelet {
  private final KubernetesClient client;
  private final String namespace;

  public FakeKubelet(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Creates every missing pod of the StatefulSet from its current template, Ready. */
  public void runStatefulSet(String name) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    for (int i = 0; i < sts.getSpec().getReplicas(); i++) {
      String podName = name + "-" + i;
      if (client.pods().inNamespace(namespace).withName(podName).get() == null) {
        startPod(
            podName,
            sts.getSpec().getTemplate().getMetadata().getLabels(),
            sts.getSpec().getTemplate().getMetadata().getAnnotations(),
            sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
            sts.getKind(),
            name,
            sts.getMetadata().getUid());
      }
    }
  }

  /** Creates the Deployment's pods (replicas, current template), Ready. */
  public void runDeployment(String name) {
    var d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    for (int i = 0; i < d.getSpec().getReplicas(); i++) {
      String podName = name + "-fake-" + i;
      if (client.pods().inNamespace(namespace).withName(podName).get() == null) {
        startPod(
            podName,
            d.getSpec().getTemplate().getMetadata().getLabels(),
            d.getSpec().getTemplate().getMetadata().getAnnotations(),
            d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
            "ReplicaSet",
            name,
            "rs-" + name);
      }
    }
  }

  public Pod startPod(
      String podName,
      Map<String, String> labels,
      Map<String, String> annotations,
      String image,
      String ownerKind,
      String ownerName,
      String ownerUid) {
    String now = Instant.now().toString();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(podName)
            .withNamespace(namespace)
            .withLabels(new HashMap<>(labels))
            .withAnnotations(annotations == null ? Map.of() : new HashMap<>(annotations))
            .withCreationTimestamp(now)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind(ownerKind)
                    .withName(ownerName)
                    .withUid(ownerUid)
                    .withController(true)
                    .build())
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("cinder")
            .withImage(image)
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("cinder")
                    .withImage(image)
                    .withReady(true)
                    .withRestartCount(0)
                    .withNewState()
                    .withNewRunning()
                    .withStartedAt(now)
                    .endRunning()
                    .endState()
                    .build())
            .endStatus()
            .build();
    return client.pods().inNamespace(namespace).resource(pod).create();
  }

  /** Marks a job succeeded (or failed with an exit code and message on its pod). */
  public void finishJob(String name, boolean succeeded, int exitCode, String message) {
    Job job = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    Map<String, String> labels =
        new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("job-name", name);
    String now = Instant.now().toString();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name + "-pod")
            .withNamespace(namespace)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("cinder")
            .withImage(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase(succeeded ? "Succeeded" : "Failed")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("cinder")
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(exitCode)
                    .withMessage(message)
                    .withFinishedAt(now)
                    .endTerminated()
                    .endState()
                    .build())
            .endStatus()
            .build();
    client.pods().inNamespace(namespace).resource(pod).create();
    job.setStatus(
        new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
            .withStartTime(now)
            .withCompletionTime(succeeded ? now : null)
            .withSucceeded(succeeded ? 1 : 0)
            .withFailed(succeeded ? 0 : 1)
            .withConditions(
                new JobConditionBuilder()
                    .withType(succeeded ? "Complete" : "Failed")
                    .withStatus("True")
                    .build())
            .build());
    client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
  }

  /**
   * Plays a first install through: waits for the db-sync job and finishes it, waits for the {@code
   * statefulSets} StatefulSets, then starts every pod of them and of the API Deployment.
   */
  public void completeFirstInstall(String cluster, int statefulSets) {
    var job =
        org.awaitility.Awaitility.await()
            .until(
                () -> client.batch().v1().jobs().inNamespace(namespace).list().getItems(),
                jobs -> !jobs.isEmpty())
            .get(0);
    finishJob(job.getMetadata().getName(), true, 0, "");
    org.awaitility.Awaitility.await()
        .until(
            () -> client.apps().statefulSets().inNamespace(namespace).list().getItems(),
            sets -> sets.size() == statefulSets);
    client
        .apps()
        .statefulSets()
        .inNamespace(namespace)
        .list()
        .getItems()
        .forEach(s -> runStatefulSet(s.getMetadata().getName()));
    org.awaitility.Awaitility.await()
        .until(
            () ->
                client.apps().deployments().inNamespace(namespace).withName(cluster + "-api").get(),
            d -> d != null);
    runDeployment(cluster + "-api");
  }

  /** Pod names with uids, sorted: equal lists mean no pod was deleted or added. */
  public List<String> podIdentities() {
    return client.pods().inNamespace(namespace).list().getItems().stream()
        .map(p -> p.getMetadata().getName() + "/" + p.getMetadata().getUid())
        .sorted()
        .toList();
  }

  public List<Pod> pods() {
    return client.pods().inNamespace(namespace).list().getItems();
  }
}
