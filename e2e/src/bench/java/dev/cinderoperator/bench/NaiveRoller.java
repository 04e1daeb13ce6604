package dev.cinderoperator.bench;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.CinderConf;
import dev.cinderoperator.sim.SimulatedEnvironment;
import dev.cinderoperator.workload.CinderJobs;
import dev.cinderoperator.workload.Component;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * What an upgrade without an operator often looks like: {@code cinder-manage db sync} started,
 * every workload's image set to the target and every pod deleted, all at once, no gates. Run it
 * with the operator stopped, on a cluster the operator deployed.
 */
final class NaiveRoller {
  private final KubernetesClient client;

  NaiveRoller(KubernetesClient client) {
    this.client = client;
  }

  void roll(CinderCluster cc, String targetImage) {
    String ns = cc.getMetadata().getNamespace();
    String name = cc.getMetadata().getName();
    Map<String, String> files =
        CinderConf.render(
            name, cc.getSpec(), SimulatedEnvironment.DB_URL, SimulatedEnvironment.TRANSPORT_URL);
    Job dbSync =
        CinderJobs.job(
            name,
            ns,
            cc.getSpec(),
            name + "-naive-db-sync",
            Component.DB_SYNC,
            targetImage,
            CinderCommands.standard().dbSync(),
            files);
    client.resource(dbSync).create();
    for (StatefulSet sts : statefulSets(ns, name)) {
      client
          .apps()
          .statefulSets()
          .inNamespace(ns)
          .withName(sts.getMetadata().getName())
          .edit(
              s -> {
                retag(s.getSpec().getTemplate().getSpec().getContainers(), targetImage);
                return s;
              });
    }
    for (Deployment d :
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withLabel(Labels.INSTANCE, name)
            .list()
            .getItems()) {
      client
          .apps()
          .deployments()
          .inNamespace(ns)
          .withName(d.getMetadata().getName())
          .edit(
              x -> {
                retag(x.getSpec().getTemplate().getSpec().getContainers(), targetImage);
                return x;
              });
    }
    for (Pod pod : servicePods(ns, name)) {
      client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).delete();
    }
  }

  /** Every scheduler, volume, backup and API pod runs the image, Ready, and db sync has run. */
  boolean done(CinderCluster cc, String targetImage, int expectedPods) {
    String ns = cc.getMetadata().getNamespace();
    String name = cc.getMetadata().getName();
    List<Pod> pods = servicePods(ns, name);
    boolean podsDone =
        pods.size() == expectedPods
            && pods.stream()
                .allMatch(
                    p ->
                        p.getMetadata().getDeletionTimestamp() == null
                            && p.getSpec().getContainers().get(0).getImage().equals(targetImage)
                            && p.getStatus() != null
                            && p.getStatus().getConditions().stream()
                                .anyMatch(
                                    c ->
                                        "Ready".equals(c.getType())
                                            && "True".equals(c.getStatus())));
    Job job = client.batch().v1().jobs().inNamespace(ns).withName(name + "-naive-db-sync").get();
    boolean synced =
        job != null
            && job.getStatus() != null
            && job.getStatus().getSucceeded() != null
            && job.getStatus().getSucceeded() > 0;
    return podsDone && synced;
  }

  private List<StatefulSet> statefulSets(String ns, String name) {
    return client
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, name)
        .list()
        .getItems();
  }

  private List<Pod> servicePods(String ns, String name) {
    return client.pods().inNamespace(ns).withLabel(Labels.INSTANCE, name).list().getItems().stream()
        .filter(
            p -> {
              String c = p.getMetadata().getLabels().get(Labels.COMPONENT);
              return Component.SCHEDULER.label().equals(c)
                  || Component.VOLUME.label().equals(c)
                  || Component.BACKUP.label().equals(c)
                  || Component.API.label().equals(c);
            })
        .toList();
  }

  private static void retag(List<Container> containers, String image) {
    containers.forEach(c -> c.setImage(image));
  }
}
