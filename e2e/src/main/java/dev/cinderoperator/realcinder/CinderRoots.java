package dev.cinderoperator.realcinder;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The Cinder release roots {@code scripts/testenv/roots.sh} built: one root filesystem per Debian
 * suite, named by its exact python3-cinder version, each finished root marked by a {@code
 * <root>.done} file (written last). The script's latest run lists the roots it selected in {@code
 * selected}; only those count, so a test runs what the archive carries now.
 */
public final class CinderRoots {
  /** Where roots.sh keeps them unless {@code CINDER_ROOTS_DIR} says otherwise. */
  public static final Path DEFAULT_DIR = Path.of("/var/cache/cinder-operator/roots");

  /**
   * One finished root.
   *
   * @param series the OpenStack series, e.g. 2026.1
   * @param cinderVersion the upstream version, e.g. 28.0.0
   * @param packageVersion Debian's version, e.g. 2:28.0.0-1
   * @param suite the Debian suite it came from
   */
  public record Root(
      String series, String cinderVersion, String packageVersion, String suite, Path path) {
    @Override
    public String toString() {
      return series + " (python3-cinder " + packageVersion + " from " + suite + ", " + path + ")";
    }
  }

  /** Two roots of adjacent series: the real upgrade's source and target. */
  public record Pair(Root source, Root target) {}

  private final Path dir;

  public CinderRoots(Path dir) {
    this.dir = dir;
  }

  /** From {@code CINDER_ROOTS_DIR}, else {@link #DEFAULT_DIR}. */
  public static CinderRoots fromEnvironment() {
    String d = System.getenv("CINDER_ROOTS_DIR");
    return new CinderRoots(d == null || d.isBlank() ? DEFAULT_DIR : Path.of(d));
  }

  public Path dir() {
    return dir;
  }

  /** The finished roots of roots.sh's latest run, oldest series first. */
  public List<Root> selected() {
    Path selected = dir.resolve("selected");
    if (!Files.isRegularFile(selected)) {
      return List.of();
    }
    List<Root> roots = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(selected)) {
        if (!line.isBlank()) {
          read(Path.of(line.strip())).ifPresent(roots::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    roots.sort(Comparator.comparing(Root::series, CinderRoots::compareSeries));
    return roots;
  }

  /**
   * The newest two roots when their series are adjacent (e.g. 2026.1 and 2026.2), else why not
   * (naming what was found).
   */
  public Pair pair() throws Unavailable {
    List<Root> roots = selected();
    if (roots.isEmpty()) {
      throw new Unavailable(
          "no finished Cinder roots in " + dir + ": run scripts/testenv/roots.sh (as root)");
    }
    if (roots.size() < 2) {
      throw new Unavailable("only one Cinder release in Debian's archive: " + roots.get(0));
    }
    Root target = roots.get(roots.size() - 1);
    Root source = roots.get(roots.size() - 2);
    if (!next(source.series()).equals(target.series())) {
      throw new Unavailable(
          "Debian's archive carries no two adjacent Cinder releases: found "
              + roots
              + " ("
              + next(source.series())
              + " would follow "
              + source.series()
              + ")");
    }
    return new Pair(source, target);
  }

  /** Why the real-release tier cannot run. */
  public static final class Unavailable extends Exception {
    public Unavailable(String message) {
      super(message);
    }
  }

  /** The series after YYYY.1 is YYYY.2, after YYYY.2 it is (YYYY+1).1. */
  static String next(String series) {
    String[] p = series.split("\\.");
    int year = Integer.parseInt(p[0]);
    return p[1].equals("1") ? year + ".2" : (year + 1) + ".1";
  }

  private static int compareSeries(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
    return c != 0 ? c : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
  }

  private static Optional<Root> read(Path root) {
    Path done = root.resolveSibling(root.getFileName() + ".done");
    if (!Files.isRegularFile(done) || !Files.isDirectory(root)) {
      return Optional.empty(); // half-built or deleted: never used
    }
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(done)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(
        new Root(
            p.getProperty("series"),
            p.getProperty("cinder_version"),
            p.getProperty("package_version"),
            p.getProperty("suite"),
            root));
  }
}
