package dev.cinderoperator.cli;

/**
 * Log levels for the commands that talk to a person rather than run as a service: before the first
 * logger exists, since log4j2.xml reads them once.
 */
final class Logging {
  private Logging() {}

  /** No library logs on the console unless {@code --debug}: the command says what went wrong. */
  static void quietUnless(boolean debug) {
    System.setProperty("cinder.logLevel", debug ? "DEBUG" : "OFF");
    System.setProperty("cinder.libraryLogLevel", debug ? "INFO" : "OFF");
  }
}
