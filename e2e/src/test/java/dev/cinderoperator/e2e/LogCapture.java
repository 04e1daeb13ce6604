package dev.cinderoperator.e2e;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the operator's log lines (message and any exception text) while a scenario runs, for the
 * secrets scan. The simulator's own loggers are left out: they are the test's, not the product's.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {
  /** The e2e module's own packages: the simulated cluster, real-Cinder runtime, demo, tests. */
  private static final List<String> HARNESS =
      List.of(
          "dev.cinderoperator.sim",
          "dev.cinderoperator.realcinder",
          "dev.cinderoperator.traffic",
          "dev.cinderoperator.demo",
          "dev.cinderoperator.bench",
          "dev.cinderoperator.e2e");

  private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

  private LogCapture() {
    super("secrets-scan-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
  }

  static LogCapture begin() {
    LogCapture capture = new LogCapture();
    capture.start();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().addAppender(capture, Level.ALL, null);
    ctx.updateLoggers();
    return capture;
  }

  @Override
  public void append(LogEvent event) {
    String logger = event.getLoggerName() == null ? "" : event.getLoggerName();
    if (HARNESS.stream().anyMatch(p -> logger.startsWith(p + "."))) {
      return;
    }
    StringBuilder line = new StringBuilder(logger).append(' ');
    line.append(event.getMessage().getFormattedMessage());
    for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
      line.append(" | ").append(t);
    }
    event.getContextData().forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
    lines.add(line.toString());
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().removeAppender(getName());
    ctx.updateLoggers();
    stop();
  }
}
