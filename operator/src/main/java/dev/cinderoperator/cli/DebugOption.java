package dev.cinderoperator.cli;

import picocli.CommandLine.Option;

/** {@code --debug}: stack traces for errors that are otherwise one line. */
public final class DebugOption {
  @Option(
      names = "--debug",
      description = "On an error, print its stack trace too (errors are otherwise one line).")
  boolean debug;
}
