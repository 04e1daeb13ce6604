package dev.cinderoperator.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's memory as an operator's container would report it. */
final class ProcessMemory {
  private ProcessMemory() {}

  /** Heap in use after a full collection, MiB. */
  static double heapAfterGcMiB() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mib(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
  }

  /** Resident set size (VmRSS of /proc/self/status), MiB; -1 where there is no /proc. */
  static double rssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return mib(kib * 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static double mib(long bytes) {
    return Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
  }
}
