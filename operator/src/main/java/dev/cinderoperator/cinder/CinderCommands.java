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

  /**
   * Runs the command in its arguments (after the termination log path) again while it exits 1
   * without a traceback: {@code online_data_migrations --max_count N} exits 1 after a batch that
   * migrated rows and left more to do, 0 when nothing is left, 2 when it cannot go on (facts §5.1).
   * A traceback also exits 1 (facts: exit codes), so it ends the loop. Exits with the last run's
   * code and leaves a summary and the last run's output as the termination message. Python, not a
   * shell loop: it is the one interpreter every Cinder image has, and it tells the output apart.
   */
  static final String BATCH_LOOP_PROGRAM =
      String.join(
          "\n",
          "import subprocess, sys",
          "term, argv = sys.argv[1], sys.argv[2:]",
          "runs = 0",
          "while True:",
          "    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,"
              + " universal_newlines=True)",
          "    runs += 1",
          "    sys.stdout.write(p.stdout)",
          "    sys.stdout.flush()",
          "    if p.returncode != 1 or 'Traceback (most recent call last)' in p.stdout:",
          "        break",
          "summary = 'online_data_migrations: %d run(s) of --max_count %s, last exit %d\\n' % (",
          "    runs, argv[-1], p.returncode)",
          "try:",
          "    with open(term, 'w') as f:",
          "        f.write(summary + p.stdout[-3000:])",
          "except OSError as e:",
          "    print('cannot write %s: %s' % (term, e), file=sys.stderr)",
          "sys.exit(p.returncode)",
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
   * {@code cinder-manage db online_data_migrations --max_count N} run again and again in one
   * container until it reports nothing left (exit 0) or cannot go on: one Job for a whole run of
   * batches, however large the database.
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
