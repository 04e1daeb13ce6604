package dev.cinderoperator.e2e.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one fault scenario injected and counted in one run (one seed): a row of the reliability
 * table in docs/reliability.md, which {@link ReliabilityTable} writes from these records after the
 * test run. Written by the scenario once it has asserted its counts.
 *
 * @param fault the fault class, as the table names it
 * @param injectedWhere where and when it was injected
 * @param scenario the test that ran it
 * @param seed the run's seed ("-" when the scenario has none)
 * @param counted what was counted, by name, in the order the table shows them
 */
public record FaultRecord(
    String fault, String injectedWhere, String scenario, String seed, Map<String, Object> counted) {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Where the records of a run go (the e2e module's target directory). */
  public static Path directory() {
    return Path.of(System.getProperty("reliability.dir", "target/reliability"));
  }

  public FaultRecord {
    counted = new LinkedHashMap<>(counted);
  }

  /** Counts as name, value, name, value..., in that order. */
  public static Map<String, Object> counts(Object... nameThenValue) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < nameThenValue.length; i += 2) {
      m.put(nameThenValue[i].toString(), nameThenValue[i + 1]);
    }
    return m;
  }

  /** Writes this record, replacing the one of the same fault, scenario and seed. */
  public void write() {
    Path file = directory().resolve(slug(scenario + "-" + fault + "-" + seed) + ".json");
    try {
      Files.createDirectories(file.getParent());
      JSON.writeValue(file.toFile(), this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String slug(String s) {
    return s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }
}
