package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlAlchemyUrlTest {

  private static SqlAlchemyUrl ok(String url) {
    SqlAlchemyUrl.Result r = SqlAlchemyUrl.parse(url);
    assertThat(r.error()).isNull();
    return r.url().orElseThrow();
  }

  @Test
  void readsTheUsualCinderUrl() {
    SqlAlchemyUrl u =
        ok("mysql+pymysql://cinder:secret@mariadb.openstack.svc:3307/cinder?charset=utf8");
    assertThat(u.dialect()).isEqualTo("mysql+pymysql");
    assertThat(u.user()).isEqualTo("cinder");
    assertThat(u.password()).isEqualTo("secret");
    assertThat(u.host()).isEqualTo("mariadb.openstack.svc");
    assertThat(u.port()).isEqualTo(3307);
    assertThat(u.database()).isEqualTo("cinder");
    assertThat(u.query()).isEqualTo(Map.of("charset", "utf8"));
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:mariadb://mariadb.openstack.svc:3307/cinder");
  }

  @ParameterizedTest
  @CsvSource({
    "mysql://c:p@db/cinder, mysql, 3306",
    "mariadb+pymysql://c:p@db:3310/cinder, mariadb+pymysql, 3310",
    "mariadb://c:p@db/cinder, mariadb, 3306",
    "mysql+mysqldb://c:p@db/cinder, mysql+mysqldb, 3306",
  })
  void acceptsTheMysqlFamily(String url, String dialect, int port) {
    SqlAlchemyUrl u = ok(url);
    assertThat(u.dialect()).isEqualTo(dialect);
    assertThat(u.port()).isEqualTo(port);
  }

  @Test
  void readsIpv6Hosts() {
    SqlAlchemyUrl u = ok("mysql+pymysql://c:p@[fd00::12]:3306/cinder");
    assertThat(u.host()).isEqualTo("fd00::12");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:mariadb://[fd00::12]:3306/cinder");
  }

  @Test
  void decodesPercentEncodedCredentialsAndKeepsPlusSigns() {
    SqlAlchemyUrl u = ok("mysql+pymysql://ci%40der:p%40ss%2Fw%3Ard+x%25@db/cinder?a=1&b=two");
    assertThat(u.user()).isEqualTo("ci@der");
    assertThat(u.password()).isEqualTo("p@ss/w:rd+x%");
    assertThat(u.query()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "two"));
  }

  @Test
  void neverShowsThePassword() {
    SqlAlchemyUrl u = ok("mysql+pymysql://cinder:Hunter2-secret@db/cinder");
    assertThat(u.toString()).doesNotContain("Hunter2-secret").contains("cinder:***@db:3306/cinder");
    assertThat(u.jdbcUrl()).doesNotContain("Hunter2-secret");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|is empty",
        "postgresql://cinder:Hunter2-secret@db/cinder|dialect 'postgresql'",
        "sqlite:///var/lib/cinder/cinder.sqlite|dialect 'sqlite'",
        "db.example.com/cinder|is not a SQLAlchemy URL",
        "mysql+pymysql://cinder:Hunter2-secret@db:99999/cinder|outside 1-65535",
        "mysql+pymysql://cinder:Hunter2-secret@db:0/cinder|outside 1-65535",
        "mysql+pymysql://cinder:Hunter2-secret@db:abc/cinder|is malformed",
        "mysql+pymysql://cinder:Hunter2-secret@db|is malformed",
        "mysql+pymysql://cinder:Hunter2-secret@db/cinder?charset|malformed query option",
      })
  void rejectsWithAClearErrorThatNeverEchoesTheUrl(String url, String expected) {
    SqlAlchemyUrl.Result r = SqlAlchemyUrl.parse(url);
    assertThat(r.isOk()).isFalse();
    assertThat(r.error()).contains(expected).doesNotContain("Hunter2-secret");
  }
}
