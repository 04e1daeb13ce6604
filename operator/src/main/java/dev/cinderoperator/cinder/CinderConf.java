package dev.cinderoperator.cinder;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import java.util.LinkedHashMap;
import java.util.Map;
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
   * Where the Secret is mounted in every Cinder container, and where Cinder is pointed at with
   * {@code --config-file}: a directory of its own, so the image's {@code /etc/cinder} stays as the
   * image built it ({@code api-paste.ini}, which cinder-api finds through oslo.config's search of
   * the config files' directories, then {@code /etc/cinder}; {@code rootwrap.conf}, {@code
   * rootwrap.d/}, {@code resource_filters.json}, {@code policy.yaml} at their default paths).
   */
  public static final String CONFIG_DIR = "/etc/cinder-operator";

  /** Written by the container's start command: {@code [DEFAULT] host = <pod name>}. */
  public static final String HOST_FILE = "/var/lib/cinder/host.conf";

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
    return files;
  }

  static IniFile common(CinderClusterSpec spec, String databaseUrl, String transportUrl) {
    IniFile ini = new IniFile();
    // Defaults first so spec.config can override them; identity and secrets last so it cannot.
    ini.set("DEFAULT", "state_path", "/var/lib/cinder");
    ini.set("DEFAULT", "use_stderr", "true");
    ini.set("oslo_concurrency", "lock_path", "/var/lib/cinder/tmp");
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
    Map<String, String> section = new LinkedHashMap<>();
    section.put("volume_backend_name", backend.getName());
    if (backend.getConfig() != null) {
      section.putAll(backend.getConfig());
    }
    ini.setAll(backend.getName(), section);
    return ini;
  }

  static IniFile backup(CinderClusterSpec spec) {
    IniFile ini = new IniFile();
    if (spec.getBackup() != null && spec.getBackup().getConfig() != null) {
      ini.setAll("DEFAULT", spec.getBackup().getConfig());
    }
    return ini;
  }

  /** graceful_shutdown_timeout as the services will read it (oslo.service default 60 s). */
  public static int gracefulShutdownTimeoutSeconds(CinderClusterSpec spec) {
    String v =
        spec.configOrEmpty().getOrDefault("DEFAULT", Map.of()).get("graceful_shutdown_timeout");
    if (v == null) {
      return 60;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return 60;
    }
  }
}
