package dev.cinderoperator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.cinder.CinderConf;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredWorkloadsTest {
  CinderClusterSpec spec = Samples.cluster("cinder", "ns").getSpec();

  DesiredWorkloads desired(Map<String, String> files) {
    return new DesiredWorkloads(
        "cinder", "ns", spec, files, ImageSelector.everywhere(spec.getImage()));
  }

  Map<String, String> files() {
    return CinderConf.render("cinder", spec, Samples.DB_URL, Samples.TRANSPORT_URL);
  }

  @Test
  void podsFitCinderNoTtyHostFromPodNameExecAndLongGracePeriod() {
    StatefulSet volume = desired(files()).volume(spec.getVolumes().get(0));
    var pod = volume.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(c.getTty()).isFalse();
    String start = c.getCommand().get(2);
    assertThat(start)
        .contains("host = %s")
        .contains("\"$POD_NAME\"")
        .contains(
            "exec cinder-volume --config-file /etc/cinder-operator/cinder.conf --config-file /etc/cinder-operator/volume-ceph-ssd.conf --config-file /var/lib/cinder/host.conf");
    assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(60L);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getReadinessProbe()).isNotNull();
    assertThat(volume.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(volume.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsKey(Labels.CONFIG_CHECKSUM);
  }

  @Test
  void theConfigSecretHasItsOwnDirectoryAndLeavesTheImagesEtcCinderAlone() {
    var d = desired(files());
    for (var t :
        java.util.List.of(
            d.apiDeployment().getSpec().getTemplate(),
            d.scheduler().getSpec().getTemplate(),
            d.volume(spec.getVolumes().get(0)).getSpec().getTemplate(),
            d.backup().getSpec().getTemplate())) {
      Container c = t.getSpec().getContainers().get(0);
      assertThat(c.getVolumeMounts())
          .extracting(m -> m.getMountPath())
          .contains(CinderConf.CONFIG_DIR)
          .noneMatch(p -> p.equals("/etc/cinder") || p.startsWith("/etc/cinder/"));
      assertThat(c.getCommand().get(2))
          .contains("--config-file " + CinderConf.CONFIG_DIR + "/cinder.conf")
          .doesNotContain("/etc/cinder/");
    }
  }

  @Test
  void gracePeriodFollowsGracefulShutdownTimeout() {
    Map<String, Map<String, String>> config = new LinkedHashMap<>();
    config.put("DEFAULT", Map.of("graceful_shutdown_timeout", "300"));
    spec.setConfig(config);
    assertThat(
            desired(files())
                .scheduler()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTerminationGracePeriodSeconds())
        .isEqualTo(330L);
  }

  @Test
  void aBackendsConfigChangeChangesOnlyItsOwnChecksum() {
    var before = desired(files());
    spec.getVolumes().get(0).setConfig(Map.of("volume_driver", "other.Driver"));
    var after = desired(files());
    assertThat(checksum(after.volume(spec.getVolumes().get(0))))
        .isNotEqualTo(checksum(before.volume(spec.getVolumes().get(0))));
    assertThat(checksum(after.volume(spec.getVolumes().get(1))))
        .isEqualTo(checksum(before.volume(spec.getVolumes().get(1))));
    assertThat(checksum(after.scheduler())).isEqualTo(checksum(before.scheduler()));
  }

  @Test
  void apiNeverDropsBelowItsReadyReplicas() {
    var d = desired(files()).apiDeployment();
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    assertThat(
            d.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getReadinessProbe()
                .getHttpGet()
                .getPort()
                .getIntVal())
        .isEqualTo(8776);
  }

  @Test
  void namesAndLabelsFollowTheContract() {
    var all = desired(files()).all();
    assertThat(all)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .contains(
            "Secret/cinder-config",
            "StatefulSet/cinder-scheduler",
            "StatefulSet/cinder-volume-ceph-ssd",
            "StatefulSet/cinder-volume-ceph-hdd",
            "StatefulSet/cinder-backup",
            "Deployment/cinder-api",
            "Service/cinder-api");
    assertThat(all)
        .allSatisfy(
            o ->
                assertThat(o.getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/name", "cinder")
                    .containsEntry("app.kubernetes.io/instance", "cinder")
                    .containsEntry("app.kubernetes.io/managed-by", "cinder-operator")
                    .containsKey("app.kubernetes.io/component"));
  }

  static String checksum(StatefulSet s) {
    return s.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_CHECKSUM);
  }
}
