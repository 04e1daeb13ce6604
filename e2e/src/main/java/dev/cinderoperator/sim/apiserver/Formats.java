package dev.cinderoperator.sim.apiserver;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The name and label formats of apimachinery's {@code validation/content} package, with its
 * messages word for word: each check returns the problems, empty when the value is valid.
 */
public final class Formats {
  private static final String DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String DNS1123_SUBDOMAIN = DNS1123_LABEL + "(\\." + DNS1123_LABEL + ")*";
  private static final String DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";
  private static final String LABEL_KEY = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final String LABEL_VALUE = "(" + LABEL_KEY + ")?";

  private static final Pattern DNS1123_LABEL_RE = Pattern.compile(DNS1123_LABEL);
  private static final Pattern DNS1123_SUBDOMAIN_RE = Pattern.compile(DNS1123_SUBDOMAIN);
  private static final Pattern DNS1035_LABEL_RE = Pattern.compile(DNS1035_LABEL);
  private static final Pattern LABEL_KEY_RE = Pattern.compile(LABEL_KEY);
  private static final Pattern LABEL_VALUE_RE = Pattern.compile(LABEL_VALUE);

  private static final String DNS1123_LABEL_MSG =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and"
          + " must start and end with an alphanumeric character";
  private static final String DNS1123_SUBDOMAIN_MSG =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
          + " '.', and must start and end with an alphanumeric character";
  private static final String DNS1035_LABEL_MSG =
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an"
          + " alphabetic character, and end with an alphanumeric character";
  private static final String LABEL_KEY_MSG =
      "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
          + " alphanumeric character";
  private static final String LABEL_VALUE_MSG =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or"
          + " '.', and must start and end with an alphanumeric character";

  public static final int LABEL_MAX = 63;
  public static final int SUBDOMAIN_MAX = 253;

  private Formats() {}

  /** {@code IsDNS1123Label}: namespaces, StatefulSets, pod hostnames. */
  public static List<String> dns1123Label(String value) {
    List<String> errs = new ArrayList<>();
    if (value.length() > LABEL_MAX) {
      errs.add(maxLen(LABEL_MAX));
    }
    if (!DNS1123_LABEL_RE.matcher(value).matches()) {
      if (DNS1123_SUBDOMAIN_RE.matcher(value).matches()) {
        errs.add("must not contain dots");
      } else {
        errs.add(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL, "my-name", "123-abc"));
      }
    }
    return errs;
  }

  /** {@code IsDNS1123Subdomain}: most object names. */
  public static List<String> dns1123Subdomain(String value) {
    List<String> errs = new ArrayList<>();
    if (value.length() > SUBDOMAIN_MAX) {
      errs.add(maxLen(SUBDOMAIN_MAX));
    }
    if (!DNS1123_SUBDOMAIN_RE.matcher(value).matches()) {
      errs.add(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN, "example.com"));
    }
    return errs;
  }

  /** {@code IsDNS1035Label}: Service names. */
  public static List<String> dns1035Label(String value) {
    List<String> errs = new ArrayList<>();
    if (value.length() > LABEL_MAX) {
      errs.add(maxLen(LABEL_MAX));
    }
    if (!DNS1035_LABEL_RE.matcher(value).matches()) {
      errs.add(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL, "my-name", "abc-123"));
    }
    return errs;
  }

  /** {@code IsLabelValue}. */
  public static List<String> labelValue(String value) {
    List<String> errs = new ArrayList<>();
    if (value.length() > LABEL_MAX) {
      errs.add(maxLen(LABEL_MAX));
    }
    if (!LABEL_VALUE_RE.matcher(value).matches()) {
      errs.add(regexError(LABEL_VALUE_MSG, LABEL_VALUE, "MyValue", "my_value", "12345"));
    }
    return errs;
  }

  /** {@code IsLabelKey} (a qualified name): label and annotation keys. */
  public static List<String> labelKey(String value) {
    List<String> errs = new ArrayList<>();
    String[] parts = value.split("/", -1);
    String name;
    switch (parts.length) {
      case 1 -> name = parts[0];
      case 2 -> {
        String prefix = parts[0];
        name = parts[1];
        if (prefix.isEmpty()) {
          errs.add("prefix part must be non-empty");
        } else {
          dns1123Subdomain(prefix).forEach(m -> errs.add("prefix part " + m));
        }
      }
      default -> {
        errs.add(
            "a valid label key "
                + regexError(LABEL_KEY_MSG, LABEL_KEY, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        return errs;
      }
    }
    if (name.isEmpty()) {
      errs.add("name part must be non-empty");
    } else if (name.length() > LABEL_MAX) {
      errs.add("name part " + maxLen(LABEL_MAX));
    }
    if (!LABEL_KEY_RE.matcher(name).matches()) {
      errs.add("name part " + regexError(LABEL_KEY_MSG, LABEL_KEY, "MyName", "my.name", "123-abc"));
    }
    return errs;
  }

  static String maxLen(int length) {
    return "must be no more than " + length + " characters";
  }

  /** {@code RegexError}: the message, the examples and the regex. */
  static String regexError(String msg, String regex, String... examples) {
    StringBuilder b = new StringBuilder(msg).append(" (e.g. ");
    for (int i = 0; i < examples.length; i++) {
      if (i > 0) {
        b.append(" or ");
      }
      b.append('\'').append(examples[i]).append("', ");
    }
    return b.append("regex used for validation is '").append(regex).append("')").toString();
  }
}
