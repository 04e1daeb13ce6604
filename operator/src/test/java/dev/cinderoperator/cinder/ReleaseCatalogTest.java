package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReleaseCatalogTest {
  ReleaseCatalog catalog = ReleaseCatalog.standard();

  @ParameterizedTest
  @CsvSource({
    "2023.2, 2024.1, NEXT",
    "zed, 2023.1, NEXT",
    "2024.1, 2025.1, SKIP_LEVEL",
    "2023.1, 2024.1, SKIP_LEVEL",
    "2023.2, 2025.1, UNSUPPORTED_JUMP",
    "2024.1, 2023.2, DOWNGRADE",
    "2024.1, 2024.1, SAME",
    "2024.1, 2099.1, UNKNOWN",
    "zed, 2023.2, UNSUPPORTED_JUMP"
  })
  void knowsWhichJumpsAreRollingOfflineOrRefused(String from, String to, UpgradePath path) {
    assertThat(catalog.path(from, to)).isEqualTo(path);
  }

  @ParameterizedTest
  @CsvSource({"3.20, 3.9, 1", "3.18, 3.18, 0", "2.3, 2.4, -1", "1.39, 1.38, 1"})
  void versionsCompareNumerically(String a, String b, int sign) {
    assertThat(Integer.signum(DottedVersion.compare(a, b))).isEqualTo(sign);
  }
}
