package dev.cinderoperator.api;

/** What to do with services rows of this cluster that no live pod owns. */
public enum StaleServicesPolicy {
  /** Soft-delete them, as {@code cinder-manage service remove} does. */
  Remove,
  /** Stop and wait for a person to remove them. */
  Block
}
