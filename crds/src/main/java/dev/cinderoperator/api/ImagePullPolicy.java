package dev.cinderoperator.api;

/** Kubernetes image pull policy. */
public enum ImagePullPolicy {
  Always,
  IfNotPresent,
  Never
}
