package dev.cinderoperator.cinder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cinderoperator.api.VersionPin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionProbeResultTest {

  /** What the probe printed on Debian's Cinder 21.3.1 (Zed). */
  static String realZedOutput() throws IOException {
    try (InputStream in =
        VersionProbeResultTest.class.getResourceAsStream(
            "/dev/cinderoperator/cinder/version-probe-21.3.1.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void readsTheRealProbeOutput() throws IOException {
    VersionProbeResult r = VersionProbeResult.parse(realZedOutput());

    assertThat(r.rpcVersion(CinderBinary.SCHEDULER)).isEqualTo("3.12");
    assertThat(r.rpcVersion(CinderBinary.VOLUME)).isEqualTo("3.18");
    assertThat(r.rpcVersion(CinderBinary.BACKUP)).isEqualTo("2.3");
    assertThat(r.objects()).isEqualTo("1.39");
    assertThat(r.objectHistory()).containsExactly("1.38", "1.39");
    assertThat(r.packageVersion()).isEqualTo("21.3.1");
    assertThat(r.cinderMajor()).contains(21);
    assertThat(r.knowsObjectVersion("1.38")).isTrue();
    assertThat(r.knowsObjectVersion("1.37")).isFalse();
    assertThat(r.targets())
        .containsExactly(
            new VersionPin("cinder-scheduler", "3.12", "1.39"),
            new VersionPin("cinder-volume", "3.18", "1.39"),
            new VersionPin("cinder-backup", "2.3", "1.39"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|is empty",
        "Traceback (most recent call last): ImportError|is not JSON",
        "[1,2]|is not a JSON object",
        "{\"objects\":\"1.39\",\"objectHistory\":[\"1.39\"]}|lacks the object 'rpc'",
        "{\"rpc\":{\"cinder-scheduler\":\"3.12\",\"cinder-volume\":\"3.18\"},\"objects\":\"1.39\",\"objectHistory\":[\"1.39\"]}|lacks the RPC version of cinder-backup",
        "{\"rpc\":{\"cinder-scheduler\":\"3.12\",\"cinder-volume\":\"3.18\",\"cinder-backup\":\"two\"},\"objects\":\"1.39\",\"objectHistory\":[\"1.39\"]}|'rpc.cinder-backup' = \"two\", not a version",
        "{\"rpc\":{\"cinder-scheduler\":\"3.12\",\"cinder-volume\":3.18,\"cinder-backup\":\"2.3\"},\"objects\":\"1.39\",\"objectHistory\":[\"1.39\"]}|'rpc.cinder-volume' = 3.18, not a version",
        "{\"rpc\":{\"cinder-api\":\"1.0\"},\"objects\":\"1.39\",\"objectHistory\":[\"1.39\"]}|unknown binary 'cinder-api'",
        "{\"rpc\":{\"cinder-scheduler\":\"3.12\",\"cinder-volume\":\"3.18\",\"cinder-backup\":\"2.3\"},\"objectHistory\":[\"1.39\"]}|lacks 'objects'",
        "{\"rpc\":{\"cinder-scheduler\":\"3.12\",\"cinder-volume\":\"3.18\",\"cinder-backup\":\"2.3\"},\"objects\":\"1.39\",\"objectHistory\":[]}|non-empty array 'objectHistory'",
        "{\"rpc\":{\"cinder-scheduler\":\"3.12\",\"cinder-volume\":\"3.18\",\"cinder-backup\":\"2.3\"},\"objects\":\"1.40\",\"objectHistory\":[\"1.39\"]}|objects 1.40 missing from objectHistory",
        "{\"rpc\":{},\"objects\":\"1.39\",\"objectHistory\":[\"1.39\"],\"extra\":1}|unexpected field 'extra'",
        "{\"rpc\":{\"cinder-scheduler\":\"3.12\",\"cinder-volume\":\"3.18\",\"cinder-backup\":\"2.3\"},\"objects\":\"1.39\",\"objectHistory\":[\"1.39\"],\"package\":\"zed\"}|'package' = \"zed\", not a version",
      })
  void garbageGetsAClearError(String input, String expected) {
    assertThatThrownBy(() -> VersionProbeResult.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("version probe output")
        .hasMessageContaining(expected);
  }

  @Test
  void quotesAtMost200CharactersOfTheInput() {
    String huge = "x".repeat(10_000);
    assertThatThrownBy(() -> VersionProbeResult.parse(huge))
        .hasMessageContaining("is not JSON")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(260));
  }
}
