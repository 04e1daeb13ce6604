package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/examples/ceph-rbd.yaml as a user applies it: the ConfigMap, the keyring Secret and the
 * CinderCluster. ceph.conf and the keyrings reach /etc/ceph of the volume and backup pods, and only
 * those; the API and scheduler pods spread over nodes by default.
 */
class CephExampleE2ETest extends ScenarioTest {
  static final Path EXAMPLE = Path.of("..", "docs", "examples", "ceph-rbd.yaml");

  @Test
  void theCephExampleDeploysWithCephConfAndKeyringsMountedWhereTheyAreUsed() throws Exception {
    List<HasMetadata> objects;
    try (InputStream in = Files.newInputStream(EXAMPLE)) {
      objects = s.env.client().load(in).items();
    }
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactly("ConfigMap", "Secret", "CinderCluster");
    CinderCluster cc =
        s.env
            .client()
            .getKubernetesSerialization()
            .convertValue(objects.get(2), CinderCluster.class);
    s.env.client().resource(objects.get(0)).inNamespace(NS).create();
    s.env.client().resource(objects.get(1)).inNamespace(NS).create();
    s.env.client().resource(cc).inNamespace(NS).create();
    s.awaitReleased(cc.getSpec().getRelease(), Duration.ofSeconds(60));

    for (String component : List.of("volume", "backup")) {
      List<Pod> pods = s.pods(component);
      assertThat(pods).as(component).isNotEmpty();
      for (Pod pod : pods) {
        VolumeMount mount = mount(pod, "/etc/ceph");
        assertThat(mount.getReadOnly()).isTrue();
        Volume ceph = volume(pod, mount.getName());
        var sources = ceph.getProjected().getSources();
        assertThat(sources.get(0).getConfigMap().getName()).isEqualTo("ceph-conf");
        assertThat(sources.get(1).getSecret().getName()).isEqualTo("ceph-client-keyrings");
        assertThat(sources.get(1).getSecret().getItems())
            .singleElement()
            .satisfies(
                k ->
                    assertThat(k.getKey())
                        .isEqualTo(
                            component.equals("volume")
                                ? "ceph.client.cinder.keyring"
                                : "ceph.client.cinder-backup.keyring"));
        // the operator's own mounts are all still there
        assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts())
            .extracting(VolumeMount::getName)
            .contains("config", "state", "tmp", mount.getName());
      }
    }
    for (String component : List.of("api", "scheduler")) {
      for (Pod pod : s.pods(component)) {
        assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts())
            .extracting(VolumeMount::getMountPath)
            .doesNotContain("/etc/ceph");
        assertThat(pod.getSpec().getTopologySpreadConstraints())
            .singleElement()
            .satisfies(
                t -> {
                  assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                  assertThat(t.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
                  assertThat(t.getLabelSelector().getMatchLabels())
                      .containsEntry("app.kubernetes.io/component", component);
                });
      }
    }
  }

  private static VolumeMount mount(Pod pod, String path) {
    return pod.getSpec().getContainers().get(0).getVolumeMounts().stream()
        .filter(m -> path.equals(m.getMountPath()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(pod.getMetadata().getName() + " mounts no " + path));
  }

  private static Volume volume(Pod pod, String name) {
    return pod.getSpec().getVolumes().stream()
        .filter(v -> name.equals(v.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(pod.getMetadata().getName() + " has no " + name));
  }
}
