package dev.cinderoperator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.testing.Samples;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
  SpecValidator validator = new SpecValidator(ReleaseCatalog.standard());
  CinderClusterSpec spec = Samples.cluster("cinder", "ns").getSpec();

  @Test
  void theSampleIsValid() {
    assertThat(validator.validate(spec)).isEmpty();
  }

  @Test
  void reservedOptionsAreRefusedWithTheFieldToUseInstead() {
    Map<String, Map<String, String>> config = new LinkedHashMap<>(spec.getConfig());
    config.put("database", Map.of("connection", "mysql://x"));
    spec.setConfig(config);
    assertThat(validator.validate(spec))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("spec.config.database.connection");
              assertThat(p.reason()).isEqualTo("ReservedConfigOption");
              assertThat(p.message()).contains("spec.database");
            });
  }

  @Test
  void anActiveActiveBackendWithoutACoordinationBackendIsRefused() {
    spec.setConfig(new LinkedHashMap<>());
    assertThat(validator.validate(spec))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("spec.volumes[1].activeActive");
              assertThat(p.reason()).isEqualTo("CoordinationMissing");
              assertThat(p.message())
                  .contains("ceph-hdd")
                  .contains("spec.config.coordination.backend_url")
                  .contains("file locks in each pod's own /var/lib/cinder");
            });
    spec.getVolumes().get(1).setActiveActive(false);
    spec.getVolumes().get(1).setReplicas(1);
    assertThat(validator.validate(spec)).isEmpty();
  }

  @Test
  void multiLineValuesCannotInjectConfig() {
    spec.getVolumes().get(0).setConfig(Map.of("rbd_pool", "volumes\n[database]\nconnection = x"));
    assertThat(validator.validate(spec))
        .extracting(SpecProblem::reason)
        .containsExactly("InvalidConfig");
  }

  @Test
  void backendNamesMustBeDnsLabels() {
    spec.getVolumes().get(0).setName("Ceph_SSD");
    assertThat(validator.validate(spec))
        .extracting(SpecProblem::reason)
        .containsExactly("InvalidBackendName");
  }

  @Test
  void secretMessagesNeverContainTheValue() {
    SecretResolver resolver =
        new SecretResolver(
            name ->
                Optional.of(
                    name.equals("cinder-db")
                        ? Map.of("connection", "postgresql://u:hunter2@db/cinder")
                        : Map.of("transport_url", Samples.TRANSPORT_URL)));
    SecretResolver.Result r = resolver.resolve(spec);
    assertThat(r.isOk()).isFalse();
    assertThat(r.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.reason()).isEqualTo("InvalidDatabaseUrl");
              assertThat(p.message())
                  .contains("cinder-db")
                  .contains("postgresql")
                  .doesNotContain("hunter2");
            });
  }

  @Test
  void resolvedSecretsHideUrlsWhenPrinted() {
    SecretResolver resolver =
        new SecretResolver(
            name ->
                Optional.of(
                    name.equals("cinder-db")
                        ? Map.of("connection", Samples.DB_URL)
                        : Map.of("transport_url", Samples.TRANSPORT_URL)));
    assertThat(resolver.resolve(spec).secrets().toString()).doesNotContain("s3cr3t");
  }
}
