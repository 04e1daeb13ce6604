package dev.cinderoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

/** Why the cluster is unreachable, in words rather than exception classes. */
class ClusterConnectionTest {
  static KubernetesClientException wrapped(Throwable root) {
    ConnectException connect = new ConnectException();
    connect.initCause(root);
    return new KubernetesClientException("An error has occurred.", new IOException(connect));
  }

  @Test
  void aRefusedConnectionSaysSo() {
    assertThat(ClusterConnection.cause(wrapped(new ClosedChannelException())))
        .isEqualTo("connection refused");
  }

  @Test
  void anUnknownHostSaysSoEvenUnderAConnectException() {
    assertThat(ClusterConnection.cause(wrapped(new UnresolvedAddressException())))
        .isEqualTo("the host name does not resolve");
  }

  @Test
  void otherwiseTheDeepestMessage() {
    assertThat(
            ClusterConnection.cause(
                new KubernetesClientException("An error has occurred.", new IOException("boom"))))
        .isEqualTo("IOException: boom");
  }
}
