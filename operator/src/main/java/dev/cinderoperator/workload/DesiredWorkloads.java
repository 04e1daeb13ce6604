package dev.cinderoperator.workload;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.PodSettings;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.CinderConf;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Kubernetes object a CinderCluster needs, computed from its spec and rendered config. Pure:
 * no client, no cluster state beyond what is passed in.
 */
public final class DesiredWorkloads {
  private static final ResourceRequirements SCHEDULER_DEFAULT =
      CinderPodTemplates.requests("100m", "256Mi");
  private static final ResourceRequirements SERVICE_DEFAULT =
      CinderPodTemplates.requests("250m", "512Mi");

  private final String cluster;
  private final String namespace;
  private final CinderClusterSpec spec;
  private final Map<String, String> configFiles;
  private final ImageSelector images;
  private final boolean stopped;
  private String apiRestartMarker;

  public DesiredWorkloads(
      String cluster,
      String namespace,
      CinderClusterSpec spec,
      Map<String, String> configFiles,
      ImageSelector images) {
    this(cluster, namespace, spec, configFiles, images, false);
  }

  /**
   * @param stopped every workload at 0 replicas (an offline upgrade's schema migration)
   */
  public DesiredWorkloads(
      String cluster,
      String namespace,
      CinderClusterSpec spec,
      Map<String, String> configFiles,
      ImageSelector images,
      boolean stopped) {
    this.cluster = cluster;
    this.namespace = namespace;
    this.spec = spec;
    this.configFiles = configFiles;
    this.images = images;
    this.stopped = stopped;
  }

  /**
   * Stamps the API pod template with a restart marker: a change rolls the API Deployment with its
   * surge, so cinder-api restarts without dropping below its ready replicas.
   */
  public DesiredWorkloads withApiRestartMarker(String marker) {
    this.apiRestartMarker = marker;
    return this;
  }

  /**
   * Everything {@link #all()} is built from, in one string: equal fingerprints give equal objects,
   * so a caller that applied them once can skip building and hashing them again.
   */
  public String fingerprint() {
    StringBuilder b = new StringBuilder();
    b.append(cluster).append('\0').append(namespace).append('\0').append(stopped).append('\0');
    b.append(apiRestartMarker).append('\0');
    b.append(io.fabric8.kubernetes.client.utils.Serialization.asJson(spec)).append('\0');
    b.append(Hashes.checksum(configFiles)).append('\0');
    b.append(images.imageFor(Component.SCHEDULER, null)).append('\0');
    b.append(images.imageFor(Component.BACKUP, null)).append('\0');
    b.append(images.imageFor(Component.API, null)).append('\0');
    for (VolumeBackendSpec backend : spec.volumesOrEmpty()) {
      b.append(images.imageFor(Component.VOLUME, backend.getName())).append('\0');
    }
    return b.toString();
  }

  /** The config checksum each workload's pods should carry, keyed as the planner asks. */
  public String configChecksum(Component component, String backend) {
    List<String> files = filesOf(component, backend);
    return files == null ? null : checksum(files);
  }

  /** The cinder.conf files a workload's pods read, after the common one; null for others. */
  private static List<String> filesOf(Component component, String backend) {
    return switch (component) {
      case SCHEDULER, API -> List.of(CinderConf.COMMON_FILE);
      case BACKUP -> List.of(CinderConf.COMMON_FILE, CinderConf.BACKUP_FILE);
      case VOLUME ->
          backend == null ? null : List.of(CinderConf.COMMON_FILE, CinderConf.volumeFile(backend));
      default -> null;
    };
  }

  /** Everything, config Secret first. */
  public List<HasMetadata> all() {
    List<HasMetadata> all = new ArrayList<>();
    all.add(configSecret());
    all.addAll(statefulSets());
    all.add(apiDeployment());
    all.add(apiService());
    all.addAll(disruptionBudgets());
    return all;
  }

  public Secret configSecret() {
    return new SecretBuilder()
        .withMetadata(meta(Names.configSecret(cluster), Labels.of(cluster, Component.CONFIG)))
        .withType("Opaque")
        .withStringData(new LinkedHashMap<>(configFiles))
        .build();
  }

  public List<StatefulSet> statefulSets() {
    List<StatefulSet> sets = new ArrayList<>();
    sets.add(scheduler());
    for (VolumeBackendSpec backend : spec.volumesOrEmpty()) {
      sets.add(volume(backend));
    }
    if (spec.backupReplicas() > 0) {
      sets.add(backup());
    }
    return sets;
  }

  public StatefulSet scheduler() {
    ComponentSpec own = spec.getScheduler();
    return serviceSet(
        Names.scheduler(cluster),
        Component.SCHEDULER,
        null,
        spec.schedulerReplicas(),
        template(
            Component.SCHEDULER,
            null,
            own == null ? null : own.getResources(),
            SCHEDULER_DEFAULT,
            own,
            true));
  }

  public StatefulSet volume(VolumeBackendSpec backend) {
    String name = backend.getName();
    return serviceSet(
        Names.volume(cluster, name),
        Component.VOLUME,
        name,
        backend.replicasOrDefault(),
        template(Component.VOLUME, name, backend.getResources(), SERVICE_DEFAULT, backend, false));
  }

  public StatefulSet backup() {
    BackupSpec own = spec.getBackup();
    return serviceSet(
        Names.backup(cluster),
        Component.BACKUP,
        null,
        spec.backupReplicas(),
        template(
            Component.BACKUP,
            null,
            own == null ? null : own.getResources(),
            SERVICE_DEFAULT,
            own,
            false));
  }

  /** The labels of a component's objects; a volume backend's carry its name. */
  private Map<String, String> labels(Component component, String backend) {
    return backend == null ? Labels.of(cluster, component) : Labels.ofVolume(cluster, backend);
  }

  /** The pod template of a Cinder service, with the config files it reads and their checksum. */
  private PodTemplateSpec template(
      Component component,
      String backend,
      ResourceRequirements resources,
      ResourceRequirements defaults,
      PodSettings settings,
      boolean spreadOverNodes) {
    List<String> files = filesOf(component, backend);
    return CinderPodTemplates.template(
        cluster,
        spec,
        images.imageFor(component, backend),
        labels(component, backend),
        "cinder-" + component.label(),
        files,
        checksum(files),
        resources,
        defaults,
        settings,
        spreadOverNodes);
  }

  public Deployment apiDeployment() {
    Deployment deployment = buildApiDeployment();
    if (apiRestartMarker != null) {
      deployment
          .getSpec()
          .getTemplate()
          .getMetadata()
          .getAnnotations()
          .put(Labels.RESTARTED_AT, apiRestartMarker);
    }
    return deployment;
  }

  private Deployment buildApiDeployment() {
    return new DeploymentBuilder()
        .withMetadata(meta(Names.api(cluster), Labels.of(cluster, Component.API)))
        .withNewSpec()
        .withReplicas(stopped ? 0 : spec.apiReplicas())
        .withNewSelector()
        .withMatchLabels(Labels.selector(cluster, Component.API))
        .endSelector()
        // Never below the ready replica count: surge one new pod, remove an old one after.
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString(1))
        .endRollingUpdate()
        .endStrategy()
        .withTemplate(
            template(
                Component.API,
                null,
                spec.getApi() == null ? null : spec.getApi().getResources(),
                SERVICE_DEFAULT,
                spec.getApi(),
                true))
        .endSpec()
        .build();
  }

  public Service apiService() {
    return new ServiceBuilder()
        .withMetadata(meta(Names.api(cluster), Labels.of(cluster, Component.API)))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.selector(cluster, Component.API))
        .addNewPort()
        .withName("api")
        .withPort(CinderPodTemplates.API_PORT)
        .withTargetPort(new IntOrString("api"))
        .endPort()
        .endSpec()
        .build();
  }

  /** One per workload; at most one pod of each may be evicted at a time. */
  public List<PodDisruptionBudget> disruptionBudgets() {
    List<PodDisruptionBudget> pdbs = new ArrayList<>();
    pdbs.add(pdb(Names.api(cluster), Component.API, Labels.selector(cluster, Component.API)));
    pdbs.add(
        pdb(
            Names.scheduler(cluster),
            Component.SCHEDULER,
            Labels.selector(cluster, Component.SCHEDULER)));
    for (VolumeBackendSpec backend : spec.volumesOrEmpty()) {
      PodDisruptionBudget p =
          pdb(
              Names.volume(cluster, backend.getName()),
              Component.VOLUME,
              Labels.volumeSelector(cluster, backend.getName()));
      p.getMetadata().setLabels(Labels.ofVolume(cluster, backend.getName()));
      pdbs.add(p);
    }
    if (spec.backupReplicas() > 0) {
      pdbs.add(
          pdb(Names.backup(cluster), Component.BACKUP, Labels.selector(cluster, Component.BACKUP)));
    }
    return pdbs;
  }

  private PodDisruptionBudget pdb(String name, Component component, Map<String, String> selector) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(Names.podDisruptionBudget(name), Labels.of(cluster, component)))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .endSpec()
        .build();
  }

  /** A StatefulSet of Cinder service pods: scheduler, a volume backend or backup. */
  private StatefulSet serviceSet(
      String name, Component component, String backend, int replicas, PodTemplateSpec template) {
    return new StatefulSetBuilder()
        .withMetadata(meta(name, labels(component, backend)))
        .withNewSpec()
        .withReplicas(stopped ? 0 : replicas)
        .withServiceName(name)
        // Pods start together on first install; the operator alone decides replacements.
        .withPodManagementPolicy("Parallel")
        .withNewUpdateStrategy()
        .withType("OnDelete")
        .endUpdateStrategy()
        .withNewSelector()
        .withMatchLabels(
            backend == null
                ? Labels.selector(cluster, component)
                : Labels.volumeSelector(cluster, backend))
        .endSelector()
        .withTemplate(template)
        .endSpec()
        .build();
  }

  private ObjectMeta meta(String name, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .build();
  }

  private String checksum(List<String> files) {
    Map<String, String> selected = new LinkedHashMap<>();
    for (String f : files) {
      selected.put(f, configFiles.getOrDefault(f, ""));
    }
    return Hashes.checksum(selected);
  }
}
