package dev.cinderoperator.sim.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.CinderCommands;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignalCommandTest {
  @Test
  void readsTheOperatorsOwnSignalCommands() {
    assertThat(CinderCommands.sighupPid1())
        .extracting(argv -> SignalCommand.parse(argv).orElseThrow())
        .containsExactly(
            new SignalCommand("SIGHUP", SignalCommand.Via.SHELL_BUILTIN),
            new SignalCommand("SIGHUP", SignalCommand.Via.PYTHON));
  }

  @Test
  void procpsKillIsTold() {
    assertThat(SignalCommand.parse(List.of("kill", "-HUP", "1")))
        .contains(new SignalCommand("SIGHUP", SignalCommand.Via.PROCPS_KILL));
  }

  @Test
  void otherCommandsAreNoSignal() {
    assertThat(SignalCommand.parse(List.of("/bin/sh", "-c", "kill -0 2"))).isEmpty();
    assertThat(SignalCommand.parse(List.of("cinder-manage", "db", "sync"))).isEmpty();
  }
}
