package dev.cinderoperator.sim.db;

import dev.cinderoperator.cinder.ServiceRow;
import java.util.List;

/** One Cinder database per CinderCluster, as the simulated processes reach them. */
public interface SimDatabases {
  SimServicesTable servicesTable(String namespace, String cluster);

  /** The cluster's backups table, as the simulated backup services write it. */
  SimBackupsTable backups(String namespace, String cluster);

  /** A cluster's live rows for the invariant checker, read even during a simulated outage. */
  default List<ServiceRow> peek(String namespace, String cluster) {
    return servicesTable(namespace, cluster).liveRows();
  }
}
