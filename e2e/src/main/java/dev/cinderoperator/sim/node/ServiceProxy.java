package dev.cinderoperator.sim.node;

import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.informers.ControlLoop;
import dev.cinderoperator.sim.informers.SimCaches;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated cluster's kube-proxy for Services whose pods really serve (real cinder-api): one
 * loopback port per Service port, forwarding each TCP connection to one of the Service's endpoints,
 * round robin. Endpoints follow the API server as EndpointSlices do: pods the selector matches that
 * are Ready and not terminating, each reached where the kubelet's runtime serves the target port.
 * With no endpoint a connection is refused (closed at once); an established connection stays with
 * its pod, as conntrack keeps it.
 */
public final class ServiceProxy extends ControlLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);

  private final KubernetesClient client;
  private final SimConfig config;
  private final SimCaches caches;
  private final Kubelet kubelet;
  private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
  private final ExecutorService pumps =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sim-service-proxy");
            t.setDaemon(true);
            return t;
          });

  public ServiceProxy(
      KubernetesClient client, SimConfig config, SimCaches caches, Kubelet kubelet) {
    super("service-proxy", Duration.ofMillis(500));
    this.client = client;
    this.config = config;
    this.caches = caches;
    this.kubelet = kubelet;
  }

  /** One endpoint: the pod and where it is reached. */
  public record Endpoint(String pod, InetSocketAddress address) {}

  /**
   * The loopback URL of a Service's port, e.g. {@code http://127.0.0.1:40123}.
   *
   * @throws IllegalStateException when the Service does not exist (yet)
   */
  public URI url(String namespace, String service, int port) {
    Listener l = listeners.get(key(namespace, service, port));
    if (l == null) {
      throw new IllegalStateException("no Service " + namespace + "/" + service + ":" + port);
    }
    return URI.create("http://127.0.0.1:" + l.server.getLocalPort());
  }

  /** Whether the Service's port is proxied yet. */
  public boolean serves(String namespace, String service, int port) {
    return listeners.containsKey(key(namespace, service, port));
  }

  /** Connections forwarded so far, by pod name. */
  public Map<String, Long> connectionsByPod(String namespace, String service, int port) {
    Listener l = listeners.get(key(namespace, service, port));
    if (l == null) {
      return Map.of();
    }
    Map<String, Long> result = new java.util.TreeMap<>();
    l.connections.forEach((pod, n) -> result.put(pod, n.get()));
    return result;
  }

  /** The endpoints a Service port forwards to now. */
  public List<Endpoint> endpoints(String namespace, String service, int port) {
    Listener l = listeners.get(key(namespace, service, port));
    return l == null ? List.of() : l.endpoints;
  }

  @Override
  protected void watchAll() {
    wakeOn(caches.pods);
  }

  @Override
  protected void reconcile() {
    List<Service> services =
        config.namespace() == null
            ? client.services().inAnyNamespace().list().getItems()
            : client.services().inNamespace(config.namespace()).list().getItems();
    List<String> seen = new ArrayList<>();
    List<Pod> pods = caches.pods.list();
    for (Service s : services) {
      Map<String, String> selector = s.getSpec().getSelector();
      if (selector == null || selector.isEmpty() || s.getSpec().getPorts() == null) {
        continue;
      }
      for (ServicePort sp : s.getSpec().getPorts()) {
        String key = key(s.getMetadata().getNamespace(), s.getMetadata().getName(), sp.getPort());
        seen.add(key);
        Listener l = listeners.computeIfAbsent(key, k -> new Listener(k));
        l.endpoints = endpoints(s, sp, pods);
      }
    }
    for (String key : List.copyOf(listeners.keySet())) {
      if (!seen.contains(key)) {
        listeners.remove(key).close();
      }
    }
  }

  private List<Endpoint> endpoints(Service s, ServicePort sp, List<Pod> pods) {
    List<Endpoint> result = new ArrayList<>();
    for (Pod pod : pods) {
      if (!s.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
          || pod.getMetadata().getDeletionTimestamp() != null
          || !ready(pod)
          || !matches(s.getSpec().getSelector(), pod.getMetadata().getLabels())) {
        continue;
      }
      Optional<Integer> port = targetPort(pod, sp);
      port.flatMap(p -> kubelet.endpoint(pod, p))
          .ifPresent(a -> result.add(new Endpoint(pod.getMetadata().getName(), a)));
    }
    result.sort(java.util.Comparator.comparing(Endpoint::pod));
    return List.copyOf(result);
  }

  private static boolean ready(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return labels != null
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static Optional<Integer> targetPort(Pod pod, ServicePort sp) {
    IntOrString target = sp.getTargetPort();
    if (target == null) {
      return Optional.of(sp.getPort());
    }
    if (target.getIntVal() != null) {
      return Optional.of(target.getIntVal());
    }
    for (Container c : pod.getSpec().getContainers()) {
      for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
        if (target.getStrVal().equals(p.getName())) {
          return Optional.of(p.getContainerPort());
        }
      }
    }
    return Optional.empty();
  }

  private static String key(String namespace, String service, int port) {
    return namespace + "/" + service + ":" + port;
  }

  /** One Service port: its loopback listener, current endpoints and connection counts. */
  private final class Listener {
    final String key;
    final ServerSocket server;
    final AtomicInteger next = new AtomicInteger();
    final Map<String, AtomicLong> connections = new ConcurrentHashMap<>();
    volatile List<Endpoint> endpoints = List.of();

    Listener(String key) {
      this.key = key;
      try {
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      pumps.execute(this::accept);
    }

    private void accept() {
      while (!server.isClosed()) {
        Socket in;
        try {
          in = server.accept();
        } catch (IOException e) {
          return;
        }
        List<Endpoint> now = endpoints;
        if (now.isEmpty()) {
          closeQuietly(in); // no endpoints: the connection is refused
          continue;
        }
        Endpoint to = now.get(Math.floorMod(next.getAndIncrement(), now.size()));
        pumps.execute(() -> forward(in, to));
      }
    }

    private void forward(Socket in, Endpoint to) {
      Socket out = new Socket();
      try {
        out.connect(to.address(), 1000);
      } catch (IOException e) {
        LOG.debug("{}: {} refused: {}", key, to.pod(), e.getMessage());
        closeQuietly(out);
        closeQuietly(in);
        return;
      }
      connections.computeIfAbsent(to.pod(), p -> new AtomicLong()).incrementAndGet();
      AtomicInteger open = new AtomicInteger(2);
      pumps.execute(() -> pump(out, in, open));
      pump(in, out, open);
    }

    void close() {
      closeQuietly(server);
    }
  }

  /**
   * Copies one direction until EOF, then half-closes the other side; the second direction to end
   * closes both sockets.
   */
  private static void pump(Socket from, Socket to, AtomicInteger open) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
      return;
    }
    if (open.decrementAndGet() == 0) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public void close() {
    stopLoop();
    listeners.values().forEach(Listener::close);
    listeners.clear();
    pumps.shutdownNow();
  }
}
