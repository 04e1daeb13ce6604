package dev.cinderoperator.e2e.reliability;

import java.nio.file.Files;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Writes {@code target/reliability.md} from the fault records when a test JVM ends its JUnit
 * session, so the table is the test run's own (registered in META-INF/services). Every JVM writes
 * the table of all records so far; the last one's is the run's.
 */
public final class ReliabilityTableWriter implements LauncherSessionListener {
  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (Files.isDirectory(FaultRecord.directory())) {
      System.out.println("reliability table: " + ReliabilityTable.write(FaultRecord.directory()));
    }
  }
}
