package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** Runs docs/gitops/argocd-health.lua the way Argo CD does: a global {@code obj}, a table back. */
class ArgoCdHealthCheckTest {

  private static String script;

  @BeforeAll
  static void readScript() throws IOException {
    String docs = System.getProperty("docs.dir");
    assertThat(docs).as("docs.dir system property").isNotNull();
    script = Files.readString(Path.of(docs, "gitops", "argocd-health.lua"));
  }

  private static Map<String, String> health(String cinderClusterYaml) throws IOException {
    JsonNode obj = new YAMLMapper().readTree(cinderClusterYaml);
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(obj));
    LuaValue result = globals.load(script, "argocd-health.lua").call();
    return Map.of(
        "status", result.get("status").tojstring(), "message", result.get("message").tojstring());
  }

  private static LuaValue toLua(JsonNode node) {
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      node.properties().forEach(e -> table.set(e.getKey(), toLua(e.getValue())));
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, toLua(node.get(i)));
      }
      return table;
    }
    if (node.isIntegralNumber()) {
      return LuaValue.valueOf(node.asLong());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.asDouble());
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.asBoolean());
    }
    if (node.isNull()) {
      return LuaValue.NIL;
    }
    return LuaValue.valueOf(node.asText());
  }

  @Test
  void readyForTheCurrentGenerationIsHealthy() throws IOException {
    Map<String, String> health =
        health(
            """
            metadata: {name: cinder, generation: 3}
            status:
              observedGeneration: 3
              phase: Ready
              conditions:
                - {type: Ready, status: "True", reason: Ready, message: "2024.1 rolled out"}
                - {type: Reconciling, status: "False", reason: Ready}
                - {type: Stalled, status: "False", reason: Ready}
            """);

    assertThat(health)
        .containsEntry("status", "Healthy")
        .containsEntry("message", "2024.1 rolled out");
  }

  @Test
  void upgradingIsProgressingWithTheReconcilingMessage() throws IOException {
    Map<String, String> health =
        health(
            """
            metadata: {name: cinder, generation: 4}
            status:
              observedGeneration: 4
              phase: Upgrading
              conditions:
                - {type: Ready, status: "False", reason: Upgrading, message: upgrading to 2024.1}
                - type: Reconciling
                  status: "True"
                  reason: RollingVolume
                  message: "cinder-volume-ceph-ssd-0: waiting for rpc 3.19"
                - {type: Stalled, status: "False", reason: Upgrading}
            """);

    assertThat(health)
        .containsEntry("status", "Progressing")
        .containsEntry("message", "cinder-volume-ceph-ssd-0: waiting for rpc 3.19");
  }

  @Test
  void stalledIsDegradedWithItsMessage() throws IOException {
    Map<String, String> health =
        health(
            """
            metadata: {name: cinder, generation: 5}
            status:
              observedGeneration: 5
              phase: Stalled
              conditions:
                - {type: Ready, status: "False", reason: Stalled}
                - {type: Reconciling, status: "False", reason: Stalled}
                - type: Stalled
                  status: "True"
                  reason: DataMigrationFailed
                  message: "online_data_migrations exited 2: fix the rows it names, then retry"
            """);

    assertThat(health)
        .containsEntry("status", "Degraded")
        .containsEntry(
            "message", "online_data_migrations exited 2: fix the rows it names, then retry");
  }

  @Test
  void pausedIsSuspended() throws IOException {
    Map<String, String> health =
        health(
            """
            metadata: {name: cinder, generation: 6}
            status:
              observedGeneration: 6
              phase: Paused
              conditions:
                - {type: Ready, status: "False", reason: Paused}
                - {type: Reconciling, status: "False", reason: Paused, message: "paused after cinder-scheduler-1"}
                - {type: Stalled, status: "False", reason: Paused}
            """);

    assertThat(health)
        .containsEntry("status", "Suspended")
        .containsEntry("message", "paused after cinder-scheduler-1");
  }

  @Test
  void readyButNotYetObservedIsProgressing() throws IOException {
    Map<String, String> health =
        health(
            """
            metadata: {name: cinder, generation: 8}
            status:
              observedGeneration: 7
              phase: Ready
              conditions:
                - {type: Ready, status: "True", reason: Ready}
                - {type: Stalled, status: "True", reason: OldProblem, message: from generation 7}
            """);

    assertThat(health).containsEntry("status", "Progressing");
    assertThat(health.get("message")).contains("generation 8").contains("observed 7");
  }

  @Test
  void noStatusYetIsProgressing() throws IOException {
    Map<String, String> health = health("metadata: {name: cinder, generation: 1}\n");

    assertThat(health).containsEntry("status", "Progressing");
    assertThat(health.get("message")).contains("observe");
  }
}
