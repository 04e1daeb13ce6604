package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The report as the schedulers parse it: oslo.messaging's 2.0 envelope around the cast Cinder's own
 * backup service sends (captured from 21.3.1's cinder-backup on the wire).
 */
class BackupCapabilityReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void isTheCastABackupServiceSendsSayingItDoesNotWork() throws Exception {
    BackupCapabilityReport report =
        new BackupCapabilityReport(
            "cinder-backup-1",
            false,
            "cinder.backup.drivers.posix.PosixBackupDriver",
            "nova",
            Instant.parse("2026-12-01T23:01:54.188627Z"));
    JsonNode envelope = JSON.readTree(report.body());
    assertThat(envelope.get("oslo.version").asText()).isEqualTo("2.0");
    JsonNode message = JSON.readTree(envelope.get("oslo.message").asText());
    assertThat(message.get("method").asText()).isEqualTo("update_service_capabilities");
    assertThat(message.get("version").asText()).isEqualTo("3.3");
    JsonNode args = message.get("args");
    assertThat(args.get("service_name").asText()).isEqualTo("backup");
    assertThat(args.get("host").asText()).isEqualTo("cinder-backup-1");
    assertThat(args.get("cluster_name").isNull()).isTrue();
    // timeutils.PERFECT_TIME_FORMAT, which the scheduler parses with strptime
    assertThat(args.get("timestamp").asText()).isEqualTo("2026-12-01T23:01:54.188627");
    JsonNode caps = args.get("capabilities");
    assertThat(caps.get("backend_state").asBoolean()).isFalse();
    assertThat(caps.get("driver_name").asText())
        .isEqualTo("cinder.backup.drivers.posix.PosixBackupDriver");
    assertThat(caps.get("availability_zone").asText()).isEqualTo("nova");
    // RequestContext.from_dict rejects a read_deleted of None on 21.x
    assertThat(message.get("_context_read_deleted").asText()).isEqualTo("no");
    assertThat(message.get("_context_is_admin").asBoolean()).isTrue();
    assertThat(message.get("_unique_id").asText()).hasSize(32);
  }

  @Test
  void driverAndZoneComeFromTheBackupFileThenTheCommonOneThenCindersDefaults() {
    Instant t = Instant.EPOCH;
    assertThat(BackupCapabilityReport.of("h", true, Map.of(), Map.of(), t))
        .isEqualTo(
            new BackupCapabilityReport(
                "h", true, "cinder.backup.drivers.swift.SwiftBackupDriver", "nova", t));
    assertThat(
            BackupCapabilityReport.of(
                "h",
                true,
                Map.of("backup_driver", "cinder.backup.drivers.ceph.CephBackupDriver"),
                Map.of("backup_driver", "ignored", "storage_availability_zone", "az-2"),
                t))
        .extracting(BackupCapabilityReport::driverName, BackupCapabilityReport::availabilityZone)
        .containsExactly("cinder.backup.drivers.ceph.CephBackupDriver", "az-2");
  }
}
