package dev.cinderoperator.messaging;

import dev.cinderoperator.cinder.BackupCapabilityReport;

/**
 * Cinder's message bus as the operator uses it: one kind of message, a backup host's capability
 * report, cast to every running cinder-scheduler. The RabbitMQ implementation talks to the real
 * broker; the simulated cluster has its own.
 */
public interface SchedulerBus extends AutoCloseable {

  /**
   * Casts the report to every scheduler.
   *
   * @return false when no scheduler listens (its fanout exchange does not exist): nobody to tell
   * @throws MessagingUnavailableException when the broker cannot be reached or refuses it
   */
  boolean publish(BackupCapabilityReport report);

  @Override
  void close();
}
