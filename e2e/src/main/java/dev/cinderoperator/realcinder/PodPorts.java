package dev.cinderoperator.realcinder;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What stands in for the pod network: every port a container declares gets a loopback port of its
 * own (by pod uid), which its HTTP readiness probe and the Service's endpoints are aimed at.
 */
final class PodPorts {
  private final Map<String, Map<Integer, Integer>> ports = new ConcurrentHashMap<>();

  /**
   * Gives the container's declared ports loopback ports and returns the environment that tells
   * cinder-api to listen on its only one (where it listens stands in for the pod's IP and port);
   * empty for a container without ports.
   */
  Map<String, String> allocate(Pod pod, Container c) {
    Map<Integer, Integer> podPorts = new LinkedHashMap<>();
    for (ContainerPort p : declared(c)) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        podPorts.put(p.getContainerPort(), s.getLocalPort());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (podPorts.isEmpty()) {
      return Map.of();
    }
    ports.put(pod.getMetadata().getUid(), podPorts);
    int port = podPorts.values().iterator().next();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("OS_DEFAULT__OSAPI_VOLUME_LISTEN", "127.0.0.1");
    env.put("OS_DEFAULT__OSAPI_VOLUME_LISTEN_PORT", Integer.toString(port));
    return env;
  }

  void release(Pod pod) {
    ports.remove(pod.getMetadata().getUid());
  }

  /** Where the pod's {@code containerPort} listens, while the pod runs. */
  Optional<InetSocketAddress> endpoint(Pod pod, int containerPort) {
    return loopbackPort(pod, containerPort)
        .map(port -> new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /** The container's HTTP readiness probe, aimed at its loopback port. */
  Optional<HttpProber.Probe> readinessProbe(Pod pod, Container c) {
    Probe probe = c.getReadinessProbe();
    if (probe == null || probe.getHttpGet() == null) {
      return Optional.empty();
    }
    HTTPGetAction get = probe.getHttpGet();
    int port =
        loopbackPort(pod, containerPort(c, get.getPort()))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "pod "
                            + pod.getMetadata().getName()
                            + " probes port "
                            + get.getPort()
                            + ", not declared"));
    return Optional.of(
        new HttpProber.Probe(
            "http://127.0.0.1:" + port + (get.getPath() == null ? "/" : get.getPath()),
            Duration.ofSeconds(orDefault(probe.getPeriodSeconds(), 10)),
            Duration.ofSeconds(orDefault(probe.getTimeoutSeconds(), 1)),
            orDefault(probe.getFailureThreshold(), 3),
            Duration.ofSeconds(orDefault(probe.getInitialDelaySeconds(), 0))));
  }

  private Optional<Integer> loopbackPort(Pod pod, int containerPort) {
    return Optional.ofNullable(
        ports.getOrDefault(pod.getMetadata().getUid(), Map.of()).get(containerPort));
  }

  private static int containerPort(Container c, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    for (ContainerPort p : declared(c)) {
      if (port.getStrVal().equals(p.getName())) {
        return p.getContainerPort();
      }
    }
    throw new IllegalStateException("no container port named " + port.getStrVal());
  }

  private static List<ContainerPort> declared(Container c) {
    return c.getPorts() == null ? List.of() : c.getPorts();
  }

  private static int orDefault(Integer v, int dflt) {
    return v == null ? dflt : v;
  }
}
