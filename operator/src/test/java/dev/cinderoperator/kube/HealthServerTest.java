package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UpgradeStep;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The operator's own endpoints: liveness, readiness and Prometheus metrics. */
class HealthServerTest {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  HttpResponse<String> get(HealthServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthFollowsTheOperatorAndMetricsCarryOurSeries() throws Exception {
    AtomicBoolean live = new AtomicBoolean(true);
    AtomicBoolean ready = new AtomicBoolean(false);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    metrics.upgradeStep("openstack", "cinder", UpgradeStep.RollingVolume);
    metrics.stalled("openstack", "cinder", "PodNotReady");
    metrics.podReplaced("openstack", "cinder", "volume");
    metrics.databaseCircuit("openstack", "cinder", 1);
    metrics.volumeServiceGap("openstack", "cinder", "ceph-ssd", 4.5);
    try (HealthServer server = new HealthServer(0, live::get, ready::get, registry::scrape)) {
      assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(server, "/readyz").statusCode()).isEqualTo(503);
      ready.set(true);
      live.set(false);
      assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(server, "/healthz").statusCode()).isEqualTo(503);
      String scrape = get(server, "/metrics").body();
      assertThat(scrape)
          .contains("cinder_operator_upgrade_step{cluster=\"cinder\",namespace=\"openstack\"} 4.0")
          .contains(
              "cinder_operator_stalls_total{cluster=\"cinder\",namespace=\"openstack\",reason=\"PodNotReady\"} 1.0")
          .contains("cinder_operator_pods_replaced_total")
          .contains(
              "cinder_operator_database_circuit_state{cluster=\"cinder\",namespace=\"openstack\"} 1.0")
          .contains(
              "cinder_operator_volume_service_gap_seconds{backend=\"ceph-ssd\",cluster=\"cinder\",namespace=\"openstack\"} 4.5");
    }
  }
}
