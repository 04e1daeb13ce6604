package dev.cinderoperator.workload;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.cinder.CinderConf;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import java.util.Map;

/**
 * Jobs that run Cinder's own tools (db sync, version probe, upgrade check, data migrations) on a
 * given image with the cluster's cinder.conf. They are never retried by Kubernetes: the operator
 * reads each exit code and decides.
 */
public final class CinderJobs {
  private CinderJobs() {}

  /**
   * @param command argv run in the container; its exit code and termination message are read
   */
  public static Job job(
      String cluster,
      String namespace,
      CinderClusterSpec spec,
      String name,
      Component component,
      String image,
      List<String> command,
      Map<String, String> configFiles) {
    // The upgrade check reads the whole volume and backup configuration; the others cinder.conf.
    List<String> files =
        component == Component.UPGRADE_CHECK
            ? List.of(CinderConf.COMMON_FILE, CinderConf.UPGRADE_CHECK_FILE)
            : List.of(CinderConf.COMMON_FILE);
    Map<String, String> read = new java.util.LinkedHashMap<>();
    files.forEach(f -> read.put(f, configFiles.getOrDefault(f, "")));
    PodTemplateSpec template =
        CinderPodTemplates.template(
            cluster,
            spec,
            image,
            Labels.of(cluster, component),
            "cinder-manage",
            files,
            Hashes.checksum(read),
            null,
            CinderPodTemplates.requests("100m", "256Mi"),
            null,
            false);
    var container = template.getSpec().getContainers().get(0);
    container.setCommand(command);
    container.setStartupProbe(null);
    container.setReadinessProbe(null);
    container.setLivenessProbe(null);
    container.setTerminationMessagePolicy("FallbackToLogsOnError");
    template.getSpec().setRestartPolicy("Never");
    template.getSpec().setTerminationGracePeriodSeconds(30L);
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(Labels.of(cluster, component))
        .addToAnnotations(Labels.TARGET_IMAGE, image)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(3600L)
        .withTemplate(template)
        .endSpec()
        .build();
  }
}
