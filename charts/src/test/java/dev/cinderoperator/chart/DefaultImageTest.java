package dev.cinderoperator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The chart installs, by default, the image the build makes (operator/pom.xml, profile image). */
class DefaultImageTest {
  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
    assertThat(m.find()).as("operator/pom.xml defines " + name).isTrue();
    return m.group(1).trim();
  }

  @Test
  void theDefaultImageIsTheOneTheBuildProduces() throws Exception {
    String pom =
        Files.readString(ChartDirectory.locate().resolve("../../operator/pom.xml").normalize());
    String built = property(pom, "image.name") + ":" + property(pom, "image.tag");
    assertThat(pom).contains("<to><image>${image.name}:${image.tag}</image></to>");

    String image =
        RenderedChart.render(Map.of())
            .get("Deployment", "cinder-operator")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0)
            .path("image")
            .asText();
    assertThat(image).isEqualTo(built);
  }

  @Test
  void theImageTagIsTheChartsAppVersion() throws Exception {
    String pom =
        Files.readString(ChartDirectory.locate().resolve("../../operator/pom.xml").normalize());
    String chart = Files.readString(ChartDirectory.locate().resolve("Chart.yaml"));
    assertThat(chart).contains("appVersion: \"" + property(pom, "image.tag") + "\"");
  }
}
