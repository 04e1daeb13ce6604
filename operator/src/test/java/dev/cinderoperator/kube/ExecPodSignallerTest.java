package dev.cinderoperator.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecPodSignallerTest {
  final List<List<String>> ran = new ArrayList<>();

  PodExec answering(int... exitCodes) {
    return (ns, pod, container, argv) -> {
      ran.add(argv);
      assertThat(container).isEqualTo("cinder");
      return new PodExec.ExecResult(exitCodes[ran.size() - 1], "out " + ran.size());
    };
  }

  @Test
  void signalsPid1WithTheShellsBuiltinKillNotProcps() {
    new ExecPodSignaller(answering(0)).sighup("ns", "cinder-volume-0");
    assertThat(ran).containsExactly(List.of("/bin/sh", "-c", "kill -HUP 1"));
  }

  @Test
  void fallsBackToPythonsOsKill() {
    new ExecPodSignaller(answering(127, 0)).sighup("ns", "cinder-volume-0");
    assertThat(ran)
        .containsExactly(
            List.of("/bin/sh", "-c", "kill -HUP 1"),
            List.of("python3", "-c", "import os, signal; os.kill(1, signal.SIGHUP)"));
  }

  @Test
  void whenNothingCanSignalItSaysWhatEachTrySaid() {
    assertThatThrownBy(() -> new ExecPodSignaller(answering(127, 1)).sighup("ns", "p-0"))
        .isInstanceOf(PodSignaller.SignalFailedException.class)
        .hasMessageContaining("could not send SIGHUP to PID 1 of pod p-0")
        .hasMessageContaining("the shell's kill exited 127: out 1")
        .hasMessageContaining("python3's os.kill exited 1: out 2");
  }

  @Test
  void anExecThatCannotRunAtAllIsAFailureToo() {
    PodExec broken =
        (ns, pod, container, argv) -> {
          throw new IllegalStateException("pod p-0 has no running container");
        };
    assertThatThrownBy(() -> new ExecPodSignaller(broken).sighup("ns", "p-0"))
        .isInstanceOf(PodSignaller.SignalFailedException.class)
        .hasMessageContaining("no running container");
  }
}
