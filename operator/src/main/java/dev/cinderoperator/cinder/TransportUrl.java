package dev.cinderoperator.cinder;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An oslo.messaging transport URL as Cinder's {@code transport_url} takes it, for the RabbitMQ
 * driver: {@code rabbit://user:pw@host1:5672,user:pw@host2:5672/vhost?ssl=1}
 * (oslo_messaging/transport.py TransportURL.parse). A host without credentials borrows the previous
 * host's, as oslo.messaging does; an empty path is the default vhost {@code /}.
 *
 * <p>{@link #toString()} never shows a password.
 */
public record TransportUrl(
    String transport, List<Host> hosts, String virtualHost, Map<String, String> query) {

  /** One broker of the URL. */
  public record Host(String user, String password, String host, int port) {
    @Override
    public String toString() {
      return user + ":***@" + host + ":" + port;
    }
  }

  /** Parses the URL, or returns why the operator cannot use it (never echoing the URL itself). */
  public static Result parse(String url) {
    UrlScheme scheme =
        UrlScheme.of(url, "an oslo.messaging URL: expected rabbit://USER:PASSWORD@HOST:5672/");
    if (scheme.error() != null) {
      return Result.error(scheme.error());
    }
    String transport = scheme.scheme();
    if (!transport.equals("rabbit")) {
      return Result.error(
          "uses the transport '"
              + transport
              + "'; the operator tells Cinder's schedulers about backup hosts over RabbitMQ"
              + " (rabbit://) only");
    }
    String rest = scheme.url().substring(transport.length() + 3);
    String queryText = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      queryText = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    String path = "";
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      path = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
    }
    List<Host> hosts = new ArrayList<>();
    String error = parseHosts(rest, hosts);
    Map<String, String> query = new LinkedHashMap<>();
    if (error == null) {
      error = parseQuery(queryText, query);
    }
    if (error != null) {
      return Result.error(error);
    }
    String vhost = path.isEmpty() ? "/" : decode(path);
    return Result.ok(new TransportUrl(transport, List.copyOf(hosts), vhost, Map.copyOf(query)));
  }

  /**
   * Adds the brokers of {@code USER:PASSWORD@HOST:PORT,...} to {@code hosts}; a broker without
   * credentials takes those of the one before it (guest/guest for the first).
   *
   * @return why they cannot be used, null when they can
   */
  private static String parseHosts(String text, List<Host> hosts) {
    String user = "guest";
    String password = "guest";
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        return "has an empty host";
      }
      String hostPort = part;
      int at = part.lastIndexOf('@');
      if (at >= 0) {
        String credentials = part.substring(0, at);
        hostPort = part.substring(at + 1);
        int colon = credentials.indexOf(':');
        user = decode(colon < 0 ? credentials : credentials.substring(0, colon));
        password = colon < 0 ? "" : decode(credentials.substring(colon + 1));
      }
      String host = hostPort;
      int port = 5672;
      int colon = hostPort.lastIndexOf(':');
      boolean bracketed = hostPort.startsWith("[");
      if (colon > 0 && (!bracketed || colon > hostPort.indexOf(']'))) {
        try {
          port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
          return "has a port that is not a number";
        }
        host = hostPort.substring(0, colon);
      }
      if (port < 1 || port > 65535) {
        return "has port " + port + " outside 1-65535";
      }
      if (bracketed) {
        host = host.substring(1, host.length() - 1);
      }
      if (host.isBlank()) {
        return "has an empty host";
      }
      hosts.add(new Host(user, password, host, port));
    }
    return null;
  }

  /** Adds the {@code NAME=VALUE&...} options to {@code query}; why not, or null. */
  private static String parseQuery(String text, Map<String, String> query) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    for (String pair : text.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        return "has a malformed query option (expected NAME=VALUE)";
      }
      query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
    }
    return null;
  }

  /** Whether the URL asks for TLS ({@code ?ssl=1}, as oslo.messaging's rabbit driver reads it). */
  public boolean ssl() {
    String v = query.get("ssl");
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes"));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return transport + "://" + String.join(",", hosts.stream().map(Host::toString).toList()) + "/";
  }

  /** A parsed URL or the reason it is unusable. */
  public record Result(Optional<TransportUrl> url, String error) {
    static Result ok(TransportUrl url) {
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
