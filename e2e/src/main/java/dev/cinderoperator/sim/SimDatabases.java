package dev.cinderoperator.sim;

/** One Cinder database per CinderCluster, as the simulated processes reach them. */
public interface SimDatabases {
  SimServicesTable servicesTable(String namespace, String cluster);
}
