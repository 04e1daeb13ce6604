package dev.cinderoperator.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinderoperator.cinder.FailedBackupRow;
import dev.cinderoperator.cinder.FailedBackups;
import dev.cinderoperator.cinder.NullUseQuotaRows;
import dev.cinderoperator.cinder.ServiceRow;
import dev.cinderoperator.cinder.ServicesTable;
import dev.cinderoperator.cinder.SqlAlchemyUrl;
import dev.cinderoperator.db.testing.MariaDbExtension;
import dev.cinderoperator.db.testing.TestDatabase;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class JdbcServiceRegistryTest {
  @RegisterExtension static final MariaDbExtension DB = new MariaDbExtension();

  private TestDatabase db;
  private JdbcServiceRegistry registry;

  @BeforeEach
  void setUp() {
    DB.truncate();
    db = DB.database();
    registry = new JdbcServiceRegistry(db.url());
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void readsEveryNonDeletedRowWithTheDatabaseClock() {
    long scheduler = db.insertService("cinder-scheduler", "c-scheduler-0", "3.12", "1.39", 5);
    long volume =
        db.insertService("cinder-volume", "c-volume-lvm-0@lvm", "c-lvm@lvm", "3.18", "1.39", 0);
    long gone = db.insertService("cinder-backup", "c-backup-0", "2.3", "1.39", 0);
    db.execute("UPDATE services SET deleted = 1, deleted_at = UTC_TIMESTAMP() WHERE id = ?", gone);
    db.execute("UPDATE services SET disabled = 1, report_count = 7 WHERE id = ?", volume);

    ServicesSnapshot snapshot = registry.read();

    assertThat(snapshot.rows()).extracting(ServiceRow::id).containsExactly(scheduler, volume);
    ServiceRow v = snapshot.rows().get(1);
    assertThat(v.binary()).isEqualTo("cinder-volume");
    assertThat(v.host()).isEqualTo("c-volume-lvm-0@lvm");
    assertThat(v.clusterName()).isEqualTo("c-lvm@lvm");
    assertThat(v.rpcVersion()).isEqualTo("3.18");
    assertThat(v.objectVersion()).isEqualTo("1.39");
    assertThat(v.disabled()).isTrue();
    assertThat(v.reportCount()).isEqualTo(7);
    assertThat(v.uuid()).hasSize(36);
    // the database clock, converted as UTC although the server runs at +03:00
    assertThat(snapshot.databaseNow()).isCloseTo(Instant.now(), within(Duration.ofSeconds(30)));
    assertThat(Duration.between(snapshot.rows().get(0).updatedAt(), snapshot.databaseNow()))
        .isBetween(Duration.ofSeconds(4), Duration.ofSeconds(7));
  }

  @Test
  void countsVolumesAndSnapshotsWhoseUseQuotaIsNullDeletedOnesIncluded() {
    assertThat(registry.nullUseQuota()).isEqualTo(new NullUseQuotaRows(0, 0));
    db.execute(
        "INSERT INTO volumes (id, volume_type_id, deleted, use_quota) VALUES"
            + " ('v1', 't', 0, 1), ('v2', 't', 1, NULL), ('v3', 't', 0, NULL)");
    db.execute(
        "INSERT INTO snapshots (id, volume_id, volume_type_id, deleted, use_quota) VALUES"
            + " ('s1', 'v1', 't', 1, NULL)");

    assertThat(registry.nullUseQuota()).isEqualTo(new NullUseQuotaRows(2, 1));
  }

  @Test
  void anEmptyTableStillReportsTheClock() {
    ServicesSnapshot snapshot = registry.read();
    assertThat(snapshot.rows()).isEmpty();
    assertThat(snapshot.databaseNow()).isNotNull();
  }

  @Test
  void upAndDownFollowTheDatabaseClockWhateverTheJvmZone() {
    db.insertService("cinder-volume", "c-volume-lvm-0@lvm", "3.18", "1.39", 10);
    db.insertService("cinder-volume", "c-volume-lvm-1@lvm", "3.18", "1.39", 120);
    TimeZone original = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Chatham")); // +12:45 or +13:45
    try (JdbcServiceRegistry elsewhere = new JdbcServiceRegistry(db.url())) {
      ServicesSnapshot s = elsewhere.read();
      assertThat(s.rows())
          .extracting(r -> ServicesTable.isUp(r, s.databaseNow(), Duration.ofSeconds(60)))
          .containsExactly(true, false);
    } finally {
      TimeZone.setDefault(original);
    }
  }

  @Test
  void removeSoftDeletesLikeCinderManageAndReadsBack() {
    long id = db.insertService("cinder-backup", "c-backup-1", "2.3", "1.39", 600);
    ServiceRow row = registry.read().rows().get(0);

    assertThat(registry.remove(row)).isTrue();

    assertThat(registry.read().rows()).isEmpty();
    assertThat(db.value("SELECT deleted FROM services WHERE id = ?", id)).isEqualTo(true);
    assertThat(
            ((Number)
                    db.value(
                        "SELECT TIMESTAMPDIFF(SECOND, deleted_at, UTC_TIMESTAMP()) FROM services"
                            + " WHERE id = ?",
                        id))
                .longValue())
        .as("deleted_at is UTC now")
        .isBetween(0L, 5L);
    assertThat(
            ((Number) db.value("SELECT updated_at = deleted_at FROM services WHERE id = ?", id))
                .intValue())
        .as("the soft delete bumps updated_at, as Cinder's does")
        .isEqualTo(1);
    // already gone: still reported as removed, nothing else touched
    assertThat(registry.remove(row)).isTrue();
  }

  @Test
  void removeLeavesARowThatIsNoLongerTheServiceSeen() {
    long id = db.insertService("cinder-backup", "c-backup-1", "2.3", "1.39", 600);
    ServiceRow seen = registry.read().rows().get(0);
    db.execute("UPDATE services SET host = 'someone-else' WHERE id = ?", id);

    assertThat(registry.remove(seen)).isFalse();
    assertThat(registry.read().rows()).hasSize(1);
  }

  @Test
  void stopAndAllowNewBackupsToggleOnlyTheOperatorsOwnDisable() {
    long mine = db.insertService("cinder-backup", "c-backup-0", "2.3", "1.39", 0);
    long admins = db.insertService("cinder-backup", "c-backup-1", "2.3", "1.39", 0);
    long volume = db.insertService("cinder-volume", "c-backup-0", "3.18", "1.39", 0);
    db.execute(
        "UPDATE services SET disabled = 1, disabled_reason = 'disk swap' WHERE id = ?", admins);
    Object heartbeat = db.value("SELECT updated_at FROM services WHERE id = ?", mine);

    registry.stopNewBackups("c-backup-0");
    registry.stopNewBackups("c-backup-1");

    assertThat(db.column("SELECT disabled_reason FROM services ORDER BY id"))
        .containsExactly(JdbcServiceRegistry.DISABLED_REASON, "disk swap", null);
    assertThat(db.value("SELECT disabled FROM services WHERE id = ?", volume)).isEqualTo(false);
    assertThat(db.value("SELECT modified_at FROM services WHERE id = ?", mine)).isNotNull();
    assertThat(db.value("SELECT updated_at FROM services WHERE id = ?", mine))
        .as("disabling is no heartbeat")
        .isEqualTo(heartbeat);

    registry.allowNewBackups("c-backup-0");
    registry.allowNewBackups("c-backup-1");

    assertThat(db.column("SELECT disabled FROM services ORDER BY id"))
        .containsExactly(false, true, false);
    assertThat(db.column("SELECT disabled_reason FROM services ORDER BY id"))
        .containsExactly(null, "disk swap", null);
  }

  @Test
  void countsTheBackupsAHostIsStillWorkingOn() {
    for (String status :
        new String[] {
          "creating", "restoring", "deleting", "available", "error", "error_deleting"
        }) {
      db.insertBackup("c-backup-0", status);
    }
    db.insertBackup("c-backup-1", "creating");
    String deleted = db.insertBackup("c-backup-0", "creating");
    db.execute("UPDATE backups SET deleted = 1 WHERE id = ?", deleted);

    assertThat(registry.inFlightBackups("c-backup-0")).isEqualTo(3);
    assertThat(registry.inFlightBackups("c-backup-1")).isEqualTo(1);
    assertThat(registry.inFlightBackups("c-backup-9")).isZero();
  }

  @Test
  void countsEveryHostsBackupsInFlightInOneQuery() {
    db.insertBackup("c-backup-0", "creating");
    db.insertBackup("c-backup-0", "deleting");
    db.insertBackup("c-backup-1", "restoring");
    db.insertBackup("c-backup-1", "available");
    db.insertBackup(null, "creating"); // not placed by a scheduler yet
    assertThat(registry.inFlightBackupsByHost())
        .containsExactlyInAnyOrderEntriesOf(Map.of("c-backup-0", 2, "c-backup-1", 1));
  }

  @Test
  void listsTheBackupsThatTurnedToErrorSinceAnInstantNewestFirst() {
    String old = db.insertBackup("c-backup-0", "error");
    db.execute(
        "UPDATE backups SET updated_at = UTC_TIMESTAMP() - INTERVAL 1 HOUR WHERE id = ?", old);
    String first = db.insertBackup("c-backup-0", "error");
    db.execute(
        "UPDATE backups SET updated_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE,"
            + " fail_reason = 'incomplete backup reset on manager restart' WHERE id = ?",
        first);
    String second = db.insertBackup("c-backup-1", "error");
    String deleted = db.insertBackup("c-backup-1", "error");
    db.execute("UPDATE backups SET deleted = 1 WHERE id = ?", deleted);
    db.insertBackup("c-backup-1", "available");
    Instant since = registry.read().databaseNow().minus(Duration.ofMinutes(10));

    FailedBackups failed = registry.failedBackupsSince(since, 20);
    assertThat(failed.count()).isEqualTo(2);
    assertThat(failed.newest()).extracting(FailedBackupRow::id).containsExactly(second, first);
    assertThat(failed.newest().get(1).failReason())
        .isEqualTo("incomplete backup reset on manager restart");
    assertThat(failed.newest().get(1).host()).isEqualTo("c-backup-0");
    assertThat(registry.failedBackupsSince(since, 1).newest()).hasSize(1);
    assertThat(registry.failedBackupsSince(since, 1).count()).isEqualTo(2);
  }

  @Test
  void aClosedPortFailsQuicklyWithoutCredentials() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String secret = "n0t-in/any@message";
    SqlAlchemyUrl url =
        SqlAlchemyUrl.parse(
                "mysql+pymysql://cinder:n0t-in%2Fany%40message@127.0.0.1:" + closedPort + "/cinder")
            .url()
            .orElseThrow();
    try (JdbcServiceRegistry nowhere = new JdbcServiceRegistry(url)) {
      long start = System.nanoTime();
      assertThatThrownBy(nowhere::read)
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageContaining("127.0.0.1:" + closedPort + "/cinder")
          .satisfies(e -> assertNoSecretInChain(e, secret));
      System.out.printf(
          "closed port: DatabaseUnavailableException after %d ms%n",
          (System.nanoTime() - start) / 1_000_000);
    }
  }

  @Test
  void aWrongPasswordIsNotEchoed() {
    String wrong = "wr0ng-pass:word";
    SqlAlchemyUrl good = db.url();
    SqlAlchemyUrl bad =
        new SqlAlchemyUrl(
            good.dialect(),
            good.user(),
            wrong,
            good.host(),
            good.port(),
            good.database(),
            good.query());
    try (JdbcServiceRegistry denied = new JdbcServiceRegistry(bad)) {
      assertThatThrownBy(denied::read)
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageContaining("Access denied")
          .satisfies(e -> assertNoSecretInChain(e, wrong));
    }
  }

  static void assertNoSecretInChain(Throwable e, String secret) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
      assertThat(t.toString()).doesNotContain(secret);
    }
  }

  private static org.assertj.core.data.TemporalUnitOffset within(Duration d) {
    return org.assertj.core.api.Assertions.within(
        d.toMillis(), java.time.temporal.ChronoUnit.MILLIS);
  }
}
