package dev.cinderoperator.bench;

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

  /**
   * Live instances of a class (a full GC first), from the JVM's class histogram; -1 when the
   * diagnostic command is not there.
   */
  static long liveInstances(String className) {
    try {
      String histogram =
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                      "gcClassHistogram",
                      new Object[] {new String[0]},
                      new String[] {String[].class.getName()});
      for (String line : histogram.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 4 && f[3].equals(className)) {
          return Long.parseLong(f[1]);
        }
      }
      return 0;
    } catch (javax.management.JMException e) {
      return -1;
    }
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
