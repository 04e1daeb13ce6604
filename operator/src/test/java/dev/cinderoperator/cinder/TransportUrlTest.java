package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransportUrlTest {

  @Test
  void readsUserPasswordHostPortAndTheDefaultVirtualHost() {
    TransportUrl url = TransportUrl.parse("rabbit://cinder:s%40cret@rabbitmq:5673/").url().get();
    assertThat(url.hosts())
        .containsExactly(new TransportUrl.Host("cinder", "s@cret", "rabbitmq", 5673));
    assertThat(url.virtualHost()).isEqualTo("/");
    assertThat(url.ssl()).isFalse();
  }

  @Test
  void aClusterOfBrokersSharesTheFirstCredentialsAndKeepsItsVirtualHostAndTls() {
    TransportUrl url =
        TransportUrl.parse("rabbit://u:p@mq-0:5672,mq-1,[fd00::2]:5671/openstack?ssl=1")
            .url()
            .get();
    assertThat(url.hosts())
        .containsExactly(
            new TransportUrl.Host("u", "p", "mq-0", 5672),
            new TransportUrl.Host("u", "p", "mq-1", 5672),
            new TransportUrl.Host("u", "p", "fd00::2", 5671));
    assertThat(url.virtualHost()).isEqualTo("openstack");
    assertThat(url.ssl()).isTrue();
  }

  @Test
  void onlyRabbitTransportsAreUsableAndErrorsNeverEchoTheUrl() {
    TransportUrl.Result kafka = TransportUrl.parse("kafka://u:hunter2@kafka:9092/");
    assertThat(kafka.isOk()).isFalse();
    assertThat(kafka.error()).contains("'kafka'").contains("RabbitMQ").doesNotContain("hunter2");
    assertThat(TransportUrl.parse("rabbit://u:hunter2@mq:notaport/").error())
        .contains("port")
        .doesNotContain("hunter2");
    assertThat(TransportUrl.parse("").error()).isEqualTo("is empty");
  }

  @Test
  void toStringHidesPasswords() {
    assertThat(TransportUrl.parse("rabbit://u:hunter2@mq:5672/").url().get().toString())
        .isEqualTo("rabbit://u:***@mq:5672/");
  }
}
