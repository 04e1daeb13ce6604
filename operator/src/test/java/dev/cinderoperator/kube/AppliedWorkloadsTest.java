package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When the operator may skip building a cluster's workloads: only while every applied object is
 * still what it applied. A controller's status write is not a change; a spec edit (a new
 * generation) or an edited label is.
 */
class AppliedWorkloadsTest {
  private static final String CLUSTER = "ns/c1";
  private static final String UID = "uid-1";
  private static final String FINGERPRINT = "inputs";

  private final AppliedWorkloads applied = new AppliedWorkloads();

  @Test
  void aStatusWriteToAStatefulSetLeavesItsWorkloadsApplied() {
    remember(statefulSet("7", 3L, "web"), service("8"));

    StatefulSet afterStatusWrite = statefulSet("9", 3L, "web");
    afterStatusWrite.setStatus(new StatefulSetStatus());
    afterStatusWrite.getStatus().setReadyReplicas(2);

    assertThat(unchanged(afterStatusWrite, service("8"))).isTrue();
  }

  @Test
  void aSpecEditOrAnEditedLabelOfAStatefulSetIsAChange() {
    remember(statefulSet("7", 3L, "web"), service("8"));

    assertThat(unchanged(statefulSet("9", 4L, "web"), service("8"))).isFalse();
    assertThat(unchanged(statefulSet("9", 3L, "edited"), service("8"))).isFalse();
  }

  @Test
  void anyNewVersionOfAServiceIsAChange() {
    remember(statefulSet("7", 3L, "web"), service("8"));

    assertThat(unchanged(statefulSet("7", 3L, "web"), service("10"))).isFalse();
    assertThat(unchanged(statefulSet("7", 3L, "web"), service("8"))).isTrue();
  }

  private void remember(HasMetadata... objects) {
    Map<String, String> hashes = new HashMap<>();
    Map<String, AppliedWorkloads.Identity> identities = new HashMap<>();
    for (HasMetadata o : objects) {
      hashes.put(AppliedWorkloads.key(o), "h");
      identities.put(AppliedWorkloads.key(o), AppliedWorkloads.identity(o));
    }
    applied.remember(CLUSTER, UID, FINGERPRINT, hashes, identities);
  }

  private boolean unchanged(StatefulSet set, Service service) {
    ObservedObjects observed =
        new ObservedObjects(
            List.of(),
            List.of(set),
            List.of(),
            List.of(service),
            List.of(),
            List.of(),
            name -> Optional.empty());
    return applied.unchanged(CLUSTER, UID, FINGERPRINT, observed);
  }

  private static StatefulSet statefulSet(String resourceVersion, long generation, String tier) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("c1-scheduler")
        .withResourceVersion(resourceVersion)
        .withGeneration(generation)
        .withLabels(Map.of("tier", tier))
        .withAnnotations(Map.of(ObjectApplier.APPLIED_HASH, "h"))
        .endMetadata()
        .build();
  }

  private static Service service(String resourceVersion) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("c1-api")
        .withResourceVersion(resourceVersion)
        .withAnnotations(Map.of(ObjectApplier.APPLIED_HASH, "h"))
        .endMetadata()
        .build();
  }
}
