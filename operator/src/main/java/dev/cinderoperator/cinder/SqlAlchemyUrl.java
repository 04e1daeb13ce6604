package dev.cinderoperator.cinder;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a SQLAlchemy database URL as Cinder's {@code [database] connection} takes it, for
 * the MySQL family only: {@code mysql+pymysql://user:pw@host:3306/cinder?charset=utf8}.
 *
 * <p>{@link #toString()} never shows the password.
 */
public record SqlAlchemyUrl(
    String dialect,
    String user,
    String password,
    String host,
    int port,
    String database,
    Map<String, String> query) {

  /** Dialects Cinder runs on that MariaDB Connector/J can reach too. */
  public static final Set<String> SUPPORTED_DIALECTS =
      Set.of("mysql", "mysql+pymysql", "mariadb", "mariadb+pymysql", "mysql+mysqldb");

  private static final Pattern URL =
      Pattern.compile(
          "^(?<dialect>[a-z][a-z0-9+]*)://"
              + "(?:(?<user>[^:@/]*)(?::(?<password>[^@/]*))?@)?"
              + "(?<host>\\[[0-9a-fA-F:]+]|[^:/?]+)"
              + "(?::(?<port>[0-9]{1,5}))?"
              + "/(?<db>[^?]+)"
              + "(?:\\?(?<query>.*))?$");

  /** Parses the URL, or returns why it cannot be used (never echoing the URL itself). */
  public static Result parse(String url) {
    UrlScheme scheme =
        UrlScheme.of(
            url, "a SQLAlchemy URL: expected mysql+pymysql://USER:PASSWORD@HOST:PORT/DATABASE");
    if (scheme.error() != null) {
      return Result.error(scheme.error());
    }
    String trimmed = scheme.url();
    String dialect = scheme.scheme();
    if (!SUPPORTED_DIALECTS.contains(dialect)) {
      return Result.error(
          "uses the dialect '"
              + dialect
              + "'; the operator reads Cinder's services table over MySQL/MariaDB only: use one of "
              + String.join(", ", SUPPORTED_DIALECTS.stream().sorted().toList()));
    }
    Matcher m = URL.matcher(trimmed);
    if (!m.matches()) {
      return Result.error(
          "is malformed: expected " + dialect + "://USER:PASSWORD@HOST[:PORT]/DATABASE[?OPTIONS]");
    }
    int port = 3306;
    if (m.group("port") != null) {
      port = Integer.parseInt(m.group("port"));
      if (port < 1 || port > 65535) {
        return Result.error("has port " + port + " outside 1-65535");
      }
    }
    Map<String, String> query = new LinkedHashMap<>();
    if (m.group("query") != null && !m.group("query").isEmpty()) {
      for (String pair : m.group("query").split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          return Result.error("has a malformed query option (expected NAME=VALUE)");
        }
        query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    String host = m.group("host");
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return Result.ok(
        new SqlAlchemyUrl(
            dialect,
            m.group("user") == null ? "" : decode(m.group("user")),
            m.group("password") == null ? "" : decode(m.group("password")),
            host,
            port,
            decode(m.group("db")),
            Map.copyOf(query)));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The JDBC URL for MariaDB Connector/J, without credentials. */
  public String jdbcUrl() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "jdbc:mariadb://" + h + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return dialect + "://" + user + ":***@" + host + ":" + port + "/" + database;
  }

  /** A parsed URL or the reason it is unusable. */
  public record Result(Optional<SqlAlchemyUrl> url, String error) {
    static Result ok(SqlAlchemyUrl url) {
      return new Result(Optional.of(url), null);
    }

    static Result error(String error) {
      return new Result(Optional.empty(), error);
    }

    public boolean isOk() {
      return url.isPresent();
    }
  }
}
