package dev.cinderoperator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.api.UpgradeMode;
import dev.cinderoperator.api.UpgradeStep;
import dev.cinderoperator.upgrade.steps.ApiRollout;
import dev.cinderoperator.upgrade.steps.DataMigration;
import dev.cinderoperator.upgrade.steps.Pinning;
import dev.cinderoperator.upgrade.steps.Preflight;
import dev.cinderoperator.upgrade.steps.RollPods;
import dev.cinderoperator.upgrade.steps.Route;
import dev.cinderoperator.upgrade.steps.Routes;
import dev.cinderoperator.upgrade.steps.SchemaMigration;
import dev.cinderoperator.upgrade.steps.Unpinning;
import dev.cinderoperator.workload.Component;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The order of an upgrade is written once, in its route: a route that rolls volumes before
 * schedulers changes what the planner does, what {@code plan} prints, how completedSteps counts and
 * when the pod templates move, all together.
 */
class RouteOrderTest {

  private static Route rolling(Component first, Component second) {
    return new Route(
        UpgradeMode.Rolling,
        List.of(
            new Preflight(false),
            new SchemaMigration(false),
            new Pinning(),
            new RollPods(first, false),
            new RollPods(second, false),
            new RollPods(Component.BACKUP, false),
            new ApiRollout(false),
            new Unpinning(false),
            new DataMigration()));
  }

  static Stream<Arguments> routes() {
    return Stream.of(
        Arguments.of(Routes.ROLLING, Component.SCHEDULER, Component.VOLUME),
        Arguments.of(
            rolling(Component.VOLUME, Component.SCHEDULER), Component.VOLUME, Component.SCHEDULER));
  }

  @ParameterizedTest
  @MethodSource("routes")
  void theRoutesOrderIsThePlansThePreviewsAndTheCountsOrder(
      Route route, Component first, Component second) {
    World w = World.upgradeRequested();
    w.planner = new UpgradePlanner(new Routes(route, Routes.OFFLINE, Routes.ROLLBACK));
    UpgradeStep firstRoll = new RollPods(first, false).id();

    List<UpgradeStep> previewed =
        w
            .planner
            .preview(
                World.CLUSTER, w.spec, w.status, new ArrayList<>(w.pods.values()), World.CATALOG)
            .steps()
            .stream()
            .map(PlannedStep::step)
            .toList();
    List<UpgradeStep> expected = new ArrayList<>(route.steps().stream().map(s -> s.id()).toList());
    expected.add(UpgradeStep.Complete);
    assertThat(previewed).isEqualTo(expected);

    List<UpgradeStep> planned = new ArrayList<>();
    List<Component> replaced = new ArrayList<>();
    Integer countAfterFirstRoll = null;
    String secondTemplateDuringFirstRoll = null;
    for (int i = 0; i < 600 && !planned.contains(UpgradeStep.Complete); i++) {
      Decision d = w.plan();
      assertThat(d.action()).isNotInstanceOf(Action.Stall.class);
      if (d.action() instanceof Action.StartUpgrade) {
        planned.add(d.step());
      }
      if (d.action() instanceof Action.RecordStep r) {
        planned.add(r.next());
        if (r.previous() == firstRoll) {
          countAfterFirstRoll = d.completedSteps();
        }
      }
      if (d.action() instanceof Action.Complete) {
        planned.add(UpgradeStep.Complete);
      }
      if (d.action() instanceof Action.ReplacePod p && !replaced.contains(p.component())) {
        replaced.add(p.component());
      }
      w.apply(d);
      if (d.step() == firstRoll && secondTemplateDuringFirstRoll == null) {
        secondTemplateDuringFirstRoll = w.planner.templateImage(w.status, w.spec, second, null);
      }
      w.settle();
      w.tick(Duration.ofSeconds(5));
    }

    assertThat(planned).isEqualTo(previewed);
    assertThat(replaced).startsWith(first, second, Component.BACKUP);
    int firstPods = new ClusterLayout(World.CLUSTER, w.spec).of(first).size();
    // 3 preflight jobs, db sync, pinning, then the first component's pods.
    assertThat(countAfterFirstRoll).isEqualTo(5 + firstPods);
    assertThat(secondTemplateDuringFirstRoll).isEqualTo(World.OLD);
    assertThat(w.upgrade().getCompletedSteps()).isEqualTo(w.upgrade().getTotalSteps());
  }
}
