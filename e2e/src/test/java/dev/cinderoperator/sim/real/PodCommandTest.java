package dev.cinderoperator.sim.real;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.cinder.CinderCommands;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodCommandTest {
  private final PodDirectory dir = new PodDirectory(Path.of("/w/pod-1"));
  private final Path local = Path.of("/w/pod-1/this-machine.conf");

  @Test
  void aServiceRunsTheArgvAfterExecWithPathsMappedAndTheLocalConfLast() {
    List<String> command =
        List.of(
            "/bin/sh",
            "-c",
            "set -e; mkdir -p /var/lib/cinder/tmp; printf '[DEFAULT]\\nhost = %s\\n' \"$POD_NAME\""
                + " > /var/lib/cinder/host.conf; exec cinder-volume --config-file"
                + " /etc/cinder-operator/cinder.conf --config-file /etc/cinder-operator/volume-fake.conf"
                + " --config-file /var/lib/cinder/host.conf");

    assertThat(PodCommand.forThisMachine(command, dir, local))
        .containsExactly(
            "cinder-volume",
            "--config-file",
            "/w/pod-1/etc/cinder.conf",
            "--config-file",
            "/w/pod-1/etc/volume-fake.conf",
            "--config-file",
            "/w/pod-1/state/host.conf",
            "--config-file",
            "/w/pod-1/this-machine.conf");
  }

  @Test
  void aToolGetsTheLocalConfBeforeItsSubcommand() {
    assertThat(PodCommand.forThisMachine(CinderCommands.standard().dbSync(), dir, local))
        .containsExactly(
            "cinder-manage",
            "--config-file",
            "/w/pod-1/etc/cinder.conf",
            "--config-file",
            "/w/pod-1/this-machine.conf",
            "--nodebug",
            "db",
            "sync");
  }

  @Test
  void theVersionProbeRunsDebiansPythonAndWritesThePodsTerminationLog() {
    List<String> argv =
        PodCommand.forThisMachine(CinderCommands.standard().versionProbe(), dir, null);

    assertThat(argv.get(0)).isEqualTo("/usr/bin/python3");
    assertThat(argv.get(1)).isEqualTo("-c");
    assertThat(argv.get(3)).isEqualTo("/w/pod-1/termination-log");
    assertThat(argv).hasSize(4);
  }
}
