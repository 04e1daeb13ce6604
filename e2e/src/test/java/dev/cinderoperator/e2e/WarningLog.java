package dev.cinderoperator.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * Keeps every WARN and ERROR logged in this JVM while attached, so a scenario can count what the
 * operator told its log (e.g. no stack trace for a fault it handles).
 */
final class WarningLog extends AbstractAppender implements AutoCloseable {

  /** One kept line: logger, level, message and whether a stack trace came with it. */
  record Line(String logger, Level level, String message, boolean withStackTrace) {}

  private final List<Line> lines = new CopyOnWriteArrayList<>();

  private WarningLog() {
    super("scenario-warnings-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
  }

  static WarningLog attach() {
    WarningLog capture = new WarningLog();
    capture.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().getRootLogger().addAppender(capture, Level.WARN, null);
    context.updateLoggers();
    return capture;
  }

  @Override
  public void append(LogEvent event) {
    lines.add(
        new Line(
            event.getLoggerName(),
            event.getLevel(),
            event.getMessage().getFormattedMessage(),
            event.getThrown() != null));
  }

  List<Line> lines(Predicate<Line> filter) {
    return lines.stream().filter(filter).toList();
  }

  @Override
  public void close() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().getRootLogger().removeAppender(getName());
    context.updateLoggers();
    stop();
  }
}
