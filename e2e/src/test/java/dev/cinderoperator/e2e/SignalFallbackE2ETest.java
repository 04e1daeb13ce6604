package dev.cinderoperator.e2e;

import static dev.cinderoperator.e2e.Scenario.NAME;
import static dev.cinderoperator.e2e.Scenario.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.sim.events.SimEvent.SignalEvent;
import dev.cinderoperator.workload.Labels;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SIGHUP goes through the pod's exec with the operator's own commands (the shell's builtin kill,
 * then Python's os.kill; never procps' /bin/kill, which minimal images lack). Where neither can
 * run, the pod is restarted instead, which drops the pins as well, and an Event says so.
 */
class SignalFallbackE2ETest extends ScenarioTest {
  static final String TARGET = Clusters.REGISTRY + "2024.1";

  @Test
  void aPodThatCannotBeSignalledIsRestartedInsteadAndTheUpgradeCompletes() {
    s.deploy(Clusters.of(NAME, NS, "2023.2", 2, 1, 1, Clusters.backend("ceph", 1)));
    // the target's scheduler image has no shell and no python3: exec cannot signal it
    s.env
        .sim()
        .cinder()
        .withoutShellOrPython(
            p ->
                TARGET.equals(Scenario.image(p))
                    && "scheduler".equals(p.getMetadata().getLabels().get(Labels.COMPONENT)));

    s.upgradeTo("2024.1");
    s.awaitReleased("2024.1", Duration.ofSeconds(90));

    List<String> failed = s.eventMessages("SignalFailed");
    assertThat(failed)
        .isNotEmpty()
        .allSatisfy(
            m ->
                assertThat(m)
                    .contains("could not send SIGHUP to PID 1 of pod " + NAME + "-scheduler-")
                    .contains("the shell's kill exited 127")
                    .contains("python3's os.kill exited 127")
                    .contains("restarting pod"));
    // each scheduler is told once: neither its terminating self nor its successor again
    assertThat(failed)
        .extracting(m -> m.replaceAll("(?s).*PID 1 of pod (\\S+):.*", "$1"))
        .containsExactlyInAnyOrder(NAME + "-scheduler-0", NAME + "-scheduler-1");
    List<SignalEvent> signals = s.env.sim().recorder().signals();
    // volume and backup took the shell's builtin kill
    assertThat(signals)
        .filteredOn(SignalEvent::delivered)
        .extracting(SignalEvent::pod)
        .contains(NAME + "-volume-ceph-0", NAME + "-backup-0")
        .noneMatch(p -> p.contains("scheduler"));
    // the schedulers were restarted after every row reached the target: no cached low pin left
    s.env
        .sim()
        .cinder()
        .processes(NS, NAME)
        .forEach(
            p ->
                p.pins()
                    .values()
                    .forEach(pin -> assertThat(pin.rpcVersion()).isNotEqualTo("3.18")));
    assertThat(s.env.sim().invariants().violations()).isEmpty();
  }
}
