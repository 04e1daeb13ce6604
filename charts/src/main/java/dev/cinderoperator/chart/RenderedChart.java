package dev.cinderoperator.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The chart as {@code helm template} renders it (with a real Helm engine; without the CRDs in
 * {@code crds/}, as {@code helm template} without {@code --include-crds}), parsed into one JSON
 * tree per Kubernetes object.
 */
public final class RenderedChart {
  public static final String RELEASE_NAME = "cinder-operator";
  public static final String RELEASE_NAMESPACE = "cinder-operator";

  private static final YAMLMapper YAML = new YAMLMapper();

  private final List<JsonNode> objects;

  private RenderedChart(List<JsonNode> objects) {
    this.objects = List.copyOf(objects);
  }

  /**
   * Renders the chart found by {@link ChartDirectory#locate()} with {@code --set} values (Helm's
   * syntax with indexes for lists: {@code watchNamespaces[0]=openstack}, {@code
   * extraEnv[0].name=X}).
   *
   * @throws IllegalStateException when Helm refuses the values or a template fails; the message is
   *     Helm's
   */
  public static RenderedChart render(Map<String, String> set) {
    return render(ChartDirectory.locate(), "", set);
  }

  /** Renders with a values file given as YAML text (may be empty) plus {@code --set} values. */
  public static RenderedChart render(Path chartDir, String valuesYaml, Map<String, String> set) {
    return parse(template(chartDir, valuesYaml, set));
  }

  /** As {@link #render(Map)}, installed into another release namespace. */
  public static RenderedChart render(Map<String, String> set, String releaseNamespace) {
    return parse(template(ChartDirectory.locate(), "", set, releaseNamespace));
  }

  /** The raw multi-document YAML {@code helm template} prints. */
  public static String template(Path chartDir, String valuesYaml, Map<String, String> set) {
    return template(chartDir, valuesYaml, set, RELEASE_NAMESPACE);
  }

  private static String template(
      Path chartDir, String valuesYaml, Map<String, String> set, String releaseNamespace) {
    TemplateCommand template =
        new Helm(chartDir)
            .template()
            .withName(RELEASE_NAME)
            .withNamespace(releaseNamespace)
            .withKubeVersion("1.31.0");
    set.forEach(template::set);
    if (valuesYaml.isBlank()) {
      return template.call();
    }
    Path valuesFile = null;
    try {
      valuesFile = Files.createTempFile("cinder-operator-values", ".yaml");
      Files.writeString(valuesFile, valuesYaml);
      return template.withValuesFile(valuesFile).call();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a temporary values file", e);
    } finally {
      deleteQuietly(valuesFile);
    }
  }

  /** Parses multi-document YAML, skipping empty documents. */
  public static RenderedChart parse(String multiDocumentYaml) {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs =
        YAML.readerFor(JsonNode.class).readValues(multiDocumentYaml)) {
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        if (doc != null && doc.isObject() && !doc.isEmpty()) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("helm template printed YAML that does not parse", e);
    }
    return new RenderedChart(objects);
  }

  public List<JsonNode> objects() {
    return objects;
  }

  public List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  /** The one object of this kind and name (any namespace). */
  public JsonNode get(String kind, String name) {
    List<JsonNode> found =
        ofKind(kind).stream()
            .filter(o -> name.equals(o.path("metadata").path("name").asText()))
            .toList();
    if (found.size() != 1) {
      throw new NoSuchElementException(
          found.size() + " objects " + kind + "/" + name + " rendered, expected 1");
    }
    return found.get(0);
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temp file is harmless
    }
  }
}
