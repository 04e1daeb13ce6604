package dev.cinderoperator.sim.real;

import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.CinderConf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Cinder container's command as it would run on this machine: the argv after the start script's
 * {@code exec} (or a job's argv as is), with the container's paths mapped into the pod's directory,
 * {@code python3} as Debian's and one more {@code --config-file} with what must differ here.
 */
final class PodCommand {
  /** Where Debian's Cinder finds its Python packages (a pyenv python3 on PATH would not). */
  static final String PYTHON = "/usr/bin/python3";

  private PodCommand() {}

  /**
   * @param command the container's command ({@code /bin/sh -c "...; exec cinder-volume ..."} for a
   *     service, the tool's argv for a job)
   * @param localConf appended as the last {@code --config-file} after the pod's own ones; null for
   *     none (the version probe takes no config)
   */
  static List<String> forThisMachine(List<String> command, PodDirectory dir, Path localConf) {
    List<String> argv = new ArrayList<>();
    for (String arg : execArgv(command)) {
      argv.add(map(arg, dir));
    }
    if (argv.get(0).equals("python3")) {
      argv.set(0, PYTHON);
    }
    if (localConf != null) {
      int last = argv.lastIndexOf("--config-file");
      int at = last < 0 ? 1 : last + 2;
      argv.add(at, localConf.toString());
      argv.add(at, "--config-file");
    }
    return argv;
  }

  /** The argv the container ends up running. */
  static List<String> execArgv(List<String> command) {
    if (command == null || command.isEmpty()) {
      throw new IllegalArgumentException("the container has no command");
    }
    if (command.size() == 3 && command.get(0).endsWith("sh") && command.get(1).equals("-c")) {
      String script = command.get(2);
      int exec = script.lastIndexOf("exec ");
      if (exec < 0) {
        throw new IllegalArgumentException("the start script has no exec: " + script);
      }
      return Arrays.stream(script.substring(exec + 5).strip().split("\\s+")).toList();
    }
    return command;
  }

  private static String map(String arg, PodDirectory dir) {
    if (arg.equals(CinderCommands.DEFAULT_TERMINATION_LOG)) {
      return dir.terminationLog().toString();
    }
    if (arg.startsWith(CinderConf.CONFIG_DIR + "/")) {
      return dir.etc().resolve(arg.substring(CinderConf.CONFIG_DIR.length() + 1)).toString();
    }
    String state = "/var/lib/cinder";
    if (arg.equals(state) || arg.startsWith(state + "/")) {
      return dir.state() + arg.substring(state.length());
    }
    return arg;
  }
}
