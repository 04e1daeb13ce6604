package dev.cinderoperator.cinder;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Renders cinder.conf for a CinderCluster as a set of files: one common file every service reads,
 * one per volume backend (its section, {@code enabled_backends}, {@code cluster}) and one for
 * backup. The per-pod {@code host} is written at container start from the pod name, so one Secret
 * serves every pod of a StatefulSet.
 */
public final class CinderConf {
  public static final String COMMON_FILE = "cinder.conf";
  public static final String BACKUP_FILE = "backup.conf";

  /**
   * Read by the {@code cinder-status upgrade check} job only, after {@link #COMMON_FILE}: every
   * backend's section with {@code enabled_backends} naming them all, and the backup options, so the
   * checks that read them ("Removed Drivers", "Backup Driver Path") see the whole configuration.
   * One file: given the per-backend files one after another, the last {@code enabled_backends}
   * would win.
   */
  public static final String UPGRADE_CHECK_FILE = "upgrade-check.conf";

  /**
   * Where the Secret is mounted in every Cinder container, and where Cinder is pointed at with
   * {@code --config-file}: a directory of its own, so the image's {@code /etc/cinder} stays as the
   * image built it ({@code api-paste.ini}, which cinder-api finds through oslo.config's search of
   * the config files' directories, then {@code /etc/cinder}; {@code rootwrap.conf}, {@code
   * rootwrap.d/}, {@code resource_filters.json}, {@code policy.yaml} at their default paths).
   */
  public static final String CONFIG_DIR = "/etc/cinder-operator";

  /** Written by the container's start command: {@code [DEFAULT] host = <pod name>}. */
  public static final String HOST_FILE = "/var/lib/cinder/host.conf";

  private static final String GRACEFUL = "graceful_shutdown_timeout";

  /** Options the operator sets itself; a user setting them would break identity or secrets. */
  public static final Map<String, Set<String>> RESERVED =
      Map.of(
          "DEFAULT", Set.of("host", "transport_url", "enabled_backends", "cluster", "backend_host"),
          "database", Set.of("connection"));

  private CinderConf() {}

  public static String volumeFile(String backend) {
    return "volume-" + backend + ".conf";
  }

  /**
   * Every file of the config Secret, keyed by file name. Pure: the URLs are passed in, never looked
   * up.
   */
  public static Map<String, String> render(
      String clusterName, CinderClusterSpec spec, String databaseUrl, String transportUrl) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(COMMON_FILE, common(spec, databaseUrl, transportUrl).render());
    for (VolumeBackendSpec backend : spec.volumesOrEmpty()) {
      files.put(volumeFile(backend.getName()), volume(clusterName, backend).render());
    }
    if (spec.backupReplicas() > 0) {
      files.put(BACKUP_FILE, backup(spec).render());
    }
    files.put(UPGRADE_CHECK_FILE, upgradeCheck(spec).render());
    return files;
  }

  static IniFile common(CinderClusterSpec spec, String databaseUrl, String transportUrl) {
    IniFile ini = new IniFile();
    // Defaults first so spec.config can override them; identity and secrets last so it cannot.
    ini.set("DEFAULT", "state_path", "/var/lib/cinder");
    ini.set("DEFAULT", "use_stderr", "true");
    ini.set("oslo_concurrency", "lock_path", "/var/lib/cinder/tmp");
    // cinder-api: one request per connection. A kept-alive connection stays with the pod it was
    // opened to; once that pod's server stops (SIGTERM, while the Service already sends new
    // connections elsewhere) the next request on it gets no answer. Seen under users' traffic on
    // Debian's 2026.1 -> 2026.2 (RealReleasesUpgradeRealCinderTest).
    ini.set("DEFAULT", "wsgi_keep_alive", "false");
    // A stopping service stops polling its queues but stays subscribed until it has finished its
    // work in hand. On closing, oslo.messaging deletes its fanout queues, and waiting for that it
    // takes and acknowledges what RabbitMQ delivered in between, and never handles it: a user's
    // create, delete or call that reached a volume, scheduler or backup pod then was lost. With the
    // queue manager nothing is deleted on close, so RabbitMQ gives those messages back to the
    // queue for the successor (docs/cinder-pods.md). An oslo.messaging without the option (as
    // bookworm's 14.0.3 under Cinder 21.3.1) ignores it.
    ini.set("oslo_messaging_rabbit", "use_queue_manager", "true");
    spec.configOrEmpty().forEach(ini::setAll);
    ini.set("DEFAULT", "transport_url", transportUrl);
    ini.set("database", "connection", databaseUrl);
    return ini;
  }

  static IniFile volume(String clusterName, VolumeBackendSpec backend) {
    IniFile ini = new IniFile();
    ini.set("DEFAULT", "enabled_backends", backend.getName());
    if (backend.isActiveActive()) {
      // Same cluster on every member, unique host per pod (facts §6).
      ini.set("DEFAULT", "cluster", clusterName + "-" + backend.getName());
    }
    ini.setAll(backend.getName(), backendSection(backend));
    return ini;
  }

  static IniFile upgradeCheck(CinderClusterSpec spec) {
    IniFile ini = spec.backupReplicas() > 0 ? backup(spec) : new IniFile();
    List<String> names = new ArrayList<>();
    for (VolumeBackendSpec backend : spec.volumesOrEmpty()) {
      names.add(backend.getName());
      ini.setAll(backend.getName(), backendSection(backend));
    }
    if (!names.isEmpty()) {
      ini.set("DEFAULT", "enabled_backends", String.join(",", names));
    }
    return ini;
  }

  private static Map<String, String> backendSection(VolumeBackendSpec backend) {
    Map<String, String> section = new LinkedHashMap<>();
    section.put("volume_backend_name", backend.getName());
    if (backend.getConfig() != null) {
      section.putAll(backend.getConfig());
    }
    return section;
  }

  static IniFile backup(CinderClusterSpec spec) {
    IniFile ini = new IniFile();
    if (userGracefulShutdownTimeout(spec).isEmpty()) {
      // A backup that starts just before SIGTERM may take as long as the drain would wait for it.
      ini.set(
          "DEFAULT",
          "graceful_shutdown_timeout",
          Integer.toString(backupGracefulShutdownTimeoutSeconds(spec)));
    }
    if (spec.getBackup() != null && spec.getBackup().getConfig() != null) {
      ini.setAll("DEFAULT", spec.getBackup().getConfig());
    }
    return ini;
  }

  /** graceful_shutdown_timeout as the services will read it (oslo.service default 60 s). */
  public static int gracefulShutdownTimeoutSeconds(CinderClusterSpec spec) {
    return seconds(spec.configOrEmpty().getOrDefault("DEFAULT", Map.of()).get(GRACEFUL), 60);
  }

  /**
   * graceful_shutdown_timeout as cinder-backup reads it: the user's value (spec.backup.config, then
   * spec.config), else spec.upgrade.backupDrainTimeout. After SIGTERM cinder-backup stops taking
   * work and waits this long for the backup, restore or delete it is running; past it the process
   * exits and the work is reset to error when the service starts again.
   */
  public static int backupGracefulShutdownTimeoutSeconds(CinderClusterSpec spec) {
    Optional<String> user = userGracefulShutdownTimeout(spec);
    long drain = spec.upgradeOrDefault().backupDrainTimeoutOrDefault().toSeconds();
    int fallback = (int) Math.min(Integer.MAX_VALUE, Math.max(60, drain));
    return user.map(v -> seconds(v, fallback)).orElse(fallback);
  }

  private static Optional<String> userGracefulShutdownTimeout(CinderClusterSpec spec) {
    String own =
        spec.getBackup() == null || spec.getBackup().getConfig() == null
            ? null
            : spec.getBackup().getConfig().get(GRACEFUL);
    if (own != null) {
      return Optional.of(own);
    }
    return Optional.ofNullable(
        spec.configOrEmpty().getOrDefault("DEFAULT", Map.of()).get(GRACEFUL));
  }

  /** {@code [oslo_messaging_rabbit] ssl}: whether Cinder reaches RabbitMQ over TLS. */
  public static boolean rabbitSsl(CinderClusterSpec spec) {
    String v = spec.configOrEmpty().getOrDefault("oslo_messaging_rabbit", Map.of()).get("ssl");
    return v != null
        && Set.of("1", "true", "yes", "on").contains(v.trim().toLowerCase(Locale.ROOT));
  }

  private static int seconds(String v, int fallback) {
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
