package dev.cinderoperator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cinder-operator run|plan|version}. */
@Command(
    name = "cinder-operator",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Runs OpenStack Cinder on Kubernetes and upgrades it without downtime.",
    subcommands = {RunCommand.class, PlanCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
