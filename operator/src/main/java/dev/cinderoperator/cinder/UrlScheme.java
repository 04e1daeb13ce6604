package dev.cinderoperator.cinder;

/**
 * The scheme of a connection URL (what stands before {@code ://}) and the URL trimmed, or why it
 * has none. Never echoes the URL: it may carry a password.
 */
record UrlScheme(String scheme, String url, String error) {

  /**
   * @param expected what the URL should be, e.g. {@code a SQLAlchemy URL: expected mysql+...}
   */
  static UrlScheme of(String url, String expected) {
    if (url == null || url.isBlank()) {
      return new UrlScheme(null, null, "is empty");
    }
    String trimmed = url.trim();
    int scheme = trimmed.indexOf("://");
    if (scheme <= 0) {
      return new UrlScheme(null, null, "is not " + expected);
    }
    return new UrlScheme(trimmed.substring(0, scheme), trimmed, null);
  }
}
