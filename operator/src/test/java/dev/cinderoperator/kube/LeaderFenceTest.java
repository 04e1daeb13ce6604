package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.testing.FakeServiceRegistry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica writes only while it holds the Lease and its last renewal is younger than the renew
 * deadline, judged by the renewTime it wrote (what the other replicas judge expiry by).
 */
@EnableKubernetesMockClient(crud = true)
class LeaderFenceTest {
  static final String NS = "ops";
  static final LeaseSettings LEASE =
      new LeaseSettings(
          NS,
          "cinder-operator-lease",
          "replica-a",
          Duration.ofSeconds(15),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2));

  KubernetesMockServer server;
  KubernetesClient admin;

  final AtomicLong now = new AtomicLong(Instant.parse("2026-12-02T10:00:00Z").toEpochMilli());
  final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(now.get());
        }
      };

  LeaderFence fence;
  KubernetesClient client;

  @BeforeEach
  void fencedClient() {
    fence = new LeaderFence(LEASE, clock);
    client =
        new KubernetesClientBuilder()
            .withConfig(admin.getConfiguration())
            .withHttpClientBuilderConsumer(fence.install())
            .build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  private void renew(String holder, Instant renewTime) {
    Lease lease =
        new LeaseBuilder()
            .withNewMetadata()
            .withName(LEASE.name())
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(holder)
            .withLeaseDurationSeconds(15)
            .withRenewTime(ZonedDateTime.ofInstant(renewTime, ZoneOffset.UTC))
            .endSpec()
            .build();
    client.resource(lease).createOr(r -> r.update());
  }

  private ConfigMap write(String name) {
    return client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .addToData("k", "v")
                .build())
        .create();
  }

  private static void assertRefused(Runnable act) {
    assertThatThrownBy(act::run)
        .satisfies(e -> assertThat(Leadership.NotLeadingException.in(e)).as(e.toString()).isTrue());
  }

  @Test
  void aStandbyReadsButWritesNothing() {
    assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
    assertRefused(() -> write("before-election"));
    assertThat(fence.mayAct()).isFalse();
    assertThat(admin.configMaps().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void theLeaderWritesWhileItsLastRenewalIsYoungerThanTheRenewDeadline() {
    renew("replica-a", clock.instant());
    fence.startedLeading();
    assertThat(write("first").getMetadata().getName()).isEqualTo("first");

    now.addAndGet(Duration.ofSeconds(9).toMillis());
    assertThat(fence.mayAct()).isTrue();
    write("at-9s");

    now.addAndGet(Duration.ofSeconds(1).toMillis());
    assertThat(fence.mayAct()).as("10 s after the renewal: the deadline").isFalse();
    assertRefused(() -> write("at-10s"));
    assertThat(admin.configMaps().inNamespace(NS).withName("at-10s").get()).isNull();

    // a late renewal that the API server accepted opens it again: nobody else could take it
    renew("replica-a", clock.instant());
    write("after-renewal");
  }

  @Test
  void theRenewTimeWrittenCountsNotWhenTheWriteWasSent() {
    fence.startedLeading();
    // a renewal whose renewTime was taken 8 s before it finally went out (a slow read before it)
    renew("replica-a", clock.instant().minusSeconds(8));
    now.addAndGet(Duration.ofSeconds(2).toMillis());
    assertThat(fence.mayAct()).isFalse();
  }

  @Test
  void aLeaseWrittenForAnotherHolderDoesNotOpenIt() {
    fence.startedLeading();
    renew("replica-b", clock.instant());
    assertThat(fence.mayAct()).isFalse();
    assertRefused(() -> write("not-mine"));
  }

  @Test
  void onceLostItStaysShutEvenIfARenewalLandsLater() {
    renew("replica-a", clock.instant());
    fence.startedLeading();
    fence.stoppedLeading();
    assertRefused(() -> write("after-loss"));
    renew("replica-a", clock.instant());
    fence.startedLeading();
    assertThat(fence.mayAct()).isFalse();
    assertThat(fence.lost()).isTrue();
  }

  @Test
  void actsOutsideTheApiAskTheSameFence() {
    ServiceRegistry registry = LeaderFenced.registry(new FakeServiceRegistry(), fence);
    PodSignaller signaller = LeaderFenced.signaller((ns, pod) -> {}, fence);
    assertRefused(() -> registry.stopNewBackups("backup-0@backup"));
    assertRefused(() -> signaller.sighup(NS, "cinder-volume-0"));
    registry.read(); // reads stay allowed

    renew("replica-a", clock.instant());
    fence.startedLeading();
    registry.stopNewBackups("backup-0@backup");
    signaller.sighup(NS, "cinder-volume-0");
  }
}
