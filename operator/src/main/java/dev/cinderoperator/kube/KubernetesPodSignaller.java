package dev.cinderoperator.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** SIGHUP through pods/exec: {@code kill -HUP 1} in the Cinder container. */
public final class KubernetesPodSignaller implements PodSignaller {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final KubernetesClient client;

  public KubernetesPodSignaller(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void sighup(String namespace, String pod) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod)
            .inContainer("cinder")
            .writingError(err)
            .exec("kill", "-HUP", "1")) {
      Integer code = watch.exitCode().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (code == null || code != 0) {
        throw new SignalFailedException(
            "kill -HUP 1 in pod " + pod + " exited " + code + ": " + err.toString().trim(), null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SignalFailedException("interrupted while signalling pod " + pod, e);
    } catch (SignalFailedException e) {
      throw e;
    } catch (Exception e) {
      throw new SignalFailedException("could not exec in pod " + pod + ": " + e.getMessage(), e);
    }
  }
}
