package dev.cinderoperator.chart;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the cinder-operator chart in a checkout of this repository. */
public final class ChartDirectory {
  /** System property that names the chart directory; the charts module's Surefire sets it. */
  public static final String PROPERTY = "cinder.chart.dir";

  private static final Path RELATIVE = Path.of("charts", "cinder-operator");

  private ChartDirectory() {}

  /**
   * The chart directory: the {@value #PROPERTY} system property, else {@code
   * charts/cinder-operator} in the working directory or the nearest parent that has one (so the e2e
   * module finds it from {@code e2e/}).
   */
  public static Path locate() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return requireChart(Path.of(configured));
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(RELATIVE);
      if (Files.isRegularFile(candidate.resolve("Chart.yaml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no charts/cinder-operator/Chart.yaml in "
            + start
            + " or its parents; set -D"
            + PROPERTY
            + "=<path to charts/cinder-operator>");
  }

  private static Path requireChart(Path dir) {
    if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
      throw new IllegalStateException(
          PROPERTY + "=" + dir + " has no Chart.yaml; point it at charts/cinder-operator");
    }
    return dir;
  }
}
