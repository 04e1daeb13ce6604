package dev.cinderoperator.threads;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Threads for the background work of tests and their tools, which must never keep a JVM alive. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Daemon threads named {@code <name>-1}, {@code <name>-2}, ... */
  public static ThreadFactory named(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
