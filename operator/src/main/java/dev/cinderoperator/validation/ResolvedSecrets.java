package dev.cinderoperator.validation;

import dev.cinderoperator.cinder.SqlAlchemyUrl;

/**
 * The database and messaging URLs read from the referenced Secrets. {@link #toString()} hides both.
 */
public record ResolvedSecrets(SqlAlchemyUrl database, String databaseUrl, String transportUrl) {
  @Override
  public String toString() {
    return "ResolvedSecrets[database=" + database + ", transportUrl=***]";
  }
}
