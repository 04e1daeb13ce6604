package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinderoperator.api.ServiceStatus;
import dev.cinderoperator.api.VersionPin;
import dev.cinderoperator.workload.ServiceHosts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ServicesTableTest {
  private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
  private static final Duration DOWN = Duration.ofSeconds(60);
  private static final Predicate<ServiceRow> OURS = ServiceHosts.ownedBy("cinder");

  private static long ids;

  static ServiceRow row(String binary, String host, String rpc, String obj, int secondsAgo) {
    Instant t = NOW.minusSeconds(secondsAgo);
    return new ServiceRow(++ids, binary, host, null, rpc, obj, false, t, t, 1, "u" + ids);
  }

  @Test
  void upMeansAHeartbeatWithinServiceDownTimeByTheDatabaseClock() {
    assertThat(ServicesTable.isUp(row("cinder-volume", "h", "3.18", "1.39", 60), NOW, DOWN))
        .isTrue();
    assertThat(ServicesTable.isUp(row("cinder-volume", "h", "3.18", "1.39", 61), NOW, DOWN))
        .isFalse();
    ServiceRow neverUpdated =
        new ServiceRow(1, "cinder-volume", "h", null, "3.18", "1.39", false, NOW, null, 0, "u");
    assertThat(ServicesTable.isUp(neverUpdated, NOW, DOWN)).as("created_at counts").isTrue();
    ServiceRow noTimes =
        new ServiceRow(1, "cinder-volume", "h", null, "3.18", "1.39", false, null, null, 0, "u");
    assertThat(ServicesTable.isUp(noTimes, NOW, DOWN)).isFalse();
  }

  @Test
  void pinsAreTheMinimumPerBinaryOverDownAndDisabledRowsToo() {
    ServiceRow disabledOld =
        new ServiceRow(9, "cinder-volume", "old@lvm", null, "3.16", "1.38", true, NOW, NOW, 1, "x");
    List<ServiceRow> rows =
        List.of(
            row("cinder-backup", "b", "2.3", "1.39", 0),
            row("cinder-volume", "v1@lvm", "3.18", "1.39", 0),
            disabledOld,
            row("cinder-volume", "v2@lvm", "3.9", "1.39", 9999), // 3.9 < 3.16 numerically
            row("cinder-scheduler", "s", "3.12", "1.39", 0),
            row("cinder-scheduler", "s2", null, null, 0));

    assertThat(ServicesTable.minimumVersions(rows))
        .containsExactly(
            new VersionPin("cinder-scheduler", "3.12", "1.39"),
            new VersionPin("cinder-volume", "3.9", "1.38"),
            new VersionPin("cinder-backup", "2.3", "1.39"));
    assertThat(ServicesTable.versionlessRows(rows))
        .extracting(ServiceRow::host)
        .containsExactly("s2");
  }

  @Test
  void nullOrUnknownVersionsBlockTheTarget() {
    List<ServiceRow> rows =
        List.of(
            row("cinder-volume", "ok@lvm", "3.18", "1.39", 0),
            row("cinder-backup", "liberty", null, null, 0),
            row("cinder-scheduler", "rocky", "3.11", "1.37", 0),
            row("cinder-volume", "old-but-known@lvm", "3.16", "1.38", 0));

    List<BlockingRow> blocking =
        ServicesTable.blockingRows(
            rows, "2023.1", ReleaseCatalog.standard().knownObjectVersions("2023.1").orElseThrow());

    assertThat(blocking)
        .extracting(b -> b.row().host(), BlockingRow::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("rocky", BlockingRow.Reason.CAPPED_VERSION_UNKNOWN),
            org.assertj.core.groups.Tuple.tuple("liberty", BlockingRow.Reason.SERVICE_TOO_OLD));
    assertThat(blocking.get(1).message())
        .contains("ServiceTooOld", "cinder-manage service remove cinder-backup liberty");
    assertThat(blocking.get(0).message()).contains("1.37", "CappedVersionUnknown", "2023.1");
  }

  @Test
  void staleRowsAreOursDownAndOwnedByNoLivePod() {
    ServiceRow live = row("cinder-volume", "cinder-volume-ceph-0@ceph", "3.18", "1.39", 0);
    ServiceRow scaledAwayDown =
        row("cinder-volume", "cinder-volume-ceph-1@ceph", "3.18", "1.39", 300);
    ServiceRow scaledAwayButUp =
        row("cinder-volume", "cinder-volume-ceph-2@ceph", "3.18", "1.39", 5);
    ServiceRow removedBackend =
        row("cinder-volume", "cinder-volume-lvm-0@lvm", "3.18", "1.39", 300);
    ServiceRow liveButDown = row("cinder-scheduler", "cinder-scheduler-0", "3.12", "1.39", 300);
    ServiceRow foreign = row("cinder-volume", "controller-1@lvm", "3.18", "1.39", 9999);
    List<ServiceRow> rows =
        List.of(live, scaledAwayDown, scaledAwayButUp, removedBackend, liveButDown, foreign);
    Set<String> liveHosts = Set.of("cinder-volume-ceph-0@ceph", "cinder-scheduler-0");

    assertThat(ServicesTable.staleRows(rows, OURS, liveHosts, NOW, DOWN))
        .containsExactly(scaledAwayDown, removedBackend);
    assertThat(ServicesTable.foreignRows(rows, OURS)).containsExactly(foreign);
  }

  @Test
  void ownershipFollowsThePodNamingPerBinary() {
    assertThat(OURS)
        .accepts(
            row("cinder-scheduler", "cinder-scheduler-0", "3.12", "1.39", 0),
            row("cinder-volume", "cinder-volume-ceph-ssd-12@ceph-ssd", "3.18", "1.39", 0),
            row("cinder-backup", "cinder-backup-1", "2.3", "1.39", 0))
        .rejects(
            row("cinder-volume", "cinder-scheduler-0", "3.18", "1.39", 0),
            row("cinder-volume", "cinder-volume-ceph-0@lvm", "3.18", "1.39", 0),
            row("cinder-volume", "cinder-volume-ceph-0", "3.18", "1.39", 0),
            row("cinder-scheduler", "other-scheduler-0", "3.12", "1.39", 0),
            row("cinder-backup", "cinder-backup-x", "2.3", "1.39", 0),
            row("cinder-api", "cinder-api-0", "3.0", "1.39", 0));
  }

  @Test
  void serviceDownTimeFollowsCindersRules() {
    assertThat(ServicesTable.serviceDownTime(Map.of())).isEqualTo(Duration.ofSeconds(60));
    assertThat(ServicesTable.serviceDownTime(Map.of("DEFAULT", Map.of("service_down_time", "120"))))
        .isEqualTo(Duration.ofSeconds(120));
    assertThat(
            ServicesTable.serviceDownTime(
                Map.of("DEFAULT", Map.of("service_down_time", "10", "report_interval", "10"))))
        .as("not above report_interval: int(report_interval * 2.5)")
        .isEqualTo(Duration.ofSeconds(25));
    assertThat(
            ServicesTable.serviceDownTime(
                Map.of("DEFAULT", Map.of("service_down_time", "3", "report_interval", "3"))))
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(ServicesTable.serviceDownTime(Map.of("DEFAULT", Map.of("report_interval", "60"))))
        .isEqualTo(Duration.ofSeconds(150));
    assertThat(
            ServicesTable.serviceDownTime(
                Map.of("DEFAULT", Map.of("service_down_time", "5", "report_interval", "0"))))
        .as("report_interval 0 disables heartbeats and the rule")
        .isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(
            () ->
                ServicesTable.serviceDownTime(Map.of("DEFAULT", Map.of("service_down_time", "1m"))))
        .hasMessageContaining("spec.config.DEFAULT.service_down_time")
        .hasMessageContaining("whole number of seconds");
  }

  @Test
  void statusMirrorsTheTableInAStableOrder() {
    ServiceRow backup = row("cinder-backup", "cinder-backup-0", "2.3", "1.39", 0);
    ServiceRow gone = row("cinder-volume", "cinder-volume-lvm-1@lvm", "3.18", "1.39", 600);
    ServiceRow volume =
        new ServiceRow(
            50,
            "cinder-volume",
            "cinder-volume-lvm-0@lvm",
            "cinder-lvm@lvm",
            "3.18",
            "1.39",
            true,
            NOW,
            NOW,
            3,
            "u");
    ServiceRow scheduler = row("cinder-scheduler", "cinder-scheduler-0", "3.12", "1.39", 0);

    List<ServiceStatus> status =
        ServicesTable.toStatus(
            List.of(backup, gone, volume, scheduler),
            OURS,
            Set.of("cinder-backup-0", "cinder-volume-lvm-0@lvm", "cinder-scheduler-0"),
            NOW,
            DOWN);

    assertThat(status)
        .containsExactly(
            new ServiceStatus(
                "cinder-scheduler", "cinder-scheduler-0", null, "3.12", "1.39", true, false, false),
            new ServiceStatus(
                "cinder-volume",
                "cinder-volume-lvm-0@lvm",
                "cinder-lvm@lvm",
                "3.18",
                "1.39",
                true,
                true,
                false),
            new ServiceStatus(
                "cinder-volume",
                "cinder-volume-lvm-1@lvm",
                null,
                "3.18",
                "1.39",
                false,
                false,
                true),
            new ServiceStatus(
                "cinder-backup", "cinder-backup-0", null, "2.3", "1.39", true, false, false));
  }
}
