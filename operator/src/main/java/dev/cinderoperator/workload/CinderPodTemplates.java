package dev.cinderoperator.workload;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.PodSettings;
import dev.cinderoperator.cinder.CinderConf;
import dev.cinderoperator.cinder.CinderProbes;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
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
 * a restricted security context. A component's {@link PodSettings} add volumes, mounts, env,
 * scheduling and metadata, and override security context fields.
 */
public final class CinderPodTemplates {
  /** The uid Cinder images (Kolla, openstack-k8s) run as. */
  public static final long CINDER_UID = SecurityContexts.CINDER_UID;

  public static final int API_PORT = 8776;
  public static final String CONTAINER = "cinder";

  private CinderPodTemplates() {}

  /**
   * @param binary the service, e.g. cinder-volume
   * @param files the config Secret's files this service reads, in order after cinder.conf
   * @param checksum of those files, stamped on the template so a change shows in the pod
   * @param settings the component's pod settings; null for none (jobs)
   * @param spreadOverNodes spread the pods over nodes unless the settings say how to spread
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
      ResourceRequirements defaults,
      PodSettings settings,
      boolean spreadOverNodes) {
    PodSettings own = settings == null ? new PodSettings() : settings;
    Container c =
        container(
            spec,
            image,
            labels,
            binary,
            args(binary, files),
            resources != null ? resources : defaults,
            own);

    // The contract's labels and the operator's annotations win over the user's (also refused).
    Map<String, String> podLabels = new LinkedHashMap<>(orEmpty(own.getPodLabels()));
    podLabels.putAll(labels);
    Map<String, String> annotations = new LinkedHashMap<>(orEmpty(own.getPodAnnotations()));
    annotations.put(Labels.CONFIG_CHECKSUM, checksum);
    List<TopologySpreadConstraint> spread = own.getTopologySpreadConstraints();
    if (spread == null && spreadOverNodes) {
      spread = List.of(spreadOverNodes(labels));
    }
    List<Volume> volumes = new ArrayList<>(volumes(clusterName, files));
    volumes.addAll(orEmpty(own.getExtraVolumes()));
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withContainers(c)
        .withVolumes(volumes)
        .withNodeSelector(own.getNodeSelector())
        .withTolerations(own.getTolerations())
        .withAffinity(own.getAffinity())
        .withTopologySpreadConstraints(spread)
        .withPriorityClassName(own.getPriorityClassName())
        .withImagePullSecrets(spec.getImagePullSecrets())
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(
            binary.equals("cinder-backup")
                ? backupTerminationGracePeriod(spec)
                : terminationGracePeriod(spec))
        .withSecurityContext(SecurityContexts.pod(own.getPodSecurityContext()))
        .endSpec()
        .build();
  }

  /** Cinder's command line: the config Secret's files, and its host file for a service. */
  private static List<String> args(String binary, List<String> files) {
    List<String> args = new ArrayList<>();
    args.add(binary);
    for (String f : files) {
      args.add("--config-file");
      args.add(CinderConf.CONFIG_DIR + "/" + f);
    }
    if (!binary.equals("cinder-api")) {
      args.add("--config-file");
      args.add(CinderConf.HOST_FILE);
    }
    return args;
  }

  private static Container container(
      CinderClusterSpec spec,
      String image,
      Map<String, String> labels,
      String binary,
      List<String> args,
      ResourceRequirements resources,
      PodSettings own) {
    boolean api = binary.equals("cinder-api");
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
            .addAllToEnv(orEmpty(own.getEnv()))
            .withEnvFrom(orEmpty(own.getEnvFrom()))
            .withVolumeMounts(mounts())
            .addAllToVolumeMounts(orEmpty(own.getExtraVolumeMounts()))
            .withResources(resources)
            .withStartupProbe(api ? httpProbe(5, 60) : null)
            .withReadinessProbe(
                api ? httpProbe(5, 3) : heartbeatProbe("ready", binary, labels, args))
            .withLivenessProbe(
                api ? httpProbe(10, 6) : heartbeatProbe("live", binary, labels, args))
            .withSecurityContext(SecurityContexts.container(own.getSecurityContext()));
    if (spec.getImagePullPolicy() != null) {
      container.withImagePullPolicy(spec.getImagePullPolicy().name());
    }
    if (api) {
      container.addNewPort().withName("api").withContainerPort(API_PORT).endPort();
    }
    return container.build();
  }

  /**
   * One pod per node where the nodes allow it: a node's loss takes at most one pod, and a
   * single-node cluster still schedules them all.
   */
  private static TopologySpreadConstraint spreadOverNodes(Map<String, String> labels) {
    Map<String, String> selector = new LinkedHashMap<>();
    for (String key : List.of(Labels.NAME, Labels.INSTANCE, Labels.COMPONENT, Labels.BACKEND)) {
      if (labels.containsKey(key)) {
        selector.put(key, labels.get(key));
      }
    }
    return new TopologySpreadConstraintBuilder()
        .withMaxSkew(1)
        .withTopologyKey("kubernetes.io/hostname")
        .withWhenUnsatisfiable("ScheduleAnyway")
        .withNewLabelSelector()
        .withMatchLabels(selector)
        .endLabelSelector()
        .build();
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static Map<String, String> orEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
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

  /**
   * cinder-api answers {@code GET /} (its version document) without the database. Startup: up to 5
   * min to answer first (measured: 20 s to several minutes on a loaded 2-core node), so liveness
   * never judges a start. Then unready after 3 misses 5 s apart, restarted after 6 misses 10 s
   * apart (60 s without an answer is a hang, not load). 5 s per request: eventlet answers from one
   * thread.
   */
  private static Probe httpProbe(int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath("/")
        .withNewPort(API_PORT)
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  /**
   * The service's own heartbeat in the services table ({@link CinderProbes}), read with the same
   * config files the service reads. One run costs 0.2 to 0.3 s of CPU (PyMySQL; 0.4 to 0.9 s
   * through SQLAlchemy) and took up to 7.6 s of wall time on a 2-core node at load 22
   * (docs/cinder-pods.md), so: a 20 s timeout; readiness every 20 s, unready after three misses (a
   * heartbeat is due every report_interval, 10 s); liveness every 60 s, and the program itself
   * fails it only after {@code 3 x service_down_time} without a heartbeat, so three timeouts in a
   * row (3 min of a node too loaded to start Python) are needed before load alone restarts a pod.
   */
  private static Probe heartbeatProbe(
      String mode, String binary, Map<String, String> labels, List<String> serviceArgs) {
    List<String> files = new ArrayList<>();
    for (int i = 0; i < serviceArgs.size() - 1; i++) {
      if (serviceArgs.get(i).equals("--config-file")) {
        files.add(serviceArgs.get(i + 1));
      }
    }
    boolean ready = mode.equals("ready");
    return new ProbeBuilder()
        .withNewExec()
        .withCommand(CinderProbes.command(mode, binary, labels.get(Labels.BACKEND), files))
        .endExec()
        .withPeriodSeconds(ready ? 20 : 60)
        .withTimeoutSeconds(20)
        .withFailureThreshold(3)
        .build();
  }

  public static ResourceRequirements requests(String cpu, String memory) {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(cpu))
        .addToRequests("memory", new Quantity(memory))
        .build();
  }
}
