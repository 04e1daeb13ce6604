package dev.cinderoperator.db.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a fresh database with Cinder's services, clusters and backups tables on the
 * shared {@link TestMariaDb}, and drops it afterwards. Skips the class loudly when no MariaDB is
 * available.
 *
 * <pre>{@code
 * @RegisterExtension static final MariaDbExtension DB = new MariaDbExtension();
 * ... new JdbcServiceRegistry(DB.database().url()) ...
 * }</pre>
 */
public final class MariaDbExtension implements BeforeAllCallback, AfterAllCallback {
  private TestDatabase database;

  @Override
  public void beforeAll(ExtensionContext context) {
    database = TestMariaDb.shared().createDatabase(context.getRequiredTestClass().getSimpleName());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (database != null) {
      database.drop();
      database = null;
    }
  }

  /** The test class's database; available from {@code @BeforeAll} on. */
  public TestDatabase database() {
    if (database == null) {
      throw new IllegalStateException(
          "register the extension as a static @RegisterExtension field");
    }
    return database;
  }

  /** Empties Cinder's tables (e.g. in {@code @BeforeEach}), referring rows first. */
  public void truncate() {
    for (int i = CinderSchema.TABLES.size() - 1; i >= 0; i--) {
      database().execute("DELETE FROM `" + CinderSchema.TABLES.get(i) + "`");
    }
  }
}
