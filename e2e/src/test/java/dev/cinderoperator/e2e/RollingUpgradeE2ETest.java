package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.Phase;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.kube.OperatorSettings;
import dev.cinderoperator.sim.SimConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fresh deploy and an N to N+1 upgrade on the simulated cluster, invariants checked throughout.
 */
class RollingUpgradeE2ETest {
  static final String NS = "openstack";
  SimulatedEnvironment env;

  @BeforeEach
  void start() {
    env =
        SimulatedEnvironment.start(
            SimConfig.fast().withNamespace(NS),
            OperatorSettings.defaults()
                .withPollIntervals(Duration.ofMillis(200), Duration.ofSeconds(2)));
    env.createSecrets(NS);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void deploysThenUpgradesOneReleaseWithoutBreakingAnInvariant() {
    env.client().resource(Clusters.large("cinder", NS, "2023.2")).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> phase() == Phase.Ready);
    assertThat(env.get(NS, "cinder").getStatus().getRelease()).isEqualTo("2023.2");

    env.client()
        .resources(CinderCluster.class)
        .inNamespace(NS)
        .withName("cinder")
        .edit(
            cc -> {
              cc.getSpec().setRelease("2024.1");
              cc.getSpec().setImage(Clusters.REGISTRY + "2024.1");
              return cc;
            });

    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () -> {
              CinderCluster cc = env.get(NS, "cinder");
              return cc.getStatus() != null
                  && "2024.1".equals(cc.getStatus().getRelease())
                  && cc.getStatus().getPhase() == Phase.Ready;
            });
    CinderCluster done = env.get(NS, "cinder");
    assertThat(done.getStatus().getUpgrade().getStep()).isEqualTo(UpgradeStep.Complete);
    assertThat(done.getStatus().getUpgrade().getFinishedAt()).isNotNull();
    assertThat(done.getStatus().getUpgrade().getTargets())
        .anySatisfy(
            t -> {
              assertThat(t.getBinary()).isEqualTo("cinder-volume");
              assertThat(t.getRpcVersion()).isEqualTo("3.19");
            });
    assertThat(env.sim().invariants().violations()).isEmpty();
  }

  Phase phase() {
    CinderCluster cc = env.get(NS, "cinder");
    return cc == null || cc.getStatus() == null ? null : cc.getStatus().getPhase();
  }
}
