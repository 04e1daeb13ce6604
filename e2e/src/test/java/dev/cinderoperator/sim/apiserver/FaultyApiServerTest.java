package dev.cinderoperator.sim.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.sim.Workloads;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulated API server's faults, audit and evictions, each shown by what a client sees: the
 * status code, whether the write was stored, and the watch that lists again.
 */
class FaultyApiServerTest {
  static final String NS = "sim";
  static final String TESTER = "tester/1";

  CrudApiServer server;
  KubernetesClient admin;
  KubernetesClient tester;

  @BeforeEach
  void start() {
    server = CrudApiServer.started();
    admin = server.createClient();
    server.faults().timeoutDelay(Duration.ofSeconds(2));
    tester =
        client(
            c -> c.withUserAgent(TESTER).withRequestRetryBackoffLimit(0).withRequestTimeout(500));
  }

  /** Another client of the server, with its own settings (user agent, retries, timeout). */
  private KubernetesClient client(UnaryOperator<ConfigBuilder> settings) {
    return new KubernetesClientBuilder()
        .withConfig(settings.apply(new ConfigBuilder(admin.getConfiguration())).build())
        .build();
  }

  @AfterEach
  void stop() {
    tester.close();
    admin.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      System.err.println("mock API server shutdown was slow: " + e.getMessage());
    }
  }

  /** Every request of the tester, in the one phase "test", gets the next of these faults. */
  private FaultRule always(Fault... faults) {
    return server
        .faults()
        .add(new FaultRule("test", r -> r.from(TESTER), r -> "test", List.of(faults), 1, 1.0, 5));
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withData(Map.of("k", "v"))
        .build();
  }

  private static int code(Runnable request) {
    try {
      request.run();
      return 200;
    } catch (KubernetesClientException e) {
      return e.getCode();
    }
  }

  @Test
  void answersInjectedErrorsWithTheirStatusAndStoresNothing() {
    for (Fault f : List.of(Fault.INTERNAL_ERROR, Fault.UNAVAILABLE, Fault.THROTTLED)) {
      FaultRule rule = always(f);
      assertThat(code(() -> tester.resource(configMap("a")).create())).isEqualTo(f.code());
      server.faults().remove(rule);
    }
    assertThat(admin.configMaps().inNamespace(NS).withName("a").get()).isNull();
    assertThat(server.faults().injected().get("test"))
        .containsEntry(Fault.INTERNAL_ERROR, 1)
        .containsEntry(Fault.UNAVAILABLE, 1)
        .containsEntry(Fault.THROTTLED, 1);
    List<AuditLog.Entry> refused =
        server.audit().entries(e -> e.request().from(TESTER) && e.fault() != null);
    assertThat(refused).hasSize(3).noneMatch(AuditLog.Entry::applied);
  }

  @Test
  void aConflictRefusesAnUpdateOfAnObjectThatExists() {
    admin.resource(configMap("b")).create();
    always(Fault.CONFLICT);
    assertThatThrownBy(() -> tester.configMaps().inNamespace(NS).withName("b").edit(c -> c))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(409);
              assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
            });
  }

  @Test
  void aDeleteWithAStalePreconditionIsRefused() {
    ConfigMap created = admin.resource(configMap("p")).create();
    admin
        .configMaps()
        .inNamespace(NS)
        .withName("p")
        .edit(
            c -> {
              c.getData().put("k", "changed");
              return c;
            });
    assertThatThrownBy(
            () ->
                tester
                    .configMaps()
                    .inNamespace(NS)
                    .withName("p")
                    .lockResourceVersion(created.getMetadata().getResourceVersion())
                    .delete())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e ->
                assertThat(e.getStatus().getMessage())
                    .contains("Precondition failed: ResourceVersion in precondition: "));
    assertThat(admin.configMaps().inNamespace(NS).withName("p").get()).isNotNull();
  }

  @Test
  void aTimeoutStoresNothingButALostResponseStoresTheWrite() {
    FaultRule rule = always(Fault.TIMEOUT);
    assertThatThrownBy(() -> tester.resource(configMap("c")).create())
        .isInstanceOf(KubernetesClientException.class);
    server.faults().remove(rule);
    assertThat(admin.configMaps().inNamespace(NS).withName("c").get()).isNull();

    always(Fault.LOST_RESPONSE);
    assertThatThrownBy(() -> tester.resource(configMap("d")).create())
        .isInstanceOf(KubernetesClientException.class);
    assertThat(admin.configMaps().inNamespace(NS).withName("d").get()).isNotNull();
    assertThat(server.audit().entries(e -> e.fault() == Fault.LOST_RESPONSE))
        .singleElement()
        .satisfies(e -> assertThat(e.applied()).isTrue());
  }

  @Test
  void aCutWatchMakesTheInformerListAgainAndItSeesLaterChanges() {
    SharedIndexInformer<ConfigMap> informer = tester.configMaps().inNamespace(NS).inform();
    try {
      admin.resource(configMap("e1")).create();
      await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().list().size() == 1);
      int lists = lists();
      assertThat(server.faults().cutWatches(r -> r.from(TESTER), "test")).isEqualTo(1);
      admin.resource(configMap("e2")).create();
      await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().list().size() == 2);
      assertThat(lists()).isGreaterThan(lists);
    } finally {
      informer.close();
    }
  }

  @Test
  void everyWriteIsAnsweredWhileWatchesAreBeingCut() {
    // no retries: a write the server stores but never answers fails here instead of coming back
    // as 409 AlreadyExists, as it did in CI
    KubernetesClient writer =
        client(c -> c.withRequestRetryBackoffLimit(0).withRequestTimeout(5_000));
    int unanswered = 0;
    try {
      for (int i = 0; i < 30; i++) {
        Watch watch = tester.configMaps().inNamespace(NS).watch(new IgnoringWatcher());
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> server.faults().cutWatches(r -> r.from(TESTER), "test") == 1);
        String name = "w" + i;
        unanswered += code(() -> writer.resource(configMap(name)).create()) == 200 ? 0 : 1;
        watch.close();
      }
    } finally {
      writer.close();
    }
    assertThat(unanswered).isZero();
  }

  /** A watch whose events nobody reads. */
  private static final class IgnoringWatcher implements Watcher<ConfigMap> {
    @Override
    public void eventReceived(Action action, ConfigMap resource) {}

    @Override
    public void onClose(WatcherException cause) {}
  }

  private int lists() {
    return server
        .audit()
        .entries(e -> e.request().from(TESTER) && "list".equals(e.request().call().verb()))
        .size();
  }

  @Test
  void aPartitionedClientGetsNoAnswerUntilHealed() {
    server.faults().partition(TESTER, Fault.TIMEOUT);
    assertThatThrownBy(() -> tester.resource(configMap("f")).create())
        .isInstanceOf(KubernetesClientException.class);
    server.faults().heal(TESTER);
    tester.resource(configMap("f")).create();
    assertThat(admin.configMaps().inNamespace(NS).withName("f").get()).isNotNull();
  }

  @Test
  void aBurstOutlastsTheClientsRetriesAndABlipDoesNot() {
    KubernetesClient retrying =
        client(
            c ->
                c.withUserAgent(TESTER)
                    .withRequestRetryBackoffLimit(2)
                    .withRequestRetryBackoffInterval(10));
    try {
      server
          .faults()
          .add(
              new FaultRule(
                  "bursts",
                  r -> r.from(TESTER) && r.isWrite(),
                  r -> r.call().name() == null ? "create" : "other",
                  List.of(Fault.UNAVAILABLE),
                  20,
                  1.0,
                  3));
      server.faults().reseed(7);
      int failed = 0;
      for (int i = 0; i < 12; i++) {
        String name = "g" + i;
        failed += code(() -> retrying.resource(configMap(name)).create()) == 503 ? 1 : 0;
      }
      // a blip (one attempt) is absorbed by the client's two retries, a burst of 3 is not
      assertThat(failed).isBetween(1, 11);
      assertThat(admin.configMaps().inNamespace(NS).list().getItems()).hasSize(12 - failed);
    } finally {
      retrying.close();
    }
  }

  // ---- evictions

  private void readyPod(String name, boolean ready, StatefulSet owner) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .withLabels(Map.of("app", "db"))
            .addNewOwnerReference()
            .withApiVersion("apps/v1")
            .withKind("StatefulSet")
            .withName(owner.getMetadata().getName())
            .withUid(owner.getMetadata().getUid())
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("main")
            .withImage("example/db:1")
            .endContainer()
            .endSpec()
            .build();
    Pod created = admin.resource(pod).create();
    created.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPhase("Running")
            .withConditions(
                new PodConditionBuilder()
                    .withType("Ready")
                    .withStatus(ready ? "True" : "False")
                    .build())
            .build());
    admin.resource(created).updateStatus();
  }

  private boolean evict(String pod) {
    return tester.pods().inNamespace(NS).withName(pod).evict();
  }

  @Test
  void anEvictionRespectsTheDisruptionBudget() {
    StatefulSet sts =
        admin
            .resource(
                Workloads.statefulSet("db", 3, "example/db:1", Map.of("app", "db"), "OnDelete"))
            .create();
    for (int i = 0; i < 3; i++) {
      readyPod("db-" + i, true, sts);
    }
    admin
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("db-pdb")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(Map.of("app", "db"))
                .endSelector()
                .endSpec()
                .build())
        .create();

    assertThat(evict("db-0")).as("first eviction: the budget allows one").isTrue();
    assertThat(admin.pods().inNamespace(NS).withName("db-0").get()).isNull();
    assertThat(evict("db-1")).as("second: db-0 is missing, the budget is spent").isFalse();
    assertThat(admin.pods().inNamespace(NS).withName("db-1").get()).isNotNull();
    List<AuditLog.Entry> refused =
        server.audit().entries(e -> e.request().from(TESTER) && e.code() == 429);
    assertThat(refused).singleElement();

    readyPod("db-0", false, sts);
    assertThat(evict("db-1")).as("db-0 back but not Ready: still no budget").isFalse();
    assertThat(evict("db-0"))
        .as("a pod that is not Ready may go while the budget is met (IfHealthyBudget)")
        .isTrue();
  }

  @Test
  void aPodWithoutABudgetIsEvictedAtOnce() {
    StatefulSet sts =
        admin
            .resource(
                Workloads.statefulSet("x", 1, "example/db:1", Map.of("app", "db"), "OnDelete"))
            .create();
    readyPod("x-0", true, sts);
    assertThat(evict("x-0")).isTrue();
    assertThat(admin.pods().inNamespace(NS).withName("x-0").get()).isNull();
  }

  @Test
  void answersARulesReviewWithEverythingAllowed() {
    SelfSubjectRulesReview review =
        tester
            .resource(
                new SelfSubjectRulesReviewBuilder()
                    .withNewSpec()
                    .withNamespace(NS)
                    .endSpec()
                    .build())
            .create();
    assertThat(review.getStatus().getResourceRules())
        .singleElement()
        .satisfies(r -> assertThat(r.getVerbs()).containsExactly("*"));
  }
}
