package dev.cinderoperator.cinder;

import static dev.cinderoperator.cinder.CinderBinary.BACKUP;
import static dev.cinderoperator.cinder.CinderBinary.SCHEDULER;
import static dev.cinderoperator.cinder.CinderBinary.VOLUME;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Cinder series the operator knows: every series by its name ({@link Series}: order and
 * SLURP-ness by the naming rule, so a series released later needs no code change), and, as a
 * cross-check of the version probe, the versions the code of each series up to 2026.2 reports
 * (cinder-upgrade-facts §1 and §3.5, and the corrections read from Debian's 26.0.0, 28.0.0 and
 * 29.0.0). The version probe, not this table, is what the operator gates on.
 */
public final class ReleaseCatalog {
  private static final List<Release> EXPECTED =
      List.of(
          expected("queens", "3.15", "3.10", "2.1", "1.35"),
          expected("rocky", "3.16", "3.11", "2.1", "1.37"),
          expected("stein", "3.16", "3.11", "2.1", "1.37"),
          expected("train", "3.16", "3.11", "2.1", "1.38"),
          expected("ussuri", "3.16", "3.12", "2.2", "1.38"),
          expected("victoria", "3.16", "3.12", "2.2", "1.38"),
          expected("wallaby", "3.16", "3.12", "2.2", "1.38"),
          expected("xena", "3.16", "3.12", "2.2", "1.39"),
          expected("yoga", "3.18", "3.12", "2.3", "1.39"),
          expected("zed", "3.18", "3.12", "2.3", "1.39"),
          expected("2023.1", "3.18", "3.12", "2.4", "1.39"),
          expected("2023.2", "3.18", "3.12", "2.4", "1.39"),
          expected("2024.1", "3.19", "3.12", "2.4", "1.39"),
          expected("2024.2", "3.19", "3.12", "2.4", "1.39"),
          expected("2025.1", "3.20", "3.12", "2.4", "1.39"),
          expected("2025.2", "3.20", "3.12", "2.4", "1.39"),
          expected("2026.1", "3.20", "3.12", "2.4", "1.39"),
          expected("2026.2", "3.20", "3.12", "2.4", "1.39"));

  /** Xena (19) collapsed the object history to a 1.38 baseline; before it, it began at 1.0. */
  private static final int COLLAPSED_HISTORY_MAJOR = 19;

  private final Map<String, Release> expected;

  private ReleaseCatalog(List<Release> releases) {
    Map<String, Release> byName = new LinkedHashMap<>();
    for (Release r : releases) {
      Series s =
          Series.named(r.name())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "release name '" + r.name() + "' follows no series rule"));
      if (s.cinderMajor() != r.cinderMajor() || s.slurp() != r.slurp()) {
        throw new IllegalArgumentException(
            "release "
                + r.name()
                + " is Cinder "
                + s.cinderMajor()
                + (s.slurp() ? ", SLURP" : ", not SLURP")
                + " by the naming rule, not "
                + r.cinderMajor()
                + (r.slurp() ? ", SLURP" : ", not SLURP"));
      }
      byName.put(r.name(), r);
    }
    this.expected = Map.copyOf(byName);
  }

  public static ReleaseCatalog standard() {
    return new ReleaseCatalog(EXPECTED);
  }

  /**
   * A catalog expecting other versions (a test world imitating a release): {@code releases} replace
   * the standard expectations; series not among them are still known by name.
   *
   * @throws IllegalArgumentException when a release's major or SLURP flag contradicts its name
   */
  public static ReleaseCatalog of(List<Release> releases) {
    return new ReleaseCatalog(releases);
  }

  private static Release expected(
      String name, String volume, String scheduler, String backup, String objects) {
    Series s = Series.named(name).orElseThrow();
    return new Release(
        name,
        s.cinderMajor(),
        s.slurp(),
        Map.of(VOLUME, volume, SCHEDULER, scheduler, BACKUP, backup),
        objects);
  }

  /**
   * The release called {@code name}: every series the naming rule allows, with the expected
   * versions when the table has them.
   */
  public Optional<Release> find(String name) {
    return Series.named(name)
        .map(s -> expected.getOrDefault(s.name(), Release.withoutExpectations(s)));
  }

  /** The series whose Cinder packages have this major version (21 is zed, 29 is 2026.2). */
  public Optional<Release> ofCinderMajor(int major) {
    return Series.ofCinderMajor(major).flatMap(s -> find(s.name()));
  }

  /** How the names of known series look, for messages. */
  public String knownNames() {
    return Series.describeNames();
  }

  /**
   * The object versions the code of {@code release} accepts as a cap (its {@code OBJ_VERSIONS}
   * history), when the table says what its code reports; empty when only the version probe can
   * tell.
   */
  public Optional<Set<String>> knownObjectVersions(String release) {
    Optional<Release> r = find(release);
    if (r.isEmpty() || r.get().objectVersion() == null) {
      return Optional.empty();
    }
    String current = r.get().objectVersion();
    if (!DottedVersion.isValid(current) || !current.startsWith("1.")) {
      return Optional.empty();
    }
    int last = Integer.parseInt(current.substring(2));
    int first = r.get().cinderMajor() >= COLLAPSED_HISTORY_MAJOR ? 38 : 0;
    Set<String> known = new LinkedHashSet<>();
    for (int minor = first; minor <= last; minor++) {
      known.add("1." + minor);
    }
    return Optional.of(Set.copyOf(known));
  }

  public UpgradePath path(String from, String to) {
    Optional<Series> a = Series.named(from);
    Optional<Series> b = Series.named(to);
    if (a.isEmpty() || b.isEmpty()) {
      return UpgradePath.UNKNOWN;
    }
    int i = a.get().cinderMajor();
    int j = b.get().cinderMajor();
    if (i == j) {
      return UpgradePath.SAME;
    }
    if (j < i) {
      return UpgradePath.DOWNGRADE;
    }
    if (j == i + 1) {
      return UpgradePath.NEXT;
    }
    // SLURP to the next SLURP: YYYY.1 to (YYYY+1).1, with one non-SLURP series between.
    boolean nextSlurp = a.get().slurp() && b.get().slurp() && between(from, to).size() == 1;
    return nextSlurp ? UpgradePath.SKIP_LEVEL : UpgradePath.UNSUPPORTED_JUMP;
  }

  /** The series strictly between two known series, oldest first; empty when either is unknown. */
  public List<String> between(String from, String to) {
    Optional<Series> a = Series.named(from);
    Optional<Series> b = Series.named(to);
    List<String> names = new ArrayList<>();
    if (a.isPresent() && b.isPresent()) {
      for (Series s = a.get().next(); s.compareTo(b.get()) < 0; s = s.next()) {
        names.add(s.name());
      }
    }
    return List.copyOf(names);
  }

  /** The series after {@code from}, when {@code from} is known. */
  public Optional<String> next(String from) {
    return Series.named(from).map(s -> s.next().name());
  }
}
