package dev.cinderoperator.sim.cinder;

import static dev.cinderoperator.cinder.CinderBinary.BACKUP;
import static dev.cinderoperator.cinder.CinderBinary.SCHEDULER;
import static dev.cinderoperator.cinder.CinderBinary.VOLUME;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.DottedVersion;
import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.workload.Component;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Cinder's rules for version pins: the cap a client computes from the services rows at start
 * (rpc.py), which RPC clients each manager builds, and what SIGHUP rebuilds.
 */
final class PinRules {
  private static final Set<CinderBinary> ALL = EnumSet.allOf(CinderBinary.class);

  private final ReleaseCatalog catalog;

  PinRules(ReleaseCatalog catalog) {
    this.catalog = catalog;
  }

  /**
   * determine_rpc_version_cap / determine_obj_version_cap: the minimum over the target binary's
   * non-deleted rows, the client's own version when there are none (rpc.py:249-281).
   */
  CachedPin pinFor(CinderBinary target, List<ServiceRow> rows, Release own) {
    String rpc = null;
    String obj = null;
    for (ServiceRow row : rows) {
      if (!row.binary().equals(target.binaryName())) {
        continue;
      }
      if (row.rpcVersion() == null || row.objectVersion() == null) {
        throw new IllegalStateException(
            "ServiceTooOld: One of the services is in Liberty version. We do not provide backward"
                + " compatibility with Liberty now, you need to upgrade to Mitaka first. (row "
                + row.binary()
                + " "
                + row.host()
                + " has no version)");
      }
      if (rpc == null || DottedVersion.compare(row.rpcVersion(), rpc) < 0) {
        rpc = row.rpcVersion();
      }
      if (obj == null || DottedVersion.compare(row.objectVersion(), obj) < 0) {
        obj = row.objectVersion();
      }
    }
    if (rpc == null) {
      return new CachedPin(own.rpcVersion(target), own.objectVersion());
    }
    String cap = obj;
    if (!catalog.knownObjectVersions(own.name()).map(k -> k.contains(cap)).orElse(true)) {
      throw new IllegalStateException(
          "CappedVersionUnknown: Unrecoverable Error: Versioned Objects in DB are capped to unknown"
              + " version "
              + obj
              + ". Most likely your environment contains only new services and you are trying to"
              + " start an older one. Use `cinder-manage service list` to check that and upgrade"
              + " them.");
    }
    return new CachedPin(rpc, obj);
  }

  /** The RPC clients each component's manager builds at start. */
  static Set<CinderBinary> clientsOf(String component) {
    if (Component.VOLUME.label().equals(component)) {
      return EnumSet.of(SCHEDULER, VOLUME);
    }
    return ALL;
  }

  /**
   * What Manager.reset rebuilds (facts §3.4): the scheduler keeps its backup_api, so its backup cap
   * stays until a restart.
   */
  static Set<CinderBinary> resetOnSighup(String component) {
    if (Component.SCHEDULER.label().equals(component)) {
      return EnumSet.of(SCHEDULER, VOLUME);
    }
    return clientsOf(component);
  }

  static CinderBinary binaryOf(String component) {
    if (Component.SCHEDULER.label().equals(component)) {
      return SCHEDULER;
    }
    if (Component.VOLUME.label().equals(component)) {
      return VOLUME;
    }
    if (Component.BACKUP.label().equals(component)) {
      return BACKUP;
    }
    return null;
  }

  static boolean isLongRunning(String component) {
    return Component.API.label().equals(component) || binaryOf(component) != null;
  }
}
