package dev.cinderoperator.sim;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;

/** The CinderCluster CRD the build generates, as the environment installs it. */
final class CinderClusterCrd {
  private CinderClusterCrd() {}

  static CustomResourceDefinition generated() {
    try (InputStream in =
        CinderClusterCrd.class.getResourceAsStream(
            "/META-INF/fabric8/cinderclusters.cinder.operator.dev-v1.yml")) {
      if (in == null) {
        throw new IllegalStateException("the generated CRD is not on the classpath");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
