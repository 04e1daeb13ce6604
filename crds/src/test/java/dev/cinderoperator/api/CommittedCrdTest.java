package dev.cinderoperator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed CRD copies are what the model generates; the build fails when they drift. */
class CommittedCrdTest {
  private static final String FIX =
      " is stale: run ./mvnw -pl crds -Pupdate-crds process-classes and commit the result";

  static String read(String property) throws Exception {
    return Files.readString(Path.of(System.getProperty(property)));
  }

  @Test
  void crdsDirectoryHoldsTheGeneratedCrd() throws Exception {
    assertThat(read("crd.committed")).as("crds/" + FIX).isEqualTo(read("crd.generated"));
  }

  @Test
  void chartHoldsTheGeneratedCrd() throws Exception {
    assertThat(read("crd.chart"))
        .as("charts/cinder-operator/crds/" + FIX)
        .isEqualTo(read("crd.generated"));
  }
}
