package dev.cinderoperator.sim.apiserver;

import static dev.cinderoperator.sim.Workloads.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinderoperator.sim.MockApiServer;
import dev.cinderoperator.sim.Workloads;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each rule of the simulated API server, shown by the refusal a real API server gives: the status
 * code and the message, taken from Kubernetes' validation code (apimachinery's {@code
 * validation/content}, {@code apps/validation}, {@code batch/validation}, the strict JSON decoder).
 */
@ExtendWith(MockApiServer.class)
class StrictApiServerTest {
  private static final Map<String, String> LABELS = Map.of("app", "db");
  private static final String SUBDOMAIN_RULE =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
          + " '.', and must start and end with an alphanumeric character (e.g. 'example.com',"
          + " regex used for validation is"
          + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

  KubernetesClient client;
  KubernetesMockServer server;

  private static AbstractThrowableAssert<?, ? extends Throwable> refused(
      Runnable request, int code) {
    return assertThatThrownBy(request::run)
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(code));
  }

  private static String message(Runnable request) {
    try {
      request.run();
    } catch (KubernetesClientException e) {
      return e.getStatus().getMessage();
    }
    throw new AssertionError("the request was accepted");
  }

  private static Pod pod(String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage("example/db:1")
        .endContainer()
        .endSpec()
        .build();
  }

  // ---- optimistic concurrency

  private static final String MODIFIED =
      "\": the object has been modified; please apply your changes to the latest version and try"
          + " again";

  @Test
  void aStatusUpdateMadeFromAnOlderVersionIsAConflictAndTheNewerStatusStays() {
    Pod read = client.resource(pod("db-0", LABELS)).create();
    client.resource(withPhase(read, "Running")).updateStatus();

    assertThat(message(() -> client.resource(withPhase(read, "Failed")).updateStatus()))
        .isEqualTo("Operation cannot be fulfilled on pods \"db-0" + MODIFIED);
    refused(() -> client.resource(withPhase(read, "Failed")).updateStatus(), 409);
    assertThat(client.pods().inNamespace(NS).withName("db-0").get().getStatus().getPhase())
        .isEqualTo("Running");
  }

  @Test
  void anUpdateMadeFromAnOlderVersionIsAConflict() {
    ConfigMap read =
        client
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("settings")
                    .withNamespace(NS)
                    .endMetadata()
                    .addToData("debug", "false")
                    .build())
            .create();
    client.resource(new ConfigMapBuilder(read).addToData("debug", "true").build()).update();

    assertThat(
            message(
                () ->
                    client
                        .resource(new ConfigMapBuilder(read).addToData("verbose", "true").build())
                        .update()))
        .isEqualTo("Operation cannot be fulfilled on configmaps \"settings" + MODIFIED);
    assertThat(client.configMaps().inNamespace(NS).withName("settings").get().getData())
        .containsExactly(Map.entry("debug", "true"));
  }

  private static Pod withPhase(Pod pod, String phase) {
    return new PodBuilder(pod).withNewStatus().withPhase(phase).endStatus().build();
  }

  // ---- names

  @Test
  void aNameThatIsNotADns1123SubdomainIsInvalid() {
    assertThat(message(() -> client.resource(pod("Bad_Name", LABELS)).create()))
        .isEqualTo(
            "Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": "
                + SUBDOMAIN_RULE);
    refused(() -> client.resource(pod("Bad_Name", LABELS)).create(), 422);
    assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void aServiceNameMustBeADns1035Label() {
    var service =
        new ServiceBuilder()
            .withNewMetadata()
            .withName("1-api")
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withSelector(LABELS)
            .addNewPort()
            .withPort(8776)
            .endPort()
            .endSpec()
            .build();

    assertThat(message(() -> client.resource(service).create()))
        .isEqualTo(
            "Service \"1-api\" is invalid: metadata.name: Invalid value: \"1-api\": a DNS-1035"
                + " label must consist of lower case alphanumeric characters or '-', start with"
                + " an alphabetic character, and end with an alphanumeric character (e.g."
                + " 'my-name',  or 'abc-123', regex used for validation is"
                + " '[a-z]([-a-z0-9]*[a-z0-9])?')");
  }

  @Test
  void aStatefulSetNameLongerThan63IsInvalid() {
    String name = "s".repeat(64);

    assertThat(
            message(
                () ->
                    client
                        .resource(
                            Workloads.statefulSet(name, 1, "example/db:1", LABELS, "OnDelete"))
                        .create()))
        .isEqualTo(
            "StatefulSet.apps \""
                + name
                + "\" is invalid: metadata.name: Invalid value: \""
                + name
                + "\": must be no more than 63 characters");
  }

  // ---- labels

  @Test
  void aLabelValueLongerThan63IsInvalid() {
    String value = "v".repeat(64);

    assertThat(message(() -> client.resource(pod("db", Map.of("app", value))).create()))
        .isEqualTo(
            "Pod \"db\" is invalid: metadata.labels: Invalid value: \""
                + value
                + "\": must be no more than 63 characters");
  }

  @Test
  void aLabelValueWithASlashIsInvalid() {
    assertThat(message(() -> client.resource(pod("db", Map.of("app", "a/b"))).create()))
        .isEqualTo(
            "Pod \"db\" is invalid: metadata.labels: Invalid value: \"a/b\": a valid label must"
                + " be an empty string or consist of alphanumeric characters, '-', '_' or '.', and"
                + " must start and end with an alphanumeric character (e.g. 'MyValue',  or"
                + " 'my_value',  or '12345', regex used for validation is"
                + " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }

  @Test
  void aPodTemplateLabelIsCheckedLikeAnObjectsLabel() {
    StatefulSet sts =
        Workloads.statefulSet("db", 1, "example/db:1", Map.of("app", "-db"), "OnDelete");

    assertThat(message(() -> client.resource(sts).create()))
        .startsWith(
            "StatefulSet.apps \"db\" is invalid: [metadata.labels: Invalid value: \"-db\": a"
                + " valid label must be an empty string")
        .contains("spec.selector.matchLabels: Invalid value: \"-db\": a valid label")
        .contains("spec.template.labels: Invalid value: \"-db\": a valid label");
  }

  // ---- immutable fields

  private StatefulSet createdStatefulSet() {
    return client
        .resource(Workloads.statefulSet("db", 1, "example/db:1", LABELS, "OnDelete"))
        .create();
  }

  private void assertStatefulSetSpecChangeForbidden(Consumer<StatefulSet> change) {
    StatefulSet sts = createdStatefulSet();
    change.accept(sts);
    assertThat(message(() -> client.resource(sts).update()))
        .isEqualTo(
            "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for"
                + " fields other than 'replicas', 'ordinals', 'template', 'updateStrategy',"
                + " 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
    client.resource(sts).withGracePeriod(0).delete();
    ((CrudApiServer) server).awaitGarbageCollection();
  }

  @Test
  void aStatefulSetsSelectorServiceNameClaimsAndPodManagementAreImmutable() {
    assertStatefulSetSpecChangeForbidden(
        s -> {
          s.getSpec().getSelector().setMatchLabels(Map.of("app", "db", "tier", "x"));
          s.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "db", "tier", "x"));
        });
    assertStatefulSetSpecChangeForbidden(s -> s.getSpec().setServiceName("other"));
    assertStatefulSetSpecChangeForbidden(s -> s.getSpec().setPodManagementPolicy("OrderedReady"));
    assertStatefulSetSpecChangeForbidden(
        s ->
            s.getSpec()
                .setVolumeClaimTemplates(
                    List.of(
                        new PersistentVolumeClaimBuilder()
                            .withNewMetadata()
                            .withName("data")
                            .endMetadata()
                            .build())));
  }

  @Test
  void aStatefulSetsReplicasAndTemplateMayChange() {
    StatefulSet sts = createdStatefulSet();
    sts.getSpec().setReplicas(3);
    sts.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("example/db:2");

    StatefulSet updated = client.resource(sts).update();

    assertThat(updated.getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void aDeploymentsSelectorIsImmutable() {
    var d = client.resource(Workloads.deployment("api", 1, "example/api:1", LABELS)).create();
    d.getSpec().getSelector().setMatchLabels(Map.of("app", "db", "tier", "api"));
    d.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "db", "tier", "api"));

    assertThat(message(() -> client.resource(d).update()))
        .isEqualTo(
            "Deployment.apps \"api\" is invalid: spec.selector: Invalid value:"
                + " &LabelSelector{MatchLabels:map[string]string{app: db,tier: api,},"
                + "MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable");
  }

  @Test
  void aJobsTemplateIsImmutable() {
    var job = client.resource(Workloads.job("sync", "example/db:1", LABELS, 0)).create();
    job.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("example/db:2");

    assertThat(message(() -> client.resource(job).update()))
        .isEqualTo(
            "Job.batch \"sync\" is invalid: spec.template: Invalid value:"
                + " core.PodTemplateSpec{...}: field is immutable");
  }

  @Test
  void aJobGetsAGeneratedSelectorSoANameLongerThanALabelValueIsInvalid() {
    var job = client.resource(Workloads.job("sync", "example/db:1", LABELS, 0)).create();
    assertThat(job.getSpec().getSelector().getMatchLabels())
        .containsEntry("batch.kubernetes.io/controller-uid", job.getMetadata().getUid());
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("batch.kubernetes.io/job-name", "sync")
        .containsEntry("job-name", "sync");

    String name = "j".repeat(64);
    assertThat(
            message(() -> client.resource(Workloads.job(name, "example/db:1", LABELS, 0)).create()))
        .isEqualTo(
            "Job.batch \""
                + name
                + "\" is invalid: spec.template.labels: Invalid value: \""
                + name
                + "\": must be no more than 63 characters");
  }

  // ---- schema

  @Test
  void aFieldTheSchemaDoesNotDeclareIsRefusedAsAStrictDecodingError() {
    StatefulSet sts = Workloads.statefulSet("db", 1, "example/db:1", LABELS, "OnDelete");
    sts.getSpec().setAdditionalProperty("replica", 2);
    sts.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setAdditionalProperty("imagePolicy", "Always");

    refused(() -> client.resource(sts).create(), 400);
    assertThat(message(() -> client.resource(sts).create()))
        .isEqualTo(
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: strict decoding"
                + " error: unknown field \"spec.template.spec.containers[0].imagePolicy\","
                + " unknown field \"spec.replica\"");
  }

  @Test
  void aValueOfTheWrongTypeIsRefusedAsTheDecoderRefusesIt() {
    GenericKubernetesResource sts =
        client
            .getKubernetesSerialization()
            .convertValue(
                Workloads.statefulSet("db", 1, "example/db:1", LABELS, "OnDelete"),
                GenericKubernetesResource.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) sts.getAdditionalProperties().get("spec");
    spec.put("replicas", "two");

    assertThat(message(() -> client.resource(sts).create()))
        .isEqualTo(
            "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: json: cannot"
                + " unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type"
                + " int32");
  }

  @Test
  void stringDataIsMergedIntoData() {
    Secret s =
        client
            .resource(
                new SecretBuilder()
                    .withNewMetadata()
                    .withName("db")
                    .withNamespace(NS)
                    .endMetadata()
                    .withStringData(Map.of("connection", "mysql://x"))
                    .build())
            .create();

    assertThat(s.getStringData()).isNullOrEmpty();
    Secret stored = client.secrets().inNamespace(NS).withName("db").get();
    assertThat(stored.getStringData()).isNullOrEmpty();
    assertThat(new String(Base64.getDecoder().decode(stored.getData().get("connection"))))
        .isEqualTo("mysql://x");
  }

  // ---- garbage collection

  private ConfigMap configMap(String name, HasMetadata... owners) {
    List<OwnerReference> refs =
        java.util.Arrays.stream(owners)
            .map(
                o ->
                    new OwnerReferenceBuilder()
                        .withApiVersion(o.getApiVersion())
                        .withKind(o.getKind())
                        .withName(o.getMetadata().getName())
                        .withUid(o.getMetadata().getUid())
                        .build())
            .toList();
    return client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .withOwnerReferences(refs)
                .endMetadata()
                .build())
        .create();
  }

  private boolean exists(String name) {
    return client.configMaps().inNamespace(NS).withName(name).get() != null;
  }

  private void awaitCollected() {
    ((CrudApiServer) server).awaitGarbageCollection();
    ((CrudApiServer) server).awaitGarbageCollection();
    ((CrudApiServer) server).awaitGarbageCollection();
  }

  @Test
  void dependentsAndTheirDependentsAreDeletedAfterTheirOwner() {
    ConfigMap owner = configMap("owner");
    ConfigMap child = configMap("child", owner);
    configMap("grandchild", child);
    configMap("bystander");

    client.resource(owner).delete();
    awaitCollected();

    assertThat(exists("child")).isFalse();
    assertThat(exists("grandchild")).isFalse();
    assertThat(exists("bystander")).isTrue();
  }

  @Test
  void aDependentWithAnotherLiveOwnerOnlyLosesTheDanglingReference() {
    ConfigMap a = configMap("a");
    ConfigMap b = configMap("b");
    configMap("shared", a, b);

    client.resource(a).delete();
    awaitCollected();

    ConfigMap shared = client.configMaps().inNamespace(NS).withName("shared").get();
    assertThat(shared).isNotNull();
    assertThat(shared.getMetadata().getOwnerReferences())
        .extracting(OwnerReference::getName)
        .containsExactly("b");
  }

  @Test
  void orphanPropagationKeepsDependents() {
    ConfigMap owner = configMap("owner");
    configMap("child", owner);

    client
        .resource(owner)
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN)
        .delete();
    awaitCollected();

    ConfigMap child = client.configMaps().inNamespace(NS).withName("child").get();
    assertThat(child).isNotNull();
    assertThat(child.getMetadata().getOwnerReferences()).isNullOrEmpty();
  }
}
