package dev.cinderoperator.sim.cinder;

import java.util.LinkedHashMap;
import java.util.Map;

/** The few things the simulated Cinder reads from a cinder.conf: INI sections and options. */
public final class IniFile {
  private final Map<String, Map<String, String>> sections;

  private IniFile(Map<String, Map<String, String>> sections) {
    this.sections = sections;
  }

  public static IniFile parse(String text) {
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    String section = "DEFAULT";
    for (String raw : text.split("\\R")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1).strip();
        continue;
      }
      int eq = line.indexOf('=');
      if (eq > 0) {
        sections
            .computeIfAbsent(section, k -> new LinkedHashMap<>())
            .put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    return new IniFile(sections);
  }

  /** Every section with its options, in file order. */
  public Map<String, Map<String, String>> sections() {
    return sections;
  }

  /** The options of a section, empty when it is absent. */
  Map<String, String> section(String section) {
    return sections.getOrDefault(section, Map.of());
  }

  String get(String section, String option) {
    Map<String, String> options = sections.get(section);
    return options == null ? null : options.get(option);
  }
}
