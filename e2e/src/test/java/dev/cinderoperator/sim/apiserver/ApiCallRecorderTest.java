package dev.cinderoperator.sim.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.sim.apiserver.ApiCallRecorder.ApiCall;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ApiCallRecorderTest {

  private static ApiCall parse(String method, String url) {
    return ApiCallRecorder.parse(method, URI.create("https://api:6443" + url));
  }

  @Test
  void parsesRequestsAsTheAuthorizerSeesThem() {
    assertThat(parse("GET", "/api/v1/namespaces/ns/pods"))
        .extracting(ApiCall::verb, ApiCall::apiGroup, ApiCall::resource, ApiCall::namespace)
        .containsExactly("list", "", "pods", "ns");
    assertThat(parse("GET", "/api/v1/namespaces/ns/pods?watch=true&resourceVersion=5"))
        .extracting(ApiCall::verb)
        .isEqualTo("watch");
    assertThat(parse("GET", "/apis/apps/v1/namespaces/ns/statefulsets/cinder-scheduler"))
        .extracting(ApiCall::verb, ApiCall::apiGroup, ApiCall::resource, ApiCall::name)
        .containsExactly("get", "apps", "statefulsets", "cinder-scheduler");
    assertThat(
            parse(
                "PATCH",
                "/apis/cinder.operator.dev/v1alpha1/namespaces/ns/cinderclusters/c/status"))
        .extracting(ApiCall::verb, ApiCall::rbacResource)
        .containsExactly("patch", "cinderclusters/status");
    assertThat(parse("GET", "/api/v1/namespaces/ns/pods/p/exec?command=kill"))
        .extracting(ApiCall::verb, ApiCall::rbacResource)
        .containsExactly("create", "pods/exec");
    assertThat(parse("DELETE", "/apis/batch/v1/namespaces/ns/jobs"))
        .extracting(ApiCall::verb)
        .isEqualTo("deletecollection");
    assertThat(parse("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"))
        .extracting(ApiCall::verb, ApiCall::namespace, ApiCall::resource)
        .containsExactly("list", null, "customresourcedefinitions");
    assertThat(parse("GET", "/api/v1/namespaces/ns"))
        .extracting(ApiCall::verb, ApiCall::resource, ApiCall::name)
        .containsExactly("get", "namespaces", "ns");
    assertThat(parse("GET", "/version").isResourceRequest()).isFalse();
  }

  @Test
  void recordsEveryCallOfAClientItIsInstalledOn() {
    KubernetesMockServer server = CrudApiServer.started();
    ApiCallRecorder recorder = new ApiCallRecorder();
    try (KubernetesClient client =
        recorder.recordingClient(server.createClient().getConfiguration())) {
      client
          .configMaps()
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("a")
                  .withNamespace("ns")
                  .endMetadata()
                  .build())
          .create();
      client.configMaps().inNamespace("ns").withName("a").get();
      client.configMaps().inNamespace("ns").list();
    } finally {
      server.destroy();
    }

    assertThat(recorder.summary())
        .contains("create configmaps", "get configmaps", "list configmaps");
    assertThat(recorder.calls()).allSatisfy(c -> assertThat(c.namespace()).isEqualTo("ns"));
  }
}
