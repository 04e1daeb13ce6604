package dev.cinderoperator.messaging;

/** Cinder's message broker could not take a message; the message names no credentials. */
public class MessagingUnavailableException extends RuntimeException {
  public MessagingUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public MessagingUnavailableException(String message) {
    super(message);
  }
}
