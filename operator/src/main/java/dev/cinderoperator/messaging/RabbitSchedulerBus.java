package dev.cinderoperator.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.cinderoperator.cinder.BackupCapabilityReport;
import dev.cinderoperator.cinder.TransportUrl;
import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler fanout on Cinder's RabbitMQ, over the RabbitMQ Java client: one connection per
 * CinderCluster, opened on first use and again after a failure, with publisher confirms so a
 * message counts as sent only once the broker has routed it. Publishes as oslo.messaging's rabbit
 * driver does (fanout_send: exchange {@code <topic>_fanout}, empty routing key, JSON).
 */
public final class RabbitSchedulerBus implements SchedulerBus {
  private static final Logger LOG = LoggerFactory.getLogger(RabbitSchedulerBus.class);
  private static final int NOT_FOUND = 404;

  private final TransportUrl url;
  private final boolean ssl;
  private final Duration timeout;
  private Connection connection;
  private Channel channel;

  /**
   * @param ssl TLS with the JVM's trust store (the URL's {@code ?ssl=1} or {@code
   *     [oslo_messaging_rabbit] ssl})
   * @param timeout bounds connecting and each confirm
   */
  public RabbitSchedulerBus(TransportUrl url, boolean ssl, Duration timeout) {
    this.url = url;
    this.ssl = ssl;
    this.timeout = timeout;
  }

  @Override
  public synchronized boolean publish(BackupCapabilityReport report) {
    try {
      Channel ch = channel();
      AMQP.BasicProperties props =
          new AMQP.BasicProperties.Builder()
              .contentType("application/json")
              .contentEncoding("utf-8")
              .deliveryMode(2)
              .priority(0)
              .build();
      ch.basicPublish(BackupCapabilityReport.EXCHANGE, "", false, props, report.body());
      ch.waitForConfirmsOrDie(timeout.toMillis());
      return true;
    } catch (ShutdownSignalException e) {
      drop();
      if (!e.isHardError()
          && e.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == NOT_FOUND) {
        // No scheduler has declared its fanout exchange: none runs, none to tell.
        return false;
      }
      throw unavailable(e);
    } catch (IOException | TimeoutException e) {
      drop();
      throw unavailable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drop();
      throw unavailable(e);
    }
  }

  private Channel channel() throws IOException, TimeoutException {
    if (channel != null && channel.isOpen()) {
      return channel;
    }
    if (connection == null || !connection.isOpen()) {
      connection = factory().newConnection(addresses(), "cinder-operator");
    }
    channel = connection.createChannel();
    channel.confirmSelect();
    return channel;
  }

  private ConnectionFactory factory() {
    TransportUrl.Host first = url.hosts().get(0);
    ConnectionFactory f = new ConnectionFactory();
    f.setUsername(first.user());
    f.setPassword(first.password());
    f.setVirtualHost(url.virtualHost());
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    f.setConnectionTimeout(ms);
    f.setHandshakeTimeout(ms);
    f.setShutdownTimeout(ms);
    f.setAutomaticRecoveryEnabled(false);
    f.setTopologyRecoveryEnabled(false);
    if (ssl) {
      try {
        f.useSslProtocol(SSLContext.getDefault());
      } catch (NoSuchAlgorithmException e) {
        throw new MessagingUnavailableException("the JVM has no default TLS context", e);
      }
      f.enableHostnameVerification();
    }
    return f;
  }

  private List<Address> addresses() {
    return url.hosts().stream().map(h -> new Address(h.host(), h.port())).toList();
  }

  private MessagingUnavailableException unavailable(Exception e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    for (TransportUrl.Host h : url.hosts()) {
      if (!h.password().isEmpty()) {
        detail = detail.replace(h.password(), "***");
      }
    }
    return new MessagingUnavailableException(
        "cannot cast to Cinder's schedulers through RabbitMQ at "
            + String.join(", ", url.hosts().stream().map(h -> h.host() + ":" + h.port()).toList())
            + ": "
            + detail,
        null);
  }

  private void drop() {
    try {
      if (connection != null) {
        connection.abort((int) timeout.toMillis());
      }
    } catch (RuntimeException e) {
      LOG.debug("closing the RabbitMQ connection failed: {}", e.getClass().getName());
    }
    connection = null;
    channel = null;
  }

  @Override
  public synchronized void close() {
    drop();
  }
}
