package dev.cinderoperator.e2e.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The reliability table of a test run, in Markdown: one row per fault and scenario, its seeds, and
 * per count the value of each seed ({@code 0 / 0}). docs/reliability.md shows the table of the run
 * of the change that last touched it.
 */
public final class ReliabilityTable {
  private ReliabilityTable() {}

  /** Reads every record in {@code dir}; none when it does not exist. */
  public static List<FaultRecord> read(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<FaultRecord> records = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        records.add(FaultRecord.JSON.readValue(f.toFile(), FaultRecord.class));
      }
      return records;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The table; seeds of one fault and scenario share its row. */
  public static String markdown(List<FaultRecord> records) {
    Map<String, List<FaultRecord>> rows = new LinkedHashMap<>();
    records.stream()
        .sorted(Comparator.comparing(FaultRecord::scenario).thenComparing(FaultRecord::seed))
        .forEach(
            r ->
                rows.computeIfAbsent(r.fault() + "\u0000" + r.scenario(), k -> new ArrayList<>())
                    .add(r));
    StringBuilder b =
        new StringBuilder("| fault | injected where | scenario | seeds | counted |\n");
    b.append("|---|---|---|---|---|\n");
    for (List<FaultRecord> row : rows.values()) {
      FaultRecord first = row.get(0);
      Set<String> names = new LinkedHashSet<>();
      row.forEach(r -> names.addAll(r.counted().keySet()));
      List<String> counts = new ArrayList<>();
      for (String name : names) {
        List<String> values = new ArrayList<>();
        row.forEach(r -> values.add(String.valueOf(r.counted().getOrDefault(name, "-"))));
        counts.add(name + " " + String.join(" / ", values));
      }
      b.append("| ")
          .append(cell(first.fault()))
          .append(" | ")
          .append(cell(first.injectedWhere()))
          .append(" | `")
          .append(first.scenario())
          .append("` | ")
          .append(String.join(", ", row.stream().map(FaultRecord::seed).toList()))
          .append(" | ")
          .append(cell(String.join("; ", counts)))
          .append(" |\n");
    }
    return b.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  /** Writes the table of the records in {@code dir} next to it, as {@code reliability.md}. */
  public static Path write(Path dir) {
    Path out = dir.resolveSibling("reliability.md");
    try {
      Files.writeString(out, markdown(read(dir)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
