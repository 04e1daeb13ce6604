package dev.cinderoperator.realcinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers as the real-Cinder runtime runs them, on this machine's own root as the image:
 * namespaces, mounts, a read-only root, signals to PID 1, exec. Needs root (skipped loudly
 * otherwise).
 */
class PodContainerTest {
  @TempDir Path dir;
  final List<PodContainer> started = new ArrayList<>();

  @BeforeEach
  void needsRoot() {
    PodContainer.unavailableReason()
        .ifPresent(
            why -> {
              System.err.println("\n*** SKIPPING container tests: " + why + " ***\n");
              Assumptions.abort(why);
            });
  }

  @AfterEach
  void stopAll() {
    started.forEach(c -> c.stop(Duration.ZERO));
  }

  PodContainer start(String script, List<PodContainer.Mount> mounts) {
    PodDirectory pod = PodDirectory.create(dir.resolve("pod-" + started.size()));
    List<PodContainer.Mount> all = new ArrayList<>(mounts);
    all.add(new PodContainer.Mount(pod.terminationLog(), "/dev/termination-log", false));
    PodContainer c =
        PodContainer.start(
            new PodContainer.Spec(
                Path.of("/"),
                pod,
                "pod-a",
                true,
                all,
                Map.of("PATH", PodContainer.PATH, "GREETING", "hello"),
                List.of("/bin/sh", "-c", script)));
    started.add(c);
    return c;
  }

  @Test
  void theCommandIsPid1InItsOwnRootWithThePodsVolumesAndNothingElseWritable() throws Exception {
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("cinder.conf"), "[DEFAULT]\n");
    Path state = Files.createDirectories(dir.resolve("state"));
    PodContainer c =
        start(
            "echo pid=$$ host=$(hostname) $GREETING; ls /etc/cinder-test;"
                + " touch /usr/x 2>/dev/null || echo root-read-only;"
                + " touch /etc/cinder-test/y 2>/dev/null || echo config-read-only;"
                + " echo written > /var/lib/cinder/state.txt; echo done > /dev/termination-log;"
                + " ls /proc | grep -c '^[0-9]'; exit 3",
            List.of(
                new PodContainer.Mount(config, "/etc/cinder-test", true),
                new PodContainer.Mount(state, "/var/lib/cinder", false)));

    assertThat(c.waitFor(Duration.ofSeconds(30))).isEqualTo(3);
    String out = Files.readString(c.dir().output());
    assertThat(out)
        .contains("pid=1 host=pod-a hello", "cinder.conf", "root-read-only", "config-read-only");
    // its /proc shows its own processes only: the shell, ls and grep
    assertThat(Integer.parseInt(out.strip().substring(out.strip().lastIndexOf('\n') + 1)))
        .isLessThanOrEqualTo(3);
    assertThat(Files.readString(state.resolve("state.txt"))).isEqualTo("written\n");
    assertThat(Files.readString(c.dir().terminationLog())).isEqualTo("done\n");
    assertThat(Path.of("/etc/cinder-test")).doesNotExist(); // the mount point was made in its layer
  }

  @Test
  void signalsReachPid1OfTheContainerAndExecRunsInsideIt() throws Exception {
    PodContainer c =
        start(
            "trap 'echo got HUP' HUP; trap 'echo got TERM; exit 0' TERM;"
                + " while true; do sleep 0.1; done",
            List.of());
    long pid = c.initPid();
    assertThat(pid).isGreaterThan(1);

    PodContainer.ExecOutcome ps =
        c.exec(List.of("/bin/sh", "-c", "echo $$; hostname"), Duration.ofSeconds(10));
    assertThat(ps.exitCode()).isZero();
    assertThat(ps.output()).contains("pod-a");
    assertThat(c.exec(List.of("no-such-command"), Duration.ofSeconds(10)).exitCode()).isNotZero();

    c.signal("SIGHUP");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.readString(c.dir().output()).contains("got HUP"));
    assertThat(c.alive()).isTrue();

    c.stop(Duration.ofSeconds(10));
    assertThat(c.alive()).isFalse();
    assertThat(Files.readString(c.dir().output())).contains("got TERM");
  }

  @Test
  void aPid1WithoutATermHandlerIsKilledAfterTheGracePeriod() throws Exception {
    PodContainer c = start("while true; do sleep 0.1; done", List.of());
    c.initPid();
    long t0 = System.nanoTime();
    c.stop(Duration.ofSeconds(1));
    assertThat(c.alive()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }
}
