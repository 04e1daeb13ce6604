package dev.cinderoperator.cinder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * The Python programs the operator runs in Cinder's images ({@code python3 -c PROGRAM}), kept as
 * resources next to this class so that they can be read, and run, on their own.
 */
final class PythonPrograms {
  private PythonPrograms() {}

  /**
   * The program in resource {@code name}, as it goes into a pod spec: its first line (what it is)
   * kept, the other comment lines and blank lines left out to keep pod specs short.
   */
  static String load(String name) {
    try (InputStream in = PythonPrograms.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the operator jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String first = text.substring(0, text.indexOf('\n'));
      return first
          + "\n"
          + text.substring(first.length() + 1)
              .lines()
              .filter(l -> !l.isBlank() && !l.stripLeading().startsWith("#"))
              .collect(Collectors.joining("\n", "", "\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
