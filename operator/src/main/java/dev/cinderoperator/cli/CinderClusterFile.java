package dev.cinderoperator.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cinderoperator.api.CinderCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a CinderCluster from a YAML file as a user wrote it (or as {@code kubectl get -o yaml}
 * printed it), turning every mistake into one line that names the file, the field and the fix.
 */
final class CinderClusterFile {
  static final String API_VERSION = CinderCluster.GROUP + "/" + CinderCluster.VERSION;
  static final String KIND = "CinderCluster";

  private static final YAMLMapper YAML = new YAMLMapper();

  private CinderClusterFile() {}

  static CinderCluster read(Path file) {
    String name = file.toString();
    if (!Files.exists(file)) {
      throw new UserError(name + ": no such file");
    }
    if (Files.isDirectory(file)) {
      throw new UserError(name + " is a directory: expected a YAML file with a " + KIND);
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UserError("cannot read " + name + ": " + e.getMessage(), e);
    }
    JsonNode doc = theCinderCluster(name, documents(name, text));
    try {
      return YAML.treeToValue(doc, CinderCluster.class);
    } catch (UnrecognizedPropertyException e) {
      String where = path(e);
      throw new UserError(
          name
              + ": unknown field "
              + (where.isEmpty() ? "" : where + ".")
              + e.getPropertyName()
              + "; "
              + (where.isEmpty() ? "a CinderCluster" : where)
              + " has "
              + known(e.getKnownPropertyIds()),
          e);
    } catch (InvalidFormatException e) {
      throw new UserError(
          name + ": " + path(e) + ": '" + e.getValue() + "' is not " + expected(e.getTargetType()),
          e);
    } catch (MismatchedInputException e) {
      throw new UserError(name + ": " + path(e) + ": expected " + expected(e.getTargetType()), e);
    } catch (JsonProcessingException e) {
      throw new UserError(name + ": " + Main.firstLine(e.getOriginalMessage()), e);
    }
  }

  private static List<JsonNode> documents(String name, String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new UserError(
          name
              + (at == null ? "" : ", line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ": not valid YAML: "
              + Main.firstLine(e.getOriginalMessage()),
          e);
    } catch (IOException e) {
      throw new UserError("cannot read " + name + ": " + e.getMessage(), e);
    }
    return docs;
  }

  /** The one CinderCluster among the file's documents (a file may also hold its Secrets). */
  private static JsonNode theCinderCluster(String name, List<JsonNode> docs) {
    if (docs.isEmpty()) {
      throw new UserError(
          name + " is empty: expected a " + KIND + " (apiVersion " + API_VERSION + ")");
    }
    List<JsonNode> clusters =
        docs.stream().filter(d -> KIND.equals(d.path("kind").asText())).toList();
    if (clusters.size() > 1) {
      throw new UserError(
          name + " holds " + clusters.size() + " CinderClusters: plan one file per CinderCluster");
    }
    if (clusters.isEmpty()) {
      JsonNode first = docs.get(0);
      if (!first.isObject()) {
        throw new UserError(name + " is not a YAML mapping: expected a " + KIND);
      }
      if (docs.size() == 1 && !first.hasNonNull("kind")) {
        throw new UserError(name + " has no kind: expected kind: " + KIND);
      }
      String kinds =
          docs.stream()
              .map(d -> d.path("kind").asText("?") + " (" + d.path("apiVersion").asText("?") + ")")
              .collect(Collectors.joining(", "));
      throw new UserError(
          name + " holds " + kinds + ", not a " + KIND + " (apiVersion " + API_VERSION + ")");
    }
    JsonNode cc = clusters.get(0);
    String apiVersion = cc.path("apiVersion").asText("");
    if (!API_VERSION.equals(apiVersion)) {
      throw new UserError(
          name
              + ": apiVersion "
              + (apiVersion.isEmpty() ? "is missing" : apiVersion + " is not served")
              + ": expected apiVersion: "
              + API_VERSION);
    }
    if (cc.path("metadata").path("name").asText("").isBlank()) {
      throw new UserError(name + ": metadata.name is missing");
    }
    return cc;
  }

  /** The field path of a mapping error, e.g. {@code spec.volumes[1]}. */
  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    List<JsonMappingException.Reference> refs = e.getPath();
    // the last reference of an unknown field is the field itself
    int end = e instanceof UnrecognizedPropertyException ? refs.size() - 1 : refs.size();
    for (int i = 0; i < end; i++) {
      JsonMappingException.Reference r = refs.get(i);
      if (r.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String known(Collection<Object> ids) {
    return ids == null || ids.isEmpty()
        ? "no fields"
        : "the fields "
            + ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "a value of another type";
    }
    if (type.isEnum()) {
      return "one of "
          + Arrays.stream(type.getEnumConstants())
              .map(String::valueOf)
              .collect(Collectors.joining(", "));
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping";
    }
    return "a mapping (" + type.getSimpleName() + ")";
  }
}
