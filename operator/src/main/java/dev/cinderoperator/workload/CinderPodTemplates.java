package dev.cinderoperator.workload;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.cinder.CinderConf;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod template every Cinder service shares: the config Secret mounted read-only, the host
 * written from the pod name at start, {@code exec} so Cinder is PID 1 and gets SIGHUP, no TTY (on a
 * TTY SIGHUP would end the process), a grace period longer than Cinder's own shutdown timeout, and
 * a restricted security context.
 */
public final class CinderPodTemplates {
  /** The uid Cinder images (Kolla, openstack-k8s) run as. */
  public static final long CINDER_UID = 42407L;

  public static final int API_PORT = 8776;
  public static final String CONTAINER = "cinder";

  private CinderPodTemplates() {}

  /**
   * @param binary the service, e.g. cinder-volume
   * @param files the config Secret's files this service reads, in order after cinder.conf
   * @param checksum of those files, stamped on the template so a change shows in the pod
   */
  public static PodTemplateSpec template(
      String clusterName,
      CinderClusterSpec spec,
      String image,
      Map<String, String> labels,
      String binary,
      List<String> files,
      String checksum,
      ResourceRequirements resources,
      ResourceRequirements defaults) {
    List<String> args = new ArrayList<>();
    args.add(binary);
    for (String f : files) {
      args.add("--config-file");
      args.add(CinderConf.CONFIG_DIR + "/" + f);
    }
    boolean api = binary.equals("cinder-api");
    if (!api) {
      args.add("--config-file");
      args.add(CinderConf.HOST_FILE);
    }
    String start =
        "set -e; mkdir -p /var/lib/cinder/tmp; "
            + (api
                ? ""
                : "printf '[DEFAULT]\\nhost = %s\\n' \"$POD_NAME\" > "
                    + CinderConf.HOST_FILE
                    + "; ")
            + "exec "
            + String.join(" ", args);

    ContainerBuilder container =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(image)
            .withCommand("/bin/sh", "-c", start)
            .withTty(false)
            .withStdin(false)
            .withEnv(
                new EnvVarBuilder()
                    .withName("POD_NAME")
                    .withNewValueFrom()
                    .withNewFieldRef()
                    .withFieldPath("metadata.name")
                    .endFieldRef()
                    .endValueFrom()
                    .build())
            .withVolumeMounts(mounts())
            .withResources(resources != null ? resources : defaults)
            .withReadinessProbe(api ? httpProbe() : processProbe())
            .withSecurityContext(
                new SecurityContextBuilder()
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withCapabilities(new Capabilities(null, List.of("ALL")))
                    .build());
    if (spec.getImagePullPolicy() != null) {
      container.withImagePullPolicy(spec.getImagePullPolicy().name());
    }
    if (api) {
      container.addNewPort().withName("api").withContainerPort(API_PORT).endPort();
    }
    Container c = container.build();

    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.CONFIG_CHECKSUM, checksum);
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withContainers(c)
        .withVolumes(volumes(clusterName, files))
        .withImagePullSecrets(spec.getImagePullSecrets())
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(
            binary.equals("cinder-backup")
                ? backupTerminationGracePeriod(spec)
                : terminationGracePeriod(spec))
        .withSecurityContext(
            new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(CINDER_UID)
                .withRunAsGroup(CINDER_UID)
                .withFsGroup(CINDER_UID)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build())
        .endSpec()
        .build();
  }

  /** Cinder waits graceful_shutdown_timeout for in-flight work; Kubernetes must wait longer. */
  public static long terminationGracePeriod(CinderClusterSpec spec) {
    return graceAbove(CinderConf.gracefulShutdownTimeoutSeconds(spec));
  }

  /** cinder-backup's own graceful_shutdown_timeout (backupDrainTimeout unless set), plus margin. */
  public static long backupTerminationGracePeriod(CinderClusterSpec spec) {
    return graceAbove(CinderConf.backupGracefulShutdownTimeoutSeconds(spec));
  }

  // 0 is oslo.service's "wait for ever": give it an hour before the kill.
  private static long graceAbove(int graceful) {
    return graceful <= 0 ? 3600L : graceful + 30L;
  }

  private static List<VolumeMount> mounts() {
    return List.of(
        new VolumeMountBuilder()
            .withName("config")
            .withMountPath(CinderConf.CONFIG_DIR)
            .withReadOnly(true)
            .build(),
        new VolumeMountBuilder().withName("state").withMountPath("/var/lib/cinder").build(),
        new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
  }

  private static List<Volume> volumes(String clusterName, List<String> files) {
    List<KeyToPath> items =
        files.stream().map(f -> new KeyToPathBuilder().withKey(f).withPath(f).build()).toList();
    return List.of(
        new VolumeBuilder()
            .withName("config")
            .withNewSecret()
            .withSecretName(Names.configSecret(clusterName))
            .withItems(items)
            .withDefaultMode(0440)
            .endSecret()
            .build(),
        new VolumeBuilder().withName("state").withNewEmptyDir().endEmptyDir().build(),
        new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
  }

  private static Probe httpProbe() {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath("/")
        .withNewPort(API_PORT)
        .endHttpGet()
        .withPeriodSeconds(5)
        .withTimeoutSeconds(3)
        .withFailureThreshold(3)
        .build();
  }

  /** The process is alive; whether it serves is read from the services table. */
  private static Probe processProbe() {
    return new ProbeBuilder()
        .withNewExec()
        .withCommand("/bin/sh", "-c", "kill -0 1")
        .endExec()
        .withPeriodSeconds(10)
        .withTimeoutSeconds(3)
        .build();
  }

  public static ResourceRequirements requests(String cpu, String memory) {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(cpu))
        .addToRequests("memory", new Quantity(memory))
        .build();
  }
}
