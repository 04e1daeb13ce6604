package dev.cinderoperator.api;

/** How scheduler, volume and backup services drop their version pins after the roll. */
public enum UnpinStrategy {
  /** SIGHUP to PID 1 of each pod (pods/exec): pins reset, the process keeps running. */
  Signal,
  /** Delete each pod once more, one at a time. */
  Restart
}
