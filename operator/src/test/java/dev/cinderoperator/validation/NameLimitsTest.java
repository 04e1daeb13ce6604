package dev.cinderoperator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NameLimitsTest {
  final SpecValidator validator = new SpecValidator(ReleaseCatalog.standard());
  final CinderClusterSpec spec = Samples.cluster("cinder", "ns").getSpec();

  @Test
  void aClusterAndBackendTooLongForTheVolumeStatefulSetAreRefusedNamingFieldAndLimit() {
    spec.getVolumes().get(0).setName("ceph-ssd-replicated-three-way-pool-az2");
    spec.setVolumes(List.of(spec.getVolumes().get(0)));
    List<SpecProblem> problems =
        validator.validate("cinder-production-eu-west-1-az2-block01x", spec);
    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("spec.volumes[0].name");
              assertThat(p.reason()).isEqualTo("BackendNameTooLong");
              assertThat(p.message()).contains("86 characters long", "at most 52", "at most 4");
            });
  }

  @Test
  void clusterNamesMustBeShortDns1035Labels() {
    assertThat(validator.validate("cinder.prod", spec))
        .extracting(SpecProblem::reason)
        .containsExactly("InvalidClusterName");
    assertThat(validator.validate("1cinder", spec))
        .extracting(SpecProblem::reason)
        .containsExactly("InvalidClusterName");
    assertThat(validator.validate("c".repeat(43), spec))
        .extracting(SpecProblem::field, SpecProblem::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("metadata.name", "ClusterNameTooLong"));
    assertThat(validator.validate("c".repeat(42), withBackend("b"))).isEmpty();
  }

  @Test
  void podSettingsMayNotTakeTheOperatorsVolumesPathsEnvOrLabels() {
    VolumeBackendSpec b = spec.getVolumes().get(0);
    b.setExtraVolumes(
        List.of(new VolumeBuilder().withName("config").withNewEmptyDir().endEmptyDir().build()));
    b.setExtraVolumeMounts(
        List.of(new VolumeMountBuilder().withName("nothing").withMountPath("/etc/ceph").build()));
    b.setEnv(List.of(new io.fabric8.kubernetes.api.model.EnvVar("POD_NAME", "x", null)));
    b.setPodLabels(Map.of("app.kubernetes.io/component", "x", "bad label", "v"));
    assertThat(validator.validate("cinder", spec))
        .extracting(SpecProblem::field)
        .contains(
            "spec.volumes[0].extraVolumes[0].name",
            "spec.volumes[0].extraVolumeMounts[0].name",
            "spec.volumes[0].env[0].name",
            "spec.volumes[0].podLabels.app.kubernetes.io/component",
            "spec.volumes[0].podLabels.bad label");
  }

  private CinderClusterSpec withBackend(String name) {
    spec.getVolumes().get(0).setName(name);
    spec.setVolumes(List.of(spec.getVolumes().get(0)));
    return spec;
  }
}
