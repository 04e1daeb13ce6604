package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import org.junit.jupiter.api.Test;

/** Which API failures pass by themselves, and how the status names them. */
class TransientApiFailureTest {

  static KubernetesClientException answered(int code, String reason, String method, String path) {
    return new KubernetesClientException(
        "Failure executing: "
            + method
            + " at: https://10.0.0.1:6443"
            + path
            + ". Message: the server is currently unable to handle the request.",
        code,
        new StatusBuilder().withCode(code).withReason(reason).build());
  }

  @Test
  void aServerErrorOrThrottlingNamesTheRequestWithoutTheServersAddress() {
    var f =
        TransientApiFailure.of(
                new RuntimeException(
                    answered(503, "ServiceUnavailable", "DELETE", "/api/v1/namespaces/ns/pods/p")))
            .orElseThrow();
    assertThat(f.describe())
        .isEqualTo(
            "the Kubernetes API answered 503 ServiceUnavailable to DELETE"
                + " /api/v1/namespaces/ns/pods/p");
    assertThat(f.conflict()).isFalse();
    assertThat(TransientApiFailure.of(answered(429, "TooManyRequests", "PUT", "/x")))
        .hasValueSatisfying(t -> assertThat(t.reason()).isEqualTo("TooManyRequests"));
    assertThat(TransientApiFailure.of(answered(500, "InternalError", "POST", "/x"))).isPresent();
  }

  @Test
  void aTimeoutNamesTheOperationFabric8Wrapped() {
    var e =
        new KubernetesClientException(
            "Operation: [update]  for kind: [CinderCluster]  with name: [cinder]  in namespace:"
                + " [openstack]  failed.",
            new HttpTimeoutException("request timed out"));
    assertThat(TransientApiFailure.of(e).orElseThrow().describe())
        .isEqualTo(
            "the Kubernetes API did not answer update CinderCluster openstack/cinder in time");
  }

  @Test
  void aFailedConnectionAndAStaleCacheAreTransientToo() {
    assertThat(
            TransientApiFailure.of(
                new KubernetesClientException("boom", new IOException("Connection refused"))))
        .hasValueSatisfying(t -> assertThat(t.reason()).isEqualTo("ConnectionFailed"));
    assertThat(
            TransientApiFailure.of(
                new OperatorException("Timeout of resource polling from cache for resource")))
        .hasValueSatisfying(t -> assertThat(t.reason()).isEqualTo("CacheBehind"));
  }

  @Test
  void aConflictIsRetriedButAnAnswerIsNot() {
    assertThat(TransientApiFailure.of(answered(409, "Conflict", "PUT", "/x")))
        .hasValueSatisfying(t -> assertThat(t.conflict()).isTrue());
    for (int code : new int[] {400, 403, 404, 422}) {
      assertThat(TransientApiFailure.of(answered(code, "Whatever", "PUT", "/x"))).isEmpty();
    }
    assertThat(TransientApiFailure.of(new IllegalStateException("a bug"))).isEmpty();
  }
}
