package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTemplateTest {

  private static RenderedChart render(String valuesYaml) {
    return RenderedChart.render(ChartDirectory.locate(), valuesYaml, Map.of());
  }

  @Test
  void metricsServiceSelectsTheOperatorPodsOnPortHttp() {
    RenderedChart chart = render("");

    JsonNode service = chart.get("Service", "cinder-operator-metrics");
    JsonNode podLabels =
        chart.get("Deployment", "cinder-operator").at("/spec/template/metadata/labels");
    service
        .at("/spec/selector")
        .properties()
        .forEach(
            e -> assertThat(podLabels.path(e.getKey()).asText()).isEqualTo(e.getValue().asText()));
    assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(8080);
  }

  @Test
  void serviceMonitorIsOffByDefault() {
    assertThat(render("").ofKind("ServiceMonitor")).isEmpty();
  }

  @Test
  void serviceMonitorScrapesMetricsFromTheService() {
    RenderedChart chart =
        render(
            """
            metrics:
              serviceMonitor: {enabled: true, interval: 15s, labels: {release: prometheus}}
            """);

    JsonNode monitor = chart.get("ServiceMonitor", "cinder-operator");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("http");
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(monitor.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");
    JsonNode serviceLabels = chart.get("Service", "cinder-operator-metrics").at("/metadata/labels");
    monitor
        .at("/spec/selector/matchLabels")
        .properties()
        .forEach(
            e ->
                assertThat(serviceLabels.path(e.getKey()).asText())
                    .isEqualTo(e.getValue().asText()));
  }

  @Test
  void serviceMonitorWithoutServiceIsRefused() {
    assertThatThrownBy(
            () -> render("metrics: {service: {enabled: false}, serviceMonitor: {enabled: true}}\n"))
        .hasMessageContaining("metrics.serviceMonitor.enabled needs metrics.service.enabled");
  }
}
