package dev.cinderoperator.validation;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.SecretKeyRef;
import dev.cinderoperator.cinder.SqlAlchemyUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the database and messaging URLs from their Secrets and checks them. Messages name the
 * Secret and key, never the value.
 */
public final class SecretResolver {
  /** Secret name to its decoded data, or empty when the Secret does not exist. */
  private final Function<String, Optional<Map<String, String>>> secrets;

  public SecretResolver(Function<String, Optional<Map<String, String>>> secrets) {
    this.secrets = secrets;
  }

  public Result resolve(CinderClusterSpec spec) {
    List<SpecProblem> problems = new ArrayList<>();
    Optional<String> db =
        read("spec.database.secretRef", spec.getDatabase().getSecretRef(), "Database", problems);
    Optional<String> mq =
        read("spec.messaging.secretRef", spec.getMessaging().getSecretRef(), "Messaging", problems);
    SqlAlchemyUrl url = null;
    if (db.isPresent()) {
      SqlAlchemyUrl.Result parsed = SqlAlchemyUrl.parse(db.get());
      if (parsed.isOk()) {
        url = parsed.url().get();
      } else {
        SecretKeyRef ref = spec.getDatabase().getSecretRef();
        problems.add(
            new SpecProblem(
                "spec.database.secretRef",
                "InvalidDatabaseUrl",
                "the database URL in Secret "
                    + ref.getName()
                    + " key "
                    + ref.getKey()
                    + " "
                    + parsed.error()));
      }
    }
    if (mq.isPresent() && !mq.get().trim().matches("^[a-z][a-z0-9+]*://.+")) {
      SecretKeyRef ref = spec.getMessaging().getSecretRef();
      problems.add(
          new SpecProblem(
              "spec.messaging.secretRef",
              "InvalidTransportUrl",
              "the transport URL in Secret "
                  + ref.getName()
                  + " key "
                  + ref.getKey()
                  + " is not an oslo.messaging URL: expected rabbit://USER:PASSWORD@HOST:5672/"));
    }
    if (!problems.isEmpty()) {
      return new Result(null, problems);
    }
    return new Result(new ResolvedSecrets(url, db.get().trim(), mq.get().trim()), List.of());
  }

  private Optional<String> read(
      String field, SecretKeyRef ref, String what, List<SpecProblem> problems) {
    Optional<Map<String, String>> data = secrets.apply(ref.getName());
    if (data.isEmpty()) {
      problems.add(
          new SpecProblem(
              field + ".name",
              "Missing" + what + "Secret",
              "Secret "
                  + ref.getName()
                  + " named in "
                  + field
                  + " does not exist in this namespace: create it or fix the name"));
      return Optional.empty();
    }
    String value = data.get().get(ref.getKey());
    if (value == null || value.isBlank()) {
      String reason = "Missing" + what + "SecretKey";
      String hint =
          what.equals("Messaging")
              ? "put the oslo.messaging transport URL (rabbit://...) under that key"
              : "put the SQLAlchemy URL (mysql+pymysql://...) under that key";
      problems.add(
          new SpecProblem(
              field + ".key",
              reason,
              "Secret "
                  + ref.getName()
                  + " has no key '"
                  + ref.getKey()
                  + "' (or it is empty), named in "
                  + field
                  + ": "
                  + hint));
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /** The resolved URLs, or the problems found. */
  public record Result(ResolvedSecrets secrets, List<SpecProblem> problems) {
    public boolean isOk() {
      return problems.isEmpty();
    }
  }
}
