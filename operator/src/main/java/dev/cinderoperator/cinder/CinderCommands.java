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
   * file named by its first argument (the container's termination message): the RPC and object
   * versions, and the package version ({@code cinder.version}, e.g. 29.0.0; null when pbr cannot
   * tell), whose major names the series. Pre-Xena histories start with the name {@code liberty};
   * only dotted versions are kept.
   */
  static final String VERSION_PROBE_PROGRAM =
      String.join(
          "\n",
          "import json, sys",
          "from cinder.backup import rpcapi as backup_rpcapi",
          "from cinder.objects import base as objects_base",
          "from cinder.scheduler import rpcapi as scheduler_rpcapi",
          "from cinder.volume import rpcapi as volume_rpcapi",
          "try:",
          "    from cinder import version as cinder_version",
          "    package = cinder_version.version_info.version_string()",
          "except Exception:",
          "    package = None",
          "history = [v for v in objects_base.OBJ_VERSIONS.versions if v[:1].isdigit()]",
          "out = json.dumps({",
          "    'rpc': {",
          "        'cinder-scheduler': scheduler_rpcapi.SchedulerAPI.RPC_API_VERSION,",
          "        'cinder-volume': volume_rpcapi.VolumeAPI.RPC_API_VERSION,",
          "        'cinder-backup': backup_rpcapi.BackupAPI.RPC_API_VERSION,",
          "    },",
          "    'objects': objects_base.OBJ_VERSIONS.get_current(),",
          "    'objectHistory': history,",
          "    'package': package,",
          "}, sort_keys=True)",
          "print(out)",
          "try:",
          "    with open(sys.argv[1], 'w') as f:",
          "        f.write(out)",
          "except OSError as e:",
          "    print('cannot write %s: %s' % (sys.argv[1], e), file=sys.stderr)",
          "");

  /** The upgrade check's extra file in the containers: the whole volume and backup config. */
  public static final String DEFAULT_UPGRADE_CHECK_FILE =
      CinderConf.CONFIG_DIR + "/" + CinderConf.UPGRADE_CHECK_FILE;

  /**
   * Runs {@code online_data_migrations --max_count N} again while it exits 1 having migrated rows,
   * in one container ({@code online_data_migrations_loop.py} next to this class). It stops on exit
   * 0, any other code, a traceback (a crash also exits 1) or an exit 1 that migrated nothing, exits
   * with the last run's code and leaves an {@link OnlineMigrationReport} as the first line of the
   * termination message. Python, not a shell loop: it is the one interpreter every Cinder image
   * has, and it tells the output apart.
   */
  static final String BATCH_LOOP_PROGRAM = PythonPrograms.load("online_data_migrations_loop.py");

  /**
   * Runs {@link #upgradeCheck()} again, a few times 10 s apart, while its only failure is "Service
   * UUIDs" ({@code upgrade_check_again.py} next to this class): that check fails while any volume
   * is not on a service yet, which users' creates make true now and then.
   */
  static final String CHECK_AGAIN_PROGRAM = PythonPrograms.load("upgrade_check_again.py");

  private final String configFile;
  private final String upgradeCheckFile;

  /** Commands reading {@code configFile} only (the upgrade check too). */
  public CinderCommands(String configFile) {
    this(configFile, null);
  }

  /**
   * @param upgradeCheckFile read by the upgrade check after {@code configFile}; null for none
   */
  public CinderCommands(String configFile, String upgradeCheckFile) {
    if (configFile == null || configFile.isBlank()) {
      throw new IllegalArgumentException(
          "configFile must name cinder.conf, e.g. " + DEFAULT_CONFIG_FILE);
    }
    this.configFile = configFile;
    this.upgradeCheckFile = upgradeCheckFile;
  }

  /**
   * Commands reading {@value #DEFAULT_CONFIG_FILE}; the upgrade check also {@value
   * #DEFAULT_UPGRADE_CHECK_FILE}.
   */
  public static CinderCommands standard() {
    return new CinderCommands(DEFAULT_CONFIG_FILE, DEFAULT_UPGRADE_CHECK_FILE);
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
   * {@code cinder-manage db online_data_migrations --max_count N} run again and again in one
   * container until it reports nothing left (exit 0) or stops making progress: one Job for a whole
   * run of batches, however large the database. What the outcome means is {@link JobOutcome}'s.
   */
  public List<String> onlineDataMigrationsUntilDone(int maxCount, String terminationLogPath) {
    List<String> argv = new java.util.ArrayList<>();
    argv.add("python3");
    argv.add("-c");
    argv.add(BATCH_LOOP_PROGRAM);
    argv.add(terminationLogPath);
    argv.addAll(onlineDataMigrations(maxCount));
    return List.copyOf(argv);
  }

  /** The batch loop writing to {@value #DEFAULT_TERMINATION_LOG}. */
  public List<String> onlineDataMigrationsUntilDone(int maxCount) {
    return onlineDataMigrationsUntilDone(maxCount, DEFAULT_TERMINATION_LOG);
  }

  /** Whether a container's command is {@link #onlineDataMigrationsUntilDone}'s loop. */
  public static boolean isBatchLoop(List<String> command) {
    return command != null
        && command.size() > 4
        && command.get(0).endsWith("python3")
        && BATCH_LOOP_PROGRAM.equals(command.get(2));
  }

  /**
   * {@code cinder-status upgrade check}: run from the target image against the current database,
   * with the whole configuration (its "Removed Drivers" and "Backup Driver Path" checks read every
   * enabled backend's {@code volume_driver} and the {@code backup_driver}).
   */
  public List<String> upgradeCheck() {
    List<String> argv =
        new java.util.ArrayList<>(List.of("cinder-status", "--config-file", configFile));
    if (upgradeCheckFile != null) {
      argv.addAll(List.of("--config-file", upgradeCheckFile));
    }
    // --json: one line of results, which tells warnings (exit 1) from a crash (exit 1 as well)
    argv.addAll(List.of("--nodebug", "upgrade", "check", "--json"));
    return List.copyOf(argv);
  }

  /** The upgrade-check job's command: {@link #upgradeCheck()} under its retry program. */
  public List<String> upgradeCheckJob() {
    List<String> argv = new java.util.ArrayList<>(List.of("python3", "-c", CHECK_AGAIN_PROGRAM));
    argv.addAll(upgradeCheck());
    return List.copyOf(argv);
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

  /**
   * Commands that send SIGHUP to PID 1 of a Cinder container, to try in order: the shell's builtin
   * {@code kill}, then Python's {@code os.kill}. Not {@code /bin/kill}: it comes from procps, which
   * minimal images lack; a shell and Python every Cinder image has.
   */
  public static List<List<String>> sighupPid1() {
    return List.of(
        List.of("/bin/sh", "-c", "kill -HUP 1"),
        List.of("python3", "-c", "import os, signal; os.kill(1, signal.SIGHUP)"));
  }

  private List<String> manage(String... action) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of("cinder-manage", "--config-file", configFile, "--nodebug"),
            java.util.stream.Stream.of(action))
        .toList();
  }
}
