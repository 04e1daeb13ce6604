package dev.cinderoperator.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.db.testing.CinderSchema;
import dev.cinderoperator.db.testing.RealCinder;
import dev.cinderoperator.db.testing.TestMariaDb;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DDL kept in test resources is what the installed Cinder's db sync creates. */
class CinderSchemaRealCinderTest {
  @Test
  void theResourceSchemaMatchesTheInstalledCinder() {
    RealCinder.assumeAvailable();
    assertThat(CinderSchema.fromRealCinder(TestMariaDb.shared()).stream().map(this::lines))
        .containsExactlyElementsOf(CinderSchema.fromResource().stream().map(this::lines).toList());
  }

  /**
   * A statement's lines in sorted order: db sync creates a table's indexes in no fixed order
   * (volumes and snapshots came out differently in two runs), and the order means nothing.
   */
  private List<String> lines(String statement) {
    return statement.lines().map(l -> l.strip().replaceAll(",$", "")).sorted().toList();
  }
}
