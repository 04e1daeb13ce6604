package dev.cinderoperator.cinder;

import java.util.Arrays;

/**
 * An RPC or object version such as {@code 3.18}, compared numerically per part as Cinder's
 * versionutils does, so {@code 3.20 > 3.9}.
 */
public record DottedVersion(int[] parts) implements Comparable<DottedVersion> {

  public static DottedVersion parse(String text) {
    if (text == null || !text.matches("[0-9]+(\\.[0-9]+)*")) {
      throw new IllegalArgumentException("not a version: " + text);
    }
    return new DottedVersion(
        Arrays.stream(text.split("\\.")).mapToInt(Integer::parseInt).toArray());
  }

  public static boolean isValid(String text) {
    return text != null && text.matches("[0-9]+(\\.[0-9]+)*");
  }

  /** Compares two version strings; both must be valid. */
  public static int compare(String a, String b) {
    return parse(a).compareTo(parse(b));
  }

  @Override
  public int compareTo(DottedVersion o) {
    int n = Math.max(parts.length, o.parts.length);
    for (int i = 0; i < n; i++) {
      int x = i < parts.length ? parts[i] : 0;
      int y = i < o.parts.length ? o.parts[i] : 0;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DottedVersion v && compareTo(v) == 0;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(parts);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) b.append('.');
      b.append(parts[i]);
    }
    return b.toString();
  }
}
