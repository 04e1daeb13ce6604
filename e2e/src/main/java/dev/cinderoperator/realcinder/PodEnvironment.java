package dev.cinderoperator.realcinder;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's environment as a kubelet sets it: PATH, HOSTNAME and HOME, then the container's
 * values and the pod fields they refer to (the pod's IP is loopback).
 */
final class PodEnvironment {
  private PodEnvironment() {}

  /** A new, modifiable map of the container's environment. */
  static Map<String, String> of(Pod pod, Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PodContainer.PATH);
    env.put("HOSTNAME", pod.getMetadata().getName());
    env.put("HOME", "/root");
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      if (e.getValue() != null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
        env.put(e.getName(), field(pod, e));
      } else {
        throw new IllegalStateException("env " + e.getName() + ": only values and fieldRefs");
      }
    }
    return env;
  }

  private static String field(Pod pod, EnvVar e) {
    String field = e.getValueFrom().getFieldRef().getFieldPath();
    return switch (field) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "status.podIP", "status.hostIP" -> "127.0.0.1";
      default -> throw new IllegalStateException("env " + e.getName() + ": no field " + field);
    };
  }
}
