package dev.cinderoperator.sim.cinder;

import dev.cinderoperator.sim.node.ContainerRuntime.JobResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cinder-status upgrade check --json} as Cinder runs it (cinder/cmd/status.py of 21.3.1):
 * "Backup Driver Path" and "Removed Drivers" read the configuration the job was given, so with
 * {@code cinder.conf} alone (no {@code enabled_backends}, no {@code backup_driver}) they pass
 * blindly; the other checks pass. Prints one JSON line; exits with the worst result (0, 1, 2).
 */
final class SimulatedUpgradeCheck {
  /** REMOVED_DRVRS of 21.3.1's status.py: a volume_driver containing one of these fails. */
  static final List<String> REMOVED_DRIVERS =
      List.of("coprhd", "drbdmanage", "disco", "hgst", "hpe_lefthand", "sheepdog", "zfssa");

  private SimulatedUpgradeCheck() {}

  /**
   * @param conf the job's config files, merged in the order it reads them
   * @param forced a result every run reports on top (0 none, 1 a warning, 2 a failure)
   */
  static JobResult run(IniFile conf, int forced) {
    Map<String, Object[]> checks = new LinkedHashMap<>();
    checks.put("Backup Driver Path", backupDriverPath(conf));
    checks.put("Use of Policy File", ok());
    checks.put("Windows Driver Path", ok());
    checks.put("Removed Drivers", removedDrivers(conf));
    checks.put("Periodic Interval Use", ok());
    checks.put("Service UUIDs", ok());
    checks.put("Attachment specs", ok());
    checks.put("Use of Nested Quota Driver", ok());
    if (forced == 1) {
      checks.put(
          "Periodic Interval Use",
          new Object[] {1, "Detected non-default value for the 'periodic_interval' option."});
    } else if (forced >= 2) {
      checks.put(
          "Use of Nested Quota Driver",
          new Object[] {
            2,
            "The NestedDbQuotaDriver was deprecated in Train release and is removed in Wallaby"
                + " release."
          });
    }
    int worst = 0;
    List<String> json = new ArrayList<>();
    for (Map.Entry<String, Object[]> e : checks.entrySet()) {
      int result = (Integer) e.getValue()[0];
      worst = Math.max(worst, result);
      String details = (String) e.getValue()[1];
      json.add(
          "{\"check\": \""
              + e.getKey()
              + "\", \"result\": "
              + result
              + ", \"details\": "
              + (details == null ? "null" : "\"" + details.replace("\"", "\\\"") + "\"")
              + "}");
    }
    return new JobResult(
        worst,
        "{\"name\": \"Upgrade Check Results\", \"checks\": [" + String.join(", ", json) + "]}");
  }

  private static Object[] ok() {
    return new Object[] {0, null};
  }

  private static Object[] backupDriverPath(IniFile conf) {
    String driver = conf.get("DEFAULT", "backup_driver");
    if (driver != null && driver.equals(driver.toLowerCase(Locale.ROOT))) {
      return new Object[] {
        1,
        "Backup driver configuration requires the full path to the driver, but current setting is"
            + " using only the module path."
      };
    }
    return ok();
  }

  private static Object[] removedDrivers(IniFile conf) {
    String enabled = conf.get("DEFAULT", "enabled_backends");
    if (enabled == null || enabled.isBlank()) {
      return ok();
    }
    List<String> removed = new ArrayList<>();
    for (String backend : enabled.split(",")) {
      String driver = conf.section(backend.strip()).get("volume_driver");
      if (driver != null && REMOVED_DRIVERS.stream().anyMatch(driver::contains)) {
        removed.add(driver);
      }
    }
    if (removed.isEmpty()) {
      return ok();
    }
    if (removed.size() == 1) {
      return new Object[] {
        2,
        "Found driver "
            + removed.get(0)
            + " configured in your cinder.conf file. This driver has been removed and all data"
            + " should be migrated off of this backend before upgrading Cinder."
      };
    }
    return new Object[] {
      2,
      "The following drivers, which no longer exist, were found configured in your cinder.conf"
          + " file:\n"
          + String.join(",\n", removed)
          + ".\nThese drivers have been removed and all data should be migrated off of the"
          + " associated backends before upgrading Cinder."
    };
  }
}
