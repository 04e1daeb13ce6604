package dev.cinderoperator.sim.node;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command that sends a signal to PID 1 of a container, as {@code kubectl exec} runs it: {@code
 * kill -HUP 1} ({@code /bin/kill}, from procps), {@code /bin/sh -c 'kill -HUP 1'} (the shell's
 * builtin) or {@code python3 -c 'import os, signal; os.kill(1, signal.SIGHUP)'}.
 *
 * @param signal e.g. {@code SIGHUP}
 * @param via what delivers it
 */
public record SignalCommand(String signal, Via via) {

  /** What sends the signal, which decides whether an image can run it. */
  public enum Via {
    /** {@code kill} or {@code /bin/kill}: procps, absent from minimal images. */
    PROCPS_KILL,
    /** {@code /bin/sh -c 'kill -SIG 1'}: the shell's builtin. */
    SHELL_BUILTIN,
    /** {@code python3 -c '... os.kill(1, signal.SIG...)'}. */
    PYTHON
  }

  private static final Pattern KILL = Pattern.compile("kill\\s+-(?:s\\s+)?(?:SIG)?([A-Z]+)\\s+1");
  private static final Pattern OS_KILL =
      Pattern.compile("os\\.kill\\(\\s*1\\s*,\\s*signal\\.SIG([A-Z]+)\\s*\\)");

  /** The signal command {@code argv} is, if it is one. */
  public static Optional<SignalCommand> parse(List<String> argv) {
    if (argv == null || argv.isEmpty()) {
      return Optional.empty();
    }
    String program = argv.get(0);
    String rest = String.join(" ", argv.subList(1, argv.size()));
    if (program.equals("kill") || program.equals("/bin/kill") || program.equals("/usr/bin/kill")) {
      return match(KILL, "kill " + rest, Via.PROCPS_KILL);
    }
    if (program.endsWith("sh") && argv.size() == 3 && argv.get(1).equals("-c")) {
      return match(KILL, argv.get(2).strip(), Via.SHELL_BUILTIN);
    }
    if (program.endsWith("python3") && argv.size() == 3 && argv.get(1).equals("-c")) {
      return match(OS_KILL, argv.get(2), Via.PYTHON);
    }
    return Optional.empty();
  }

  private static Optional<SignalCommand> match(Pattern p, String text, Via via) {
    Matcher m = p.matcher(text);
    return m.find() ? Optional.of(new SignalCommand("SIG" + m.group(1), via)) : Optional.empty();
  }
}
