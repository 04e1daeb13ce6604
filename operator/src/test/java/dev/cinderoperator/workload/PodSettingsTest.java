package dev.cinderoperator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.CinderConf;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodSettingsTest {
  CinderClusterSpec spec = Samples.cluster("cinder", "ns").getSpec();

  DesiredWorkloads desired() {
    return new DesiredWorkloads(
        "cinder",
        "ns",
        spec,
        CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL),
        ImageSelector.everywhere(spec.getImage()));
  }

  @Test
  void aBackendGetsItsVolumesMountsEnvSchedulingAndMetadata() {
    VolumeBackendSpec b = spec.getVolumes().get(0);
    b.setExtraVolumes(
        List.of(
            new VolumeBuilder()
                .withName("ceph")
                .withNewConfigMap()
                .withName("ceph-conf")
                .endConfigMap()
                .build()));
    b.setExtraVolumeMounts(
        List.of(new VolumeMountBuilder().withName("ceph").withMountPath("/etc/ceph").build()));
    b.setEnv(List.of(new EnvVar("CEPH_ARGS", "--id cinder", null)));
    b.setNodeSelector(Map.of("storage", "ceph"));
    b.setTolerations(
        List.of(new TolerationBuilder().withKey("storage").withOperator("Exists").build()));
    b.setPriorityClassName("storage-critical");
    b.setPodLabels(Map.of("team", "storage"));
    b.setPodAnnotations(Map.of("example.com/owner", "storage"));

    PodSpec pod = desired().volume(b).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(pod.getVolumes())
        .extracting(v -> v.getName())
        .containsExactly("config", "state", "tmp", "ceph");
    assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath).contains("/etc/ceph");
    assertThat(c.getEnv()).extracting(EnvVar::getName).containsExactly("POD_NAME", "CEPH_ARGS");
    assertThat(pod.getNodeSelector()).containsEntry("storage", "ceph");
    assertThat(pod.getTolerations()).hasSize(1);
    assertThat(pod.getPriorityClassName()).isEqualTo("storage-critical");
    var meta = desired().volume(b).getSpec().getTemplate().getMetadata();
    assertThat(meta.getLabels())
        .containsEntry("team", "storage")
        .containsEntry(Labels.BACKEND, b.getName());
    assertThat(meta.getAnnotations())
        .containsEntry("example.com/owner", "storage")
        .containsKey(Labels.CONFIG_CHECKSUM);
    // volume pods are not spread by default; the other components' pods know nothing of it
    assertThat(pod.getTopologySpreadConstraints()).isNullOrEmpty();
    assertThat(desired().scheduler().getSpec().getTemplate().getSpec().getVolumes()).hasSize(3);
  }

  @Test
  void apiAndSchedulerPodsSpreadOverNodesUnlessTold() {
    var spread =
        desired().scheduler().getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
    assertThat(spread)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
              assertThat(t.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
              assertThat(t.getLabelSelector().getMatchLabels())
                  .isEqualTo(Labels.selector("cinder", Component.SCHEDULER));
            });
    assertThat(
            desired()
                .apiDeployment()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTopologySpreadConstraints())
        .hasSize(1);
    ComponentSpec api = new ComponentSpec(2);
    api.setTopologySpreadConstraints(List.of());
    spec.setApi(api);
    assertThat(
            desired()
                .apiDeployment()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTopologySpreadConstraints())
        .isEmpty();
  }

  @Test
  void securityContextOverridesReplaceOnlyTheFieldsTheySet() {
    BackupSpec backup = spec.getBackup() == null ? new BackupSpec() : spec.getBackup();
    backup.setReplicas(1);
    backup.setSecurityContext(new SecurityContextBuilder().withPrivileged(true).build());
    backup.setPodSecurityContext(new PodSecurityContextBuilder().withRunAsUser(0L).build());
    spec.setBackup(backup);

    PodSpec pod = desired().backup().getSpec().getTemplate().getSpec();
    var c = pod.getContainers().get(0).getSecurityContext();
    assertThat(c.getPrivileged()).isTrue();
    assertThat(c.getAllowPrivilegeEscalation())
        .as("lifted: Kubernetes refuses it with privileged")
        .isNull();
    assertThat(c.getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getCapabilities().getDrop()).containsExactly("ALL");
    var p = pod.getSecurityContext();
    assertThat(p.getRunAsUser()).isZero();
    assertThat(p.getRunAsNonRoot()).as("lifted: root cannot run as non-root").isNull();
    assertThat(p.getFsGroup()).isEqualTo(SecurityContexts.CINDER_UID);
    assertThat(p.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
  }

  @Test
  void serviceProbesReadTheHeartbeatAndTheApiAnswersHttp() {
    Container volume =
        desired()
            .volume(spec.getVolumes().get(0))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    List<String> ready = volume.getReadinessProbe().getExec().getCommand();
    assertThat(ready.get(0)).isEqualTo("python3");
    assertThat(ready.subList(3, ready.size()))
        .startsWith("ready", "cinder-volume", spec.getVolumes().get(0).getName())
        .contains(CinderConf.CONFIG_DIR + "/cinder.conf", CinderConf.HOST_FILE);
    assertThat(String.join(" ", ready)).doesNotContain(Samples.DB_URL);
    assertThat(volume.getLivenessProbe().getExec().getCommand()).contains("live");
    // a loaded node must not fail them: 20 s per run, liveness after three misses a minute apart
    assertThat(volume.getReadinessProbe().getTimeoutSeconds()).isEqualTo(20);
    assertThat(volume.getLivenessProbe().getTimeoutSeconds()).isEqualTo(20);
    assertThat(volume.getLivenessProbe().getPeriodSeconds()).isEqualTo(60);
    assertThat(volume.getLivenessProbe().getFailureThreshold()).isEqualTo(3);
    assertThat(volume.getStartupProbe()).isNull();
    Container api =
        desired().apiDeployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(api.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/");
    assertThat(api.getLivenessProbe().getHttpGet()).isNotNull();
    // liveness only judges an API that has started: up to 5 min for that
    assertThat(api.getStartupProbe().getHttpGet().getPath()).isEqualTo("/");
    assertThat(
            api.getStartupProbe().getPeriodSeconds() * api.getStartupProbe().getFailureThreshold())
        .isEqualTo(300);
  }

  @Test
  void longJobNamesAreShortenedOnlyWhereTheContractsCannotFit() {
    String forty = "cinder-production-eu-west-1-az2-block01x";
    assertThat(Names.dbSyncJob(forty, "12345678")).isEqualTo(forty + "-db-sync-12345678");
    String migration = Names.dataMigrationJob(forty, "12345678", 3);
    assertThat(migration).hasSizeLessThanOrEqualTo(63).endsWith("-data-migration-12345678-3");
    assertThat(Names.dataMigrationRun(forty, "12345678", migration)).hasValue(3);
    assertThat(Names.dataMigrationJob(forty, "12345678", 3)).isEqualTo(migration);
    assertThat(Names.dataMigrationJob("cinder", "12345678", 3))
        .isEqualTo("cinder-data-migration-12345678-3");
    assertThat(Names.dataMigrationRun("cinder", "12345678", "cinder-data-migration-12345678-12"))
        .hasValue(12);
    assertThat(Names.dataMigrationRun("cinder", "12345678", "other-data-migration-12345678-1"))
        .isEmpty();
    assertThat(Names.versionProbeJob(forty + "ab", "12345678")).hasSizeLessThanOrEqualTo(63);
  }
}
