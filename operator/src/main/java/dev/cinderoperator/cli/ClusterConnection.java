package dev.cinderoperator.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The cluster of the current kubeconfig (or the pod's service account), checked once before use so
 * that "no cluster" is one line naming the API server and the kubeconfig tried, after seconds
 * rather than after the client's retries.
 */
final class ClusterConnection {
  private ClusterConnection() {}

  /** Builds the configuration the way kubectl would pick it: $KUBECONFIG, ~/.kube/config, pod. */
  static Config config() {
    return Config.autoConfigure(null);
  }

  /** Where the configuration came from, for messages. */
  static String source(Config config) {
    File file = config.getFile();
    if (file != null) {
      String context =
          config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
      return "kubeconfig " + file + (context == null ? "" : ", context " + context);
    }
    if (new File(Config.KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH).exists()) {
      return "the pod's service account";
    }
    String env = System.getenv("KUBECONFIG");
    return "no kubeconfig found ("
        + (env == null || env.isBlank() ? "KUBECONFIG unset, " : "KUBECONFIG=" + env + ", ")
        + "~/.kube/config absent) and not in a pod";
  }

  /**
   * Fails with a {@link UserError} unless the API server answers. The check uses its own client
   * without retries, so an unreachable server is reported at once.
   */
  static void check(Config config) {
    Config once = new io.fabric8.kubernetes.client.ConfigBuilder(config).build();
    once.setRequestRetryBackoffLimit(0);
    once.setConnectionTimeout(5_000);
    once.setRequestTimeout(10_000);
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(once).build()) {
      probe.getKubernetesVersion();
    } catch (KubernetesClientException e) {
      throw unreachable(config, e);
    }
  }

  static UserError unreachable(Config config, KubernetesClientException e) {
    String server = config.getMasterUrl();
    if (e.getCode() == 401 || e.getCode() == 403) {
      return new UserError(
          "the Kubernetes API at "
              + server
              + " refused the credentials of "
              + source(config)
              + " (HTTP "
              + e.getCode()
              + ")",
          e);
    }
    return new UserError(
        "no Kubernetes API reachable at " + server + " (" + source(config) + "): " + cause(e), e);
  }

  /** What went wrong on the network, as a person would say it. */
  static String cause(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    if (any(chain, List.of(UnresolvedAddressException.class, UnknownHostException.class))) {
      return "the host name does not resolve";
    }
    if (any(chain, List.of(HttpTimeoutException.class, SocketTimeoutException.class))) {
      return "no answer (timed out)";
    }
    for (Throwable t : chain) {
      if (t instanceof SSLException) {
        return "TLS failed: " + Main.firstLine(t.getMessage());
      }
      if (t instanceof ConnectException) {
        String message = Main.firstLine(t.getMessage());
        return message.isEmpty() ? "connection refused" : message;
      }
    }
    String deepest = e.getClass().getSimpleName();
    for (Throwable t : chain) {
      String message = Main.firstLine(t.getMessage());
      if (!message.isEmpty() && !message.equals("An error has occurred.")) {
        deepest = t.getClass().getSimpleName() + ": " + message;
      }
    }
    return deepest;
  }

  private static boolean any(List<Throwable> chain, List<Class<? extends Throwable>> types) {
    return chain.stream().anyMatch(t -> types.stream().anyMatch(c -> c.isInstance(t)));
  }
}
