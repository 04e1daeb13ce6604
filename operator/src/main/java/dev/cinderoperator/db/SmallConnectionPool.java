package dev.cinderoperator.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.sql.DataSource;

/**
 * Keeps up to a few idle connections for reuse and checks each before lending it; no background
 * threads, so an unreachable database costs nothing between calls.
 */
final class SmallConnectionPool implements AutoCloseable {
  private final DataSource source;
  private final int maxIdle;
  private final int validationTimeoutSeconds;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  SmallConnectionPool(DataSource source, int maxIdle, int validationTimeoutSeconds) {
    this.source = source;
    this.maxIdle = maxIdle;
    this.validationTimeoutSeconds = validationTimeoutSeconds;
  }

  Connection borrow() throws SQLException {
    while (true) {
      Connection c;
      synchronized (this) {
        if (closed) {
          throw new SQLException("the connection pool is closed", "08003");
        }
        c = idle.pollFirst();
      }
      if (c == null) {
        return source.getConnection();
      }
      if (c.isValid(validationTimeoutSeconds)) {
        return c;
      }
      closeQuietly(c);
    }
  }

  /** Takes a connection back; a connection that failed is closed rather than kept. */
  void giveBack(Connection c, boolean healthy) {
    synchronized (this) {
      if (healthy && !closed && idle.size() < maxIdle) {
        idle.addFirst(c);
        return;
      }
    }
    closeQuietly(c);
  }

  @Override
  public void close() {
    Deque<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayDeque<>(idle);
      idle.clear();
    }
    toClose.forEach(SmallConnectionPool::closeQuietly);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // the connection is being discarded either way
    }
  }
}
