package dev.cinderoperator.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link PodExec} through the API server's pods/exec. */
public final class KubernetesPodExec implements PodExec {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final KubernetesClient client;

  public KubernetesPodExec(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public ExecResult exec(String namespace, String pod, String container, List<String> argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod)
            .inContainer(container)
            .writingOutput(out)
            .writingError(out)
            .exec(argv.toArray(String[]::new))) {
      Integer code = watch.exitCode().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return new ExecResult(code == null ? -1 : code, out.toString(StandardCharsets.UTF_8).strip());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running a command in pod " + pod, e);
    } catch (Exception e) {
      throw new IllegalStateException("could not exec in pod " + pod + ": " + e.getMessage(), e);
    }
  }
}
