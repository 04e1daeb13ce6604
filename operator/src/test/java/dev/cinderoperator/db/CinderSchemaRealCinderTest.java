package dev.cinderoperator.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cinderoperator.db.testing.CinderSchema;
import dev.cinderoperator.db.testing.RealCinder;
import dev.cinderoperator.db.testing.TestMariaDb;
import org.junit.jupiter.api.Test;

/** The DDL kept in test resources is what the installed Cinder's db sync creates. */
class CinderSchemaRealCinderTest {
  @Test
  void theResourceSchemaMatchesTheInstalledCinder() {
    RealCinder.assumeAvailable();
    assertThat(CinderSchema.fromRealCinder(TestMariaDb.shared()))
        .containsExactlyElementsOf(CinderSchema.fromResource());
  }
}
