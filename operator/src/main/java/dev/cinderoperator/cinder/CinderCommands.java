package dev.cinderoperator.cinder;

import java.util.List;

/**
 * The exact command lines of Cinder's own tools the operator runs as Jobs. Checked against Debian's
 * Cinder 21.3.1: both tools take {@code --config-file} and {@code --nodebug} (which keeps log lines
 * out of stdout).
 */
public final class CinderCommands {
  public static final String DEFAULT_CONFIG_FILE =
      CinderConf.CONFIG_DIR + "/" + CinderConf.COMMON_FILE;
  public static final String DEFAULT_TERMINATION_LOG = "/dev/termination-log";

  /**
   * Prints the versions the image's Cinder code reports, as one JSON object on stdout and into the
   * file named by its first argument (the container's termination message). Pre-Xena histories
   * start with the name {@code liberty}; only dotted versions are kept.
   */
  static final String VERSION_PROBE_PROGRAM =
      String.join(
          "\n",
          "import json, sys",
          "from cinder.backup import rpcapi as backup_rpcapi",
          "from cinder.objects import base as objects_base",
          "from cinder.scheduler import rpcapi as scheduler_rpcapi",
          "from cinder.volume import rpcapi as volume_rpcapi",
          "history = [v for v in objects_base.OBJ_VERSIONS.versions if v[:1].isdigit()]",
          "out = json.dumps({",
          "    'rpc': {",
          "        'cinder-scheduler': scheduler_rpcapi.SchedulerAPI.RPC_API_VERSION,",
          "        'cinder-volume': volume_rpcapi.VolumeAPI.RPC_API_VERSION,",
          "        'cinder-backup': backup_rpcapi.BackupAPI.RPC_API_VERSION,",
          "    },",
          "    'objects': objects_base.OBJ_VERSIONS.get_current(),",
          "    'objectHistory': history,",
          "}, sort_keys=True)",
          "print(out)",
          "try:",
          "    with open(sys.argv[1], 'w') as f:",
          "        f.write(out)",
          "except OSError as e:",
          "    print('cannot write %s: %s' % (sys.argv[1], e), file=sys.stderr)",
          "");

  private final String configFile;

  public CinderCommands(String configFile) {
    if (configFile == null || configFile.isBlank()) {
      throw new IllegalArgumentException(
          "configFile must name cinder.conf, e.g. " + DEFAULT_CONFIG_FILE);
    }
    this.configFile = configFile;
  }

  /** Commands reading {@value #DEFAULT_CONFIG_FILE}. */
  public static CinderCommands standard() {
    return new CinderCommands(DEFAULT_CONFIG_FILE);
  }

  public String configFile() {
    return configFile;
  }

  /**
   * {@code cinder-manage db sync} for a rolling upgrade: schema only. Never bumps the services'
   * versions, which would pin old services above what they speak.
   */
  public List<String> dbSync() {
    return manage("db", "sync");
  }

  /**
   * {@code cinder-manage db sync --bump-versions}: for an offline upgrade only, when no old service
   * runs any more; it sets every non-deleted row's versions to this code's.
   */
  public List<String> dbSyncBumpingVersions() {
    return manage("db", "sync", "--bump-versions");
  }

  /**
   * One pass of {@code cinder-manage db online_data_migrations} over up to {@code maxCount} rows.
   */
  public List<String> onlineDataMigrations(int maxCount) {
    if (maxCount < 1) {
      throw new IllegalArgumentException(
          "spec.upgrade.onlineDataMigrationBatch is " + maxCount + "; it must be 1 or more");
    }
    return manage("db", "online_data_migrations", "--max_count", Integer.toString(maxCount));
  }

  /**
   * {@code cinder-status upgrade check}: run from the target image against the current database.
   */
  public List<String> upgradeCheck() {
    return List.of("cinder-status", "--config-file", configFile, "--nodebug", "upgrade", "check");
  }

  /** The version probe: needs Cinder's Python packages only, neither config nor database. */
  public List<String> versionProbe(String terminationLogPath) {
    if (terminationLogPath == null || terminationLogPath.isBlank()) {
      throw new IllegalArgumentException(
          "terminationLogPath must name a file, e.g. /dev/termination-log");
    }
    return List.of("python3", "-c", VERSION_PROBE_PROGRAM, terminationLogPath);
  }

  /** The version probe writing to {@value #DEFAULT_TERMINATION_LOG}. */
  public List<String> versionProbe() {
    return versionProbe(DEFAULT_TERMINATION_LOG);
  }

  private List<String> manage(String... action) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of("cinder-manage", "--config-file", configFile, "--nodebug"),
            java.util.stream.Stream.of(action))
        .toList();
  }
}
