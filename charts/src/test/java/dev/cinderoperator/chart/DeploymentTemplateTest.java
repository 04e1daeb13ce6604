package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploymentTemplateTest {

  private static JsonNode podSpec(String valuesYaml) {
    return RenderedChart.render(ChartDirectory.locate(), valuesYaml, Map.of())
        .get("Deployment", "cinder-operator")
        .path("spec")
        .path("template")
        .path("spec");
  }

  private static JsonNode container(JsonNode podSpec) {
    assertThat(podSpec.path("containers")).hasSize(1);
    return podSpec.path("containers").get(0);
  }

  private static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    container
        .path("env")
        .forEach(
            e ->
                env.put(
                    e.path("name").asText(),
                    e.has("value")
                        ? e.path("value").asText()
                        : "valueFrom:" + e.path("valueFrom")));
    return env;
  }

  @Test
  void runsTwoReplicasWithLeaderElectionInTheReleaseNamespace() {
    JsonNode deployment = RenderedChart.render(Map.of()).get("Deployment", "cinder-operator");

    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
    Map<String, String> env = env(container(deployment.path("spec").path("template").path("spec")));
    assertThat(env).containsEntry("LEADER_ELECTION_ENABLED", "true");
    assertThat(env.get("LEADER_ELECTION_NAMESPACE"))
        .as("the Lease lives in the namespace the pod runs in")
        .contains("metadata.namespace");
  }

  @Test
  void defaultEnvironmentConfiguresEveryOperatorSetting() {
    JsonNode container = container(podSpec(""));

    assertThat(env(container))
        .containsEntry("WATCH_NAMESPACES", RenderedChart.RELEASE_NAMESPACE)
        .containsEntry("LEADER_ELECTION_LEASE_NAME", "cinder-operator-leader")
        .containsEntry("RECONCILE_THREADS", "5")
        .containsEntry("DB_POLL_INTERVAL", "15s")
        .containsEntry("LOG_FORMAT", "text")
        .containsEntry("LOG_LEVEL", "info")
        .containsEntry("HTTP_PORT", "8080")
        .containsEntry("UNPIN_BY_SIGNAL", "false");
    assertThat(container.path("args").toString()).isEqualTo("[\"run\"]");
    assertThat(container.path("image").asText())
        .as("tag defaults to the chart's appVersion")
        .isEqualTo("cinder-operator:0.1.0");
    assertThat(container.path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
  }

  @Test
  void podAndContainerAreRestricted() {
    JsonNode podSpec = podSpec("");
    JsonNode pod = podSpec.path("securityContext");
    JsonNode sc = container(podSpec).path("securityContext");

    assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("runAsUser").asInt()).isEqualTo(65532);
    assertThat(pod.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    assertThat(sc.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(sc.path("runAsUser").asInt()).isEqualTo(65532);
    assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(sc.path("capabilities").path("drop").toString()).isEqualTo("[\"ALL\"]");
    assertThat(sc.path("capabilities").has("add")).isFalse();
    assertThat(sc.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
  }

  @Test
  void tmpIsAWritableEmptyDir() {
    JsonNode podSpec = podSpec("");

    JsonNode mount = container(podSpec).path("volumeMounts").get(0);
    assertThat(mount.path("mountPath").asText()).isEqualTo("/tmp");
    assertThat(mount.path("readOnly").asBoolean(false)).isFalse();
    JsonNode volume = podSpec.path("volumes").get(0);
    assertThat(volume.path("name").asText()).isEqualTo(mount.path("name").asText());
    assertThat(volume.has("emptyDir")).isTrue();
  }

  @Test
  void probesUseTheOperatorsHealthEndpointsOnPortHttp() {
    JsonNode container = container(podSpec(""));

    assertThat(container.path("ports").get(0).path("name").asText()).isEqualTo("http");
    assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/healthz");
  }

  @Test
  void hasResourceRequestsAndAMemoryLimit() {
    JsonNode resources = container(podSpec("")).path("resources");

    assertThat(resources.at("/requests/cpu").asText()).isEqualTo("100m");
    assertThat(resources.at("/requests/memory").asText()).isEqualTo("256Mi");
    assertThat(resources.at("/limits/memory").asText()).isEqualTo("512Mi");
  }

  @Test
  void watchNamespacesBecomeACommaSeparatedEnv() {
    JsonNode container = container(podSpec("watchNamespaces: [openstack, openstack-dev]\n"));

    assertThat(env(container)).containsEntry("WATCH_NAMESPACES", "openstack,openstack-dev");
  }

  @Test
  void watchingAllNamespacesIsAnEmptyList() {
    JsonNode container = container(podSpec("watchAllNamespaces: true\n"));

    assertThat(env(container)).containsEntry("WATCH_NAMESPACES", "");
  }

  @Test
  void theLeaseNameFollowsTheRelease() {
    JsonNode deployment =
        RenderedChart.render(ChartDirectory.locate(), "fullnameOverride: cinder-ops-b\n", Map.of())
            .get("Deployment", "cinder-ops-b");
    JsonNode container = container(deployment.path("spec").path("template").path("spec"));

    assertThat(env(container)).containsEntry("LEADER_ELECTION_LEASE_NAME", "cinder-ops-b-leader");
  }

  @Test
  void logSettingsReachTheEnvironment() {
    JsonNode container = container(podSpec("logFormat: json\nlogLevel: debug\n"));

    assertThat(env(container))
        .containsEntry("LOG_FORMAT", "json")
        .containsEntry("LOG_LEVEL", "debug");
  }

  @Test
  void tuningAndUnpinSettingsReachTheEnvironment() {
    JsonNode container =
        container(
            podSpec(
                "reconcileThreads: 12\ndbPollInterval: 1m30s\nunpinBySignal: true\n"
                    + "leaderElection: {enabled: false}\nreplicaCount: 1\n"));

    assertThat(env(container))
        .containsEntry("RECONCILE_THREADS", "12")
        .containsEntry("DB_POLL_INTERVAL", "1m30s")
        .containsEntry("UNPIN_BY_SIGNAL", "true")
        .containsEntry("LEADER_ELECTION_ENABLED", "false");
  }

  @Test
  void extraEnvIsAppendedAfterTheChartsOwn() {
    JsonNode container =
        container(
            podSpec(
                """
                extraEnv:
                  - name: JAVA_TOOL_OPTIONS
                    value: -XX:MaxRAMPercentage=60
                  - name: NODE
                    valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
                """));

    Map<String, String> env = env(container);
    assertThat(env).containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=60");
    assertThat(env.get("NODE")).contains("spec.nodeName");
    assertThat(env.keySet()).startsWith("WATCH_NAMESPACES").endsWith("NODE");
  }

  @Test
  void schedulingSettingsArePassedThrough() {
    JsonNode podSpec =
        podSpec(
            """
            nodeSelector: {node-role.kubernetes.io/control-plane: ""}
            tolerations:
              - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
            affinity:
              nodeAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  nodeSelectorTerms:
                    - matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]
            priorityClassName: system-cluster-critical
            """);

    assertThat(podSpec.path("nodeSelector").has("node-role.kubernetes.io/control-plane")).isTrue();
    assertThat(podSpec.at("/tolerations/0/operator").asText()).isEqualTo("Exists");
    assertThat(podSpec.path("affinity").has("nodeAffinity")).isTrue();
    assertThat(podSpec.path("affinity").has("podAntiAffinity"))
        .as("a user's affinity replaces the default spreading")
        .isFalse();
    assertThat(podSpec.path("priorityClassName").asText()).isEqualTo("system-cluster-critical");
  }

  @Test
  void replicasPreferDifferentNodesByDefault() {
    JsonNode podSpec = podSpec("");

    assertThat(podSpec.has("nodeSelector")).isFalse();
    assertThat(podSpec.has("tolerations")).isFalse();
    assertThat(
            podSpec
                .at(
                    "/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/topologyKey")
                .asText())
        .isEqualTo("kubernetes.io/hostname");
  }

  @Test
  void imageAndPullSecretsAreConfigurable() {
    JsonNode podSpec =
        podSpec(
            """
            image: {repository: registry.example.com/cinder-operator, tag: 0.2.0-rc1, pullPolicy: Always}
            imagePullSecrets: [{name: regcred}]
            """);

    assertThat(container(podSpec).path("image").asText())
        .isEqualTo("registry.example.com/cinder-operator:0.2.0-rc1");
    assertThat(container(podSpec).path("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(podSpec.at("/imagePullSecrets/0/name").asText()).isEqualTo("regcred");
  }

  @Test
  void runsAsTheChartsServiceAccount() {
    RenderedChart chart = RenderedChart.render(Map.of());

    JsonNode account = chart.get("ServiceAccount", "cinder-operator");
    assertThat(account.at("/metadata/namespace").asText())
        .isEqualTo(RenderedChart.RELEASE_NAMESPACE);
    assertThat(
            chart
                .get("Deployment", "cinder-operator")
                .at("/spec/template/spec/serviceAccountName")
                .asText())
        .isEqualTo("cinder-operator");
  }
}
