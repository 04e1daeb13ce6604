package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReleaseCatalogTest {
  ReleaseCatalog catalog = ReleaseCatalog.standard();

  @ParameterizedTest
  @CsvSource({
    "2023.2, 2024.1, NEXT",
    "zed, 2023.1, NEXT",
    "yoga, zed, NEXT",
    "2026.1, 2026.2, NEXT",
    "2026.2, 2027.1, NEXT",
    "2031.1, 2031.2, NEXT",
    "2024.1, 2025.1, SKIP_LEVEL",
    "2023.1, 2024.1, SKIP_LEVEL",
    "2026.1, 2027.1, SKIP_LEVEL",
    "2030.1, 2031.1, SKIP_LEVEL",
    "2023.2, 2025.1, UNSUPPORTED_JUMP",
    "2026.2, 2027.2, UNSUPPORTED_JUMP",
    "2025.1, 2027.1, UNSUPPORTED_JUMP",
    "yoga, 2023.1, UNSUPPORTED_JUMP",
    "zed, 2023.2, UNSUPPORTED_JUMP",
    "2024.1, 2023.2, DOWNGRADE",
    "2027.1, 2026.2, DOWNGRADE",
    "2024.1, 2024.1, SAME",
    "2024.1, 2024.3, UNKNOWN",
    "2022.1, 2023.1, UNKNOWN",
    "bobcat, 2024.1, UNKNOWN"
  })
  void ordersSeriesByTheNamingRuleSoLaterSeriesNeedNoCodeChange(
      String from, String to, UpgradePath path) {
    assertThat(catalog.path(from, to)).isEqualTo(path);
  }

  @ParameterizedTest
  @CsvSource({
    "12, queens",
    "19, xena",
    "21, zed",
    "22, 2023.1",
    "23, 2023.2",
    "26, 2025.1",
    "28, 2026.1",
    "29, 2026.2",
    "30, 2027.1",
    "35, 2029.2"
  })
  void mapsCinderMajorsToSeriesTwoAYearFromZed(int major, String series) {
    assertThat(catalog.ofCinderMajor(major)).map(Release::name).contains(series);
    assertThat(catalog.find(series)).map(Release::cinderMajor).contains(major);
  }

  @Test
  void majorsBeforeQueensAreNoSeriesItKnows() {
    assertThat(catalog.ofCinderMajor(11)).isEmpty();
  }

  @Test
  void onlyYearSeriesEndingInOneAreSlurp() {
    assertThat(catalog.find("2026.1")).map(Release::slurp).contains(true);
    assertThat(catalog.find("2026.2")).map(Release::slurp).contains(false);
    assertThat(catalog.find("2041.1")).map(Release::slurp).contains(true);
    assertThat(catalog.find("zed")).map(Release::slurp).contains(false);
  }

  @Test
  void expects2026Point2ToReportWhatDebians29Point0Point0Reports() {
    Release r = catalog.find("2026.2").orElseThrow();
    assertThat(r.hasExpectedVersions()).isTrue();
    assertThat(r.rpcVersions())
        .isEqualTo(
            Map.of(
                CinderBinary.VOLUME, "3.20",
                CinderBinary.SCHEDULER, "3.12",
                CinderBinary.BACKUP, "2.4"));
    assertThat(r.objectVersion()).isEqualTo("1.39");
  }

  @Test
  void aSeriesAfterTheTableIsKnownByNameWithoutExpectedVersions() {
    Release r = catalog.find("2027.1").orElseThrow();
    assertThat(r.hasExpectedVersions()).isFalse();
    assertThat(r.rpcVersions()).isEmpty();
    assertThat(catalog.knownObjectVersions("2027.1")).isEmpty();
  }

  @Test
  void knowsTheObjectHistoryOfEachSeriesInTheTable() {
    assertThat(catalog.knownObjectVersions("2026.2")).contains(java.util.Set.of("1.38", "1.39"));
    assertThat(catalog.knownObjectVersions("zed").orElseThrow()).doesNotContain("1.37");
    assertThat(catalog.knownObjectVersions("wallaby").orElseThrow())
        .contains("1.0", "1.37", "1.38")
        .doesNotContain("1.39");
  }

  @Test
  void namesTheSeriesBetweenTwoAndTheNextOne() {
    assertThat(catalog.between("2023.2", "2025.1")).containsExactly("2024.1", "2024.2");
    assertThat(catalog.between("zed", "2023.2")).containsExactly("2023.1");
    assertThat(catalog.next("2026.2")).contains("2027.1");
    assertThat(catalog.next("zed")).contains("2023.1");
  }

  @Test
  void aTestCatalogMustAgreeWithTheNamingRule() {
    assertThatThrownBy(
            () -> ReleaseCatalog.of(List.of(new Release("2026.2", 29, true, Map.of(), null))))
        .hasMessageContaining("2026.2")
        .hasMessageContaining("not SLURP");
    ReleaseCatalog imitated =
        ReleaseCatalog.of(
            List.of(
                new Release(
                    "xena",
                    19,
                    false,
                    Map.of(
                        CinderBinary.VOLUME, "3.1",
                        CinderBinary.SCHEDULER, "3.1",
                        CinderBinary.BACKUP, "2.1"),
                    "1.39")));
    assertThat(imitated.find("xena")).map(r -> r.rpcVersion(CinderBinary.VOLUME)).contains("3.1");
    assertThat(imitated.find("zed")).map(Release::hasExpectedVersions).contains(false);
  }

  @ParameterizedTest
  @CsvSource({"3.20, 3.9, 1", "3.18, 3.18, 0", "2.3, 2.4, -1", "1.39, 1.38, 1"})
  void versionsCompareNumerically(String a, String b, int sign) {
    assertThat(Integer.signum(DottedVersion.compare(a, b))).isEqualTo(sign);
  }
}
