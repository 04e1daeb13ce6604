package dev.cinderoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the README-sample check compares, and what it lets vary. */
class DemoOutputShapeTest {
  static final List<String> RUN =
      List.of(
          "cinder-operator demo: mock Kubernetes API + simulated controllers, kubelet and Cinder",
          "== upgrading 2023.2 -> 2024.1: kubectl patch ...",
          "   [Preflight]        [....................] 0/15",
          "     job cinder-db-sync-777df217 succeeded (exit code 0)",
          "   [Pinning]          [#####...............] 4/15",
          "   [RollingVolume]    [#########...........] 7/15",
          "     [#########...........] 7/15  replaced cinder-volume-ceph-ssd-0: upgrade to 2024.1",
          "       cinder-volume-ceph-ssd-0@ceph-ssd: new service up, reports rpc 3.19 objects 1.39",
          "       backend ceph-ssd: cinder-volume was without a live service for 1.9s"
              + " (service_down_time 60s)",
          "     [##########..........] 8/15  replaced cinder-volume-ceph-hdd-1: upgrade to 2024.1",
          "       cinder-volume-ceph-hdd-1@ceph-hdd: new service up, reports rpc 3.19 objects 1.39",
          "== summary",
          "   Preflight            7.4s",
          "   upgrade total       33.6s",
          "total 86.3s (start-up 34.1s, deployment 18.5s, upgrade 33.6s)");

  @Test
  void timingsCountsHashesAndTheExitCodeOfAJobDoNotMatter() {
    List<String> other = new ArrayList<>(RUN);
    other.set(2, "   [Preflight]        [###.................] 2/15");
    other.set(3, "     job cinder-db-sync-0a1b2c3d succeeded");
    other.set(12, "   Preflight           17.0s");
    other.set(14, "total 9.1s (start-up 2.0s, deployment 3.0s, upgrade 4.1s)");
    assertThat(DemoOutputShape.of(other)).isEqualTo(DemoOutputShape.of(RUN));
  }

  @Test
  void aMissingStepIsADifference() {
    List<String> noPinning = new ArrayList<>(RUN);
    noPinning.remove(4);
    assertThat(DemoOutputShape.of(noPinning).steps()).isNotEqualTo(DemoOutputShape.of(RUN).steps());
  }

  @Test
  void aLineThatMovedOrRepeatsIsNoDifferenceButANewKindOfLineOrAnotherPodIs() {
    DemoOutputShape run = DemoOutputShape.of(RUN);
    List<String> moved = new ArrayList<>(RUN);
    moved.add(2, moved.remove(3));
    moved.add(4, moved.get(3)); // announced twice, as a retried act can be
    assertThat(DemoOutputShape.of(moved).lines()).isEqualTo(run.lines());
    List<String> extra = new ArrayList<>(RUN);
    extra.add(4, "     WARNING UpgradeCheckWarnings: job ...");
    assertThat(DemoOutputShape.of(extra).lines()).isNotEqualTo(run.lines());
    List<String> anotherPod = new ArrayList<>(RUN);
    anotherPod.addAll(11, RUN.subList(9, 11));
    assertThat(DemoOutputShape.of(anotherPod).lines()).isEqualTo(run.lines());
    assertThat(DemoOutputShape.of(anotherPod).podLines()).isNotEqualTo(run.podLines());
  }

  @Test
  void aGapUnderAnotherBackendsReplacementIsAnOrderProblem() {
    assertThat(DemoOutputShape.orderProblems(RUN)).isEmpty();
    List<String> late = new ArrayList<>(RUN);
    late.add(10, late.remove(8)); // the gap after cinder-volume-ceph-hdd-1's replacement
    assertThat(DemoOutputShape.orderProblems(late))
        .singleElement()
        .asString()
        .contains("gap of backend ceph-ssd");
  }
}
