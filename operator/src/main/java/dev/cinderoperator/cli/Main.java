package dev.cinderoperator.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cinder-operator run|plan}. Exit codes: 0 done (or nothing to do), 1 an error, 2 the
 * upgrade would be refused ({@code plan} only).
 */
@Command(
    name = "cinder-operator",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Runs OpenStack Cinder on Kubernetes and upgrades it without downtime.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done, or nothing to do",
      "1:an error (one line on stderr; --debug for the trace)",
      "2:plan: the operator would refuse this upgrade"
    },
    subcommands = {RunCommand.class, PlanCommand.class})
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int ERROR = 1;
  public static final int REFUSED = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with this tool's error handling: one line per error, exit code 1. */
  public static CommandLine commandLine() {
    return withErrorHandling(new CommandLine(new Main()));
  }

  static CommandLine withErrorHandling(CommandLine cl) {
    cl.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine cmd = e.getCommandLine();
          cmd.getErr()
              .println(
                  "error: "
                      + firstLine(e.getMessage())
                      + " (see "
                      + cmd.getCommandSpec().qualifiedName()
                      + " --help)");
          return ERROR;
        });
    cl.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          PrintWriter err = cmd.getErr();
          boolean debug = cmd.getParseResult().hasMatchedOption("--debug");
          if (e instanceof UserError) {
            err.println("error: " + e.getMessage());
          } else {
            err.println(
                "error: "
                    + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()))
                    + (debug ? "" : " (--debug prints the stack trace)"));
          }
          if (debug) {
            e.printStackTrace(err);
          }
          err.flush();
          return ERROR;
        });
    return cl;
  }

  static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("").strip();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
