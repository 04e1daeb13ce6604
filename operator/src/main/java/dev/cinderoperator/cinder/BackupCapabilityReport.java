package dev.cinderoperator.cinder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The capability report of one cinder-backup host, as that service itself casts it to every
 * cinder-scheduler: scheduler RPC {@code update_service_capabilities} version 3.3 on the fanout
 * exchange {@code cinder-scheduler_fanout}, in oslo.messaging's 2.0 envelope (cinder/manager.py
 * SchedulerDependentManager._publish_service_capabilities).
 *
 * <p>Why the operator sends it: since Ussuri the scheduler places a new backup on a random host of
 * its in-memory map of these reports whose {@code backend_state} is true (scheduler/host_manager.py
 * _list_backup_services); it reads neither the services row's {@code disabled} flag nor its
 * heartbeat, and forgets a host only when it restarts. A report with {@code backend_state} false is
 * the one thing that takes a running host out of that choice; the host's own next report (every
 * {@code backup_driver_stats_polling_interval}, 60 s) or a scheduler restart puts it back. Measured
 * on 21.3.1 and 29.0.0: see docs/backup-drain.md.
 *
 * @param working the {@code backend_state}: false keeps new backups off the host
 * @param driverName {@code backup_driver}, as the host reports it
 * @param availabilityZone {@code storage_availability_zone}, matched against the volume's zone
 */
public record BackupCapabilityReport(
    String host, boolean working, String driverName, String availabilityZone, Instant at) {

  /** The exchange every scheduler binds its fanout queue to (oslo: topic + "_fanout"). */
  public static final String EXCHANGE = "cinder-scheduler_fanout";

  /** The scheduler RPC version that carries cluster_name and timestamp (Pike and later). */
  static final String RPC_VERSION = "3.3";

  /** Cinder's default {@code backup_driver} (cinder/backup/api.py). */
  public static final String DEFAULT_DRIVER = "cinder.backup.drivers.swift.SwiftBackupDriver";

  /** Cinder's default {@code storage_availability_zone}. */
  public static final String DEFAULT_ZONE = "nova";

  // timeutils.PERFECT_TIME_FORMAT, which the scheduler parses the timestamp with
  private static final DateTimeFormatter PERFECT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The AMQP body: {@code {"oslo.version": "2.0", "oslo.message": "<the message as JSON>"}}. */
  public byte[] body() {
    Map<String, Object> capabilities = new LinkedHashMap<>();
    capabilities.put("backend_state", working);
    capabilities.put("driver_name", driverName);
    capabilities.put("availability_zone", availabilityZone);
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("service_name", "backup");
    args.put("host", host);
    args.put("capabilities", capabilities);
    args.put("cluster_name", null);
    args.put("timestamp", PERFECT_TIME.format(at));
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("method", "update_service_capabilities");
    message.put("args", args);
    message.put("version", RPC_VERSION);
    message.put("_unique_id", UUID.randomUUID().toString().replace("-", ""));
    // An admin RequestContext as from_dict rebuilds it (read_deleted must be a known value).
    message.put("_context_request_id", "req-" + UUID.randomUUID());
    message.put("_context_is_admin", true);
    message.put("_context_read_deleted", "no");
    message.put("_context_roles", List.of("admin"));
    message.put("_context_timestamp", PERFECT_TIME.format(at));
    message.put("_context_user_id", null);
    message.put("_context_project_id", null);
    message.put("_context_service_catalog", List.of());
    try {
      Map<String, Object> envelope = new LinkedHashMap<>();
      envelope.put("oslo.version", "2.0");
      envelope.put("oslo.message", JSON.writeValueAsString(message));
      return JSON.writeValueAsString(envelope).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a capability report as JSON", e);
    }
  }

  /**
   * The {@code backup_driver} and {@code storage_availability_zone} a backup host reads: its own
   * file first, then the common one, then Cinder's defaults.
   */
  public static BackupCapabilityReport of(
      String host,
      boolean working,
      Map<String, String> backupDefaults,
      Map<String, String> commonDefaults,
      Instant at) {
    return new BackupCapabilityReport(
        host,
        working,
        option("backup_driver", backupDefaults, commonDefaults, DEFAULT_DRIVER),
        option("storage_availability_zone", backupDefaults, commonDefaults, DEFAULT_ZONE),
        at);
  }

  private static String option(
      String key, Map<String, String> first, Map<String, String> second, String fallback) {
    String v = first == null ? null : first.get(key);
    if (v == null || v.isBlank()) {
      v = second == null ? null : second.get(key);
    }
    return v == null || v.isBlank() ? fallback : v.trim();
  }
}
