package dev.cinderoperator.cli;

/**
 * An expected failure caused by the input or the environment (a missing file, a typo, no cluster):
 * printed as one line, with the stack trace only under {@code --debug}.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
