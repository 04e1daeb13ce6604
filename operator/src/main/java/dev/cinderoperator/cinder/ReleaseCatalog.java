package dev.cinderoperator.cinder;

import static dev.cinderoperator.cinder.CinderBinary.BACKUP;
import static dev.cinderoperator.cinder.CinderBinary.SCHEDULER;
import static dev.cinderoperator.cinder.CinderBinary.VOLUME;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Cinder series the operator knows, oldest first, with the versions their code reports
 * (cinder-upgrade-facts §1 and §3.5). Every series from Xena on reports object version 1.39 and
 * knows the caps 1.38 and 1.39 only.
 */
public final class ReleaseCatalog {
  private static final List<Release> DEFAULT =
      List.of(
          release("zed", 21, false, "3.18", "3.12", "2.3"),
          release("2023.1", 22, true, "3.18", "3.12", "2.4"),
          release("2023.2", 23, false, "3.18", "3.12", "2.4"),
          release("2024.1", 24, true, "3.19", "3.12", "2.4"),
          release("2024.2", 25, false, "3.19", "3.12", "2.4"),
          release("2025.1", 26, true, "3.20", "3.12", "2.4"),
          release("2025.2", 27, false, "3.20", "3.12", "2.4"),
          release("2026.1", 28, true, "3.20", "3.12", "2.4"));

  /** Object versions the object-version history of every known release contains. */
  private static final Set<String> KNOWN_OBJECT_VERSIONS = Set.of("1.38", "1.39");

  private final List<Release> releases;

  private ReleaseCatalog(List<Release> releases) {
    this.releases = List.copyOf(releases);
  }

  public static ReleaseCatalog standard() {
    return new ReleaseCatalog(DEFAULT);
  }

  public static ReleaseCatalog of(List<Release> releases) {
    return new ReleaseCatalog(releases);
  }

  private static Release release(
      String name, int major, boolean slurp, String volume, String scheduler, String backup) {
    return new Release(
        name, major, slurp, Map.of(VOLUME, volume, SCHEDULER, scheduler, BACKUP, backup), "1.39");
  }

  public Optional<Release> find(String name) {
    return releases.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  public List<Release> releases() {
    return releases;
  }

  public String knownNames() {
    return releases.stream().map(Release::name).collect(Collectors.joining(", "));
  }

  /** Whether code of the given release can use the object version as a cap. */
  public boolean knowsObjectVersion(String release, String objectVersion) {
    return find(release).isPresent() && KNOWN_OBJECT_VERSIONS.contains(objectVersion);
  }

  public UpgradePath path(String from, String to) {
    int i = indexOf(from);
    int j = indexOf(to);
    if (i < 0 || j < 0) {
      return UpgradePath.UNKNOWN;
    }
    if (i == j) {
      return UpgradePath.SAME;
    }
    if (j < i) {
      return UpgradePath.DOWNGRADE;
    }
    if (j == i + 1) {
      return UpgradePath.NEXT;
    }
    Release a = releases.get(i);
    Release b = releases.get(j);
    boolean nextSlurp =
        a.slurp() && b.slurp() && releases.subList(i + 1, j).stream().noneMatch(Release::slurp);
    return nextSlurp ? UpgradePath.SKIP_LEVEL : UpgradePath.UNSUPPORTED_JUMP;
  }

  private int indexOf(String name) {
    for (int k = 0; k < releases.size(); k++) {
      if (releases.get(k).name().equals(name)) {
        return k;
      }
    }
    return -1;
  }
}
