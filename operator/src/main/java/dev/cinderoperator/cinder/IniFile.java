package dev.cinderoperator.cinder;

import java.util.LinkedHashMap;
import java.util.Map;

/** An oslo.config INI file: ordered sections of ordered options, rendered deterministically. */
public final class IniFile {
  private final Map<String, Map<String, String>> sections = new LinkedHashMap<>();

  public IniFile set(String section, String option, String value) {
    sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(option, value);
    return this;
  }

  public IniFile setAll(String section, Map<String, String> options) {
    options.forEach((k, v) -> set(section, k, v));
    return this;
  }

  public Map<String, Map<String, String>> sections() {
    return sections;
  }

  /** DEFAULT first, then the other sections in insertion order. */
  public String render() {
    StringBuilder b = new StringBuilder();
    Map<String, String> defaults = sections.get("DEFAULT");
    if (defaults != null) {
      renderSection(b, "DEFAULT", defaults);
    }
    sections.forEach(
        (name, options) -> {
          if (!name.equals("DEFAULT")) {
            renderSection(b, name, options);
          }
        });
    return b.toString();
  }

  private static void renderSection(StringBuilder b, String name, Map<String, String> options) {
    if (b.length() > 0) {
      b.append('\n');
    }
    b.append('[').append(name).append("]\n");
    options.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
  }
}
