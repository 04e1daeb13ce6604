package dev.cinderoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `run --help` names each option's environment variable and default; mistakes are one line. */
class RunCommandTest {
  static String help() {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new RunCommand());
    cl.usage(new PrintWriter(out, true));
    return out.toString();
  }

  @Test
  void helpNamesTheEnvironmentVariableOfEveryOption() {
    String help = help().replaceAll("\\s+", " ");
    for (String env :
        new String[] {
          "WATCH_NAMESPACES",
          "LEADER_ELECTION_ENABLED",
          "LEADER_ELECTION_NAMESPACE",
          "LEADER_ELECTION_IDENTITY",
          "LEADER_ELECTION_LEASE_DURATION",
          "LEADER_ELECTION_RENEW_DEADLINE",
          "LEADER_ELECTION_RETRY_PERIOD",
          "RECONCILE_THREADS",
          "DB_POLL_INTERVAL",
          "HTTP_PORT",
          "UNPIN_BY_SIGNAL",
          "LOG_FORMAT",
          "LOG_LEVEL"
        }) {
      assertThat(help).contains("Env " + env);
    }
    assertThat(help)
        .contains("default: all namespaces")
        .contains("default: the pod's namespace, or the kubeconfig context's")
        .contains("default: 15s");
  }

  @Test
  void leaseTimingOutOfOrderIsOneLineBeforeAnyClusterIsContacted() {
    StringWriter err = new StringWriter();
    CommandLine cl = Main.withErrorHandling(new CommandLine(new RunCommand()));
    cl.setErr(new PrintWriter(err, true));
    int code =
        cl.execute(
            "--leader-election-lease-duration", "10s", "--leader-election-renew-deadline", "10s");
    assertThat(code).isEqualTo(Main.ERROR);
    assertThat(err.toString().lines())
        .containsExactly(
            "error: leader election needs --leader-election-retry-period (2s) <"
                + " --leader-election-renew-deadline (10s) < --leader-election-lease-duration"
                + " (10s)");
  }

  @Test
  void aBadDurationIsOneLineBeforeAnyClusterIsContacted() {
    StringWriter err = new StringWriter();
    CommandLine cl = Main.withErrorHandling(new CommandLine(new RunCommand()));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("--db-poll-interval", "often");
    assertThat(code).isEqualTo(Main.ERROR);
    assertThat(err.toString().lines())
        .containsExactly(
            "error: --db-poll-interval 'often' is not a duration like 500ms, 15s or 1m30s");
  }
}
