package dev.cinderoperator.sim.db;

import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.db.DatabaseUnavailableException;
import java.util.List;

/**
 * The services table as simulated Cinder processes write it: the few statements {@code
 * cinder/service.py} runs. The in-memory implementation serves the demo and the fast tests; a JDBC
 * one writes the same rows into a real MariaDB. Every method throws {@link
 * DatabaseUnavailableException} while the database is down.
 */
public interface SimServicesTable {

  /**
   * {@code Service.__init__}: updates the versions (and an empty cluster_name) of the non-deleted
   * row of (host, binary), or inserts one.
   */
  ServiceRow register(ServiceRegistration registration);

  /**
   * {@code report_state}: bumps report_count and updated_at of the row; re-creates it when it was
   * soft-deleted meanwhile, as Cinder does.
   *
   * @return the row now in the table (a new id when re-created)
   */
  ServiceRow heartbeat(long id, ServiceRegistration registration);

  /** Every non-deleted row (what {@code get_minimum_rpc_version} iterates). */
  List<ServiceRow> liveRows();

  /** Puts a row as a test wants it (stale, version-less, of an old release). */
  ServiceRow insert(ServiceRow row);
}
