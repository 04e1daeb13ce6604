package dev.cinderoperator.realcinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CinderRootsTest {
  @TempDir Path dir;

  Path root(String name, String series, String version, boolean done) throws Exception {
    Path root = Files.createDirectories(dir.resolve(name));
    if (done) {
      Files.writeString(
          dir.resolve(name + ".done"),
          "suite="
              + name.split("-")[0]
              + "\npackage_version=2:"
              + version
              + "-1\ncinder_version="
              + version
              + "\nseries="
              + series
              + "\nroot="
              + root
              + "\n");
    }
    return root;
  }

  void select(Path... roots) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Path r : roots) {
      b.append(r).append('\n');
    }
    Files.writeString(dir.resolve("selected"), b.toString());
  }

  @Test
  void twoAdjacentFinishedRootsMakeThePairOldestFirst() throws Exception {
    Path sid = root("sid-29.0.0-3", "2026.2", "29.0.0", true);
    Path forky = root("forky-28.0.0-1", "2026.1", "28.0.0", true);
    select(sid, forky);

    CinderRoots.Pair pair = new CinderRoots(dir).pair();

    assertThat(pair.source().series()).isEqualTo("2026.1");
    assertThat(pair.source().path()).isEqualTo(forky);
    assertThat(pair.target().cinderVersion()).isEqualTo("29.0.0");
  }

  @Test
  void aRootWithoutItsMarkerIsNeverUsed() throws Exception {
    select(
        root("forky-28.0.0-1", "2026.1", "28.0.0", true),
        root("sid-29.0.0-3", "2026.2", "29.0.0", false));

    assertThatThrownBy(() -> new CinderRoots(dir).pair())
        .isInstanceOf(CinderRoots.Unavailable.class)
        .hasMessageContaining("only one Cinder release")
        .hasMessageContaining("2026.1");
  }

  @Test
  void releasesThatAreNotAdjacentAreNamedAndRefused() throws Exception {
    select(
        root("forky-28.0.0-1", "2026.1", "28.0.0", true),
        root("sid-30.0.0-1", "2027.1", "30.0.0", true));

    assertThatThrownBy(() -> new CinderRoots(dir).pair())
        .isInstanceOf(CinderRoots.Unavailable.class)
        .hasMessageContaining("no two adjacent")
        .hasMessageContaining("2026.1")
        .hasMessageContaining("2027.1");
  }

  @Test
  void noRootsSaysHowToBuildThem() {
    assertThatThrownBy(() -> new CinderRoots(dir).pair()).hasMessageContaining("roots.sh");
  }

  @Test
  void theSeriesAfterAnotherFollowsTheNamingRule() {
    assertThat(CinderRoots.next("2026.1")).isEqualTo("2026.2");
    assertThat(CinderRoots.next("2026.2")).isEqualTo("2027.1");
  }
}
