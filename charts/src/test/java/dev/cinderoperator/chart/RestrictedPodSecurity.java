package dev.cinderoperator.chart;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The checks of the {@code restricted} Pod Security Standard (which includes {@code baseline}), as
 * Pod Security Admission applies them to a pod template, each violation worded as it reports it. A
 * chart whose pods pass installs into a namespace labelled {@code
 * pod-security.kubernetes.io/enforce: restricted}.
 */
final class RestrictedPodSecurity {
  private static final Set<String> VOLUME_TYPES =
      Set.of(
          "configMap",
          "csi",
          "downwardAPI",
          "emptyDir",
          "ephemeral",
          "persistentVolumeClaim",
          "projected",
          "secret");
  private static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes");

  private RestrictedPodSecurity() {}

  /** The violations of a pod spec; empty when it passes. */
  static List<String> violations(JsonNode podSpec) {
    List<String> out = new ArrayList<>();
    JsonNode podSc = podSpec.path("securityContext");
    for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
      if (podSpec.path(host).asBoolean(false)) {
        out.add("host namespaces (" + host + "=true)");
      }
    }
    for (JsonNode v : podSpec.path("volumes")) {
      v.fieldNames()
          .forEachRemaining(
              f -> {
                if (!f.equals("name") && !VOLUME_TYPES.contains(f)) {
                  out.add(
                      "restricted volume types (volume \""
                          + v.path("name").asText()
                          + "\" uses restricted volume type \""
                          + f
                          + "\")");
                }
              });
    }
    for (JsonNode s : podSc.path("sysctls")) {
      if (!SAFE_SYSCTLS.contains(s.path("name").asText())) {
        out.add("forbidden sysctls (" + s.path("name").asText() + ")");
      }
    }
    List<JsonNode> containers = new ArrayList<>();
    for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
      podSpec.path(list).forEach(containers::add);
    }
    for (JsonNode c : containers) {
      String name = "container \"" + c.path("name").asText() + "\"";
      JsonNode sc = c.path("securityContext");
      if (sc.path("privileged").asBoolean(false)) {
        out.add("privileged (" + name + " must not set securityContext.privileged=true)");
      }
      if (!sc.has("allowPrivilegeEscalation") || sc.path("allowPrivilegeEscalation").asBoolean()) {
        out.add(
            "allowPrivilegeEscalation != false ("
                + name
                + " must set securityContext.allowPrivilegeEscalation=false)");
      }
      boolean dropsAll = false;
      for (JsonNode d : sc.path("capabilities").path("drop")) {
        dropsAll |= d.asText().equals("ALL");
      }
      if (!dropsAll) {
        out.add(
            "unrestricted capabilities ("
                + name
                + " must set securityContext.capabilities.drop=[\"ALL\"])");
      }
      for (JsonNode a : sc.path("capabilities").path("add")) {
        if (!a.asText().equals("NET_BIND_SERVICE")) {
          out.add(
              "unrestricted capabilities ("
                  + name
                  + " must not include \""
                  + a.asText()
                  + "\" in securityContext.capabilities.add)");
        }
      }
      for (JsonNode port : c.path("ports")) {
        if (port.path("hostPort").asInt(0) != 0) {
          out.add("hostPort (" + name + " uses hostPort " + port.path("hostPort").asInt() + ")");
        }
      }
      if (!effective(sc, podSc, "runAsNonRoot").asBoolean(false)) {
        out.add("runAsNonRoot != true (" + name + " must set securityContext.runAsNonRoot=true)");
      }
      if (effective(sc, podSc, "runAsUser").asInt(-1) == 0) {
        out.add("runAsUser=0 (" + name + " must not set runAsUser=0)");
      }
      String seccomp = effective(sc, podSc, "seccompProfile").path("type").asText("");
      if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
        out.add(
            "seccompProfile ("
                + name
                + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or"
                + " \"Localhost\")");
      }
      if (sc.has("procMount") && !sc.path("procMount").asText().equals("Default")) {
        out.add("procMount (" + name + " must not set securityContext.procMount)");
      }
    }
    return out;
  }

  /** A container's setting, else the pod's. */
  private static JsonNode effective(JsonNode container, JsonNode pod, String field) {
    return container.has(field) ? container.path(field) : pod.path(field);
  }
}
