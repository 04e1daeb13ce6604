package dev.cinderoperator.sim.apiserver;

/**
 * One field-level validation error as apimachinery's {@code field.Error} prints it: {@code <field>:
 * <type>[: <value>][: <detail>]}.
 *
 * @param type the cause type ({@code FieldValueInvalid}, {@code FieldValueForbidden}, ...)
 * @param field the field path, e.g. {@code metadata.labels}
 * @param value the bad value as Go prints it (strings quoted), or null when the type omits it
 * @param detail what is wrong, may be empty
 */
public record FieldError(String type, String field, String value, String detail) {
  public static final String INVALID = "FieldValueInvalid";
  public static final String FORBIDDEN = "FieldValueForbidden";
  public static final String REQUIRED = "FieldValueRequired";
  public static final String NOT_SUPPORTED = "FieldValueNotSupported";

  /** {@code field.Invalid} with a string value, which Go prints with %q. */
  public static FieldError invalid(String field, String value, String detail) {
    return new FieldError(INVALID, field, quote(value), detail);
  }

  /** {@code field.Invalid} with a value already rendered as Go renders it (%v, %#v, String()). */
  public static FieldError invalidRendered(String field, String rendered, String detail) {
    return new FieldError(INVALID, field, rendered, detail);
  }

  public static FieldError forbidden(String field, String detail) {
    return new FieldError(FORBIDDEN, field, null, detail);
  }

  public static FieldError required(String field, String detail) {
    return new FieldError(REQUIRED, field, null, detail);
  }

  /** {@code ErrorBody()}: the message without the field, as a Status cause carries it. */
  public String body() {
    String s =
        switch (type) {
          case INVALID -> "Invalid value";
          case FORBIDDEN -> "Forbidden";
          case REQUIRED -> "Required value";
          case NOT_SUPPORTED -> "Unsupported value";
          default -> type;
        };
    if (value != null) {
      s += ": " + value;
    }
    if (detail != null && !detail.isEmpty()) {
      s += ": " + detail;
    }
    return s;
  }

  @Override
  public String toString() {
    return field + ": " + body();
  }

  /** Go's %q for the printable ASCII values names and labels consist of. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
