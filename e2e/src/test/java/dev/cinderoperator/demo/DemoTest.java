package dev.cinderoperator.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo's command line: its help, its version, and a stall that ends it at once. */
class DemoTest {
  static String help() {
    StringWriter help = new StringWriter();
    new CommandLine(new Demo()).usage(new PrintWriter(help, true));
    return help.toString();
  }

  @Test
  void helpShowsTheDefaults() {
    assertThat(help())
        .contains("Default: 2023.2")
        .contains("Default: 2024.1")
        .contains("Default: 300");
  }

  @Test
  void versionNamesTheDemo() {
    assertThat(new Demo.Version().getVersion()[0]).startsWith("cinder-operator-demo ");
  }

  @Test
  void aStallEndsTheRunAtOnceWithItsReasonAndExitCodeTwo() {
    Demo demo = new Demo();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    demo.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    // 2023.2 to 2025.1 skips a release: the operator refuses it and stalls.
    int code = new CommandLine(demo).execute("--to", "2025.1", "--timeout", "600");
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(code).as(String.join("\n", lines)).isEqualTo(2);
    assertThat(lines)
        .anySatisfy(
            l -> assertThat(l).startsWith("!! the upgrade stalled: UnsupportedJump: from 2023.2"));
    assertThat(lines).noneMatch(l -> l.contains("did not finish within"));
  }
}
