package dev.cinderoperator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a result as JSON under the output directory and prints it as a table. */
final class BenchOutput {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BenchOutput() {}

  static void write(Path dir, String file, Object result) {
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(file);
      JSON.writeValue(target.toFile(), result);
      System.out.println("wrote " + target.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One row per map, one column per key of the first map. */
  static void table(String title, List<? extends Map<String, ?>> rows) {
    System.out.println();
    System.out.println("== " + title);
    if (rows.isEmpty()) {
      System.out.println("(nothing)");
      return;
    }
    List<String> keys = new ArrayList<>(rows.get(0).keySet());
    int[] widths = new int[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      widths[i] = keys.get(i).length();
      for (Map<String, ?> r : rows) {
        widths[i] = Math.max(widths[i], text(r.get(keys.get(i))).length());
      }
    }
    StringBuilder header = new StringBuilder();
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < keys.size(); i++) {
      header.append(String.format(Locale.ROOT, "%-" + widths[i] + "s  ", keys.get(i)));
      rule.append("-".repeat(widths[i])).append("  ");
    }
    System.out.println(header.toString().stripTrailing());
    System.out.println(rule.toString().stripTrailing());
    for (Map<String, ?> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < keys.size(); i++) {
        line.append(String.format(Locale.ROOT, "%" + widths[i] + "s  ", text(r.get(keys.get(i)))));
      }
      System.out.println(line.toString().stripTrailing());
    }
  }

  static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static String text(Object v) {
    if (v instanceof Double d) {
      return String.format(Locale.ROOT, "%.2f", d);
    }
    return String.valueOf(v);
  }
}
