package dev.cinderoperator.e2e;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for the users' Secret values (the database and RabbitMQ URLs and their passwords) where
 * they must never be: CinderCluster statuses, Events, ConfigMaps and the operator's log lines. The
 * Secret {@code <cluster>-config} that the Cinder pods mount is the one place they may be.
 */
final class SecretsScan {
  private static final Pattern URL_PASSWORD = Pattern.compile("://[^:/@]+:([^@/]+)@");

  private SecretsScan() {}

  /** Where a secret value was found, one line per finding; empty when none. */
  static List<String> leaks(KubernetesClient client, List<String> logLines) {
    Set<String> secrets = secretValues(client);
    List<String> found = new ArrayList<>();
    for (GenericKubernetesResource cc :
        client
            .genericKubernetesResources(
                ResourceDefinitionContext.fromResourceType(CinderCluster.class))
            .inAnyNamespace()
            .list()
            .getItems()) {
      Object status = cc.getAdditionalProperties().get("status");
      check(
          found,
          secrets,
          "status of " + cc.getMetadata().getName(),
          client.getKubernetesSerialization().asJson(status));
    }
    client
        .v1()
        .events()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(
            e ->
                check(
                    found,
                    secrets,
                    "Event " + e.getReason() + " on " + e.getInvolvedObject().getName(),
                    e.getMessage()));
    client
        .configMaps()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(
            m ->
                check(
                    found,
                    secrets,
                    "ConfigMap " + m.getMetadata().getName(),
                    String.valueOf(m.getData()) + m.getBinaryData()));
    for (String line : logLines) {
      check(found, secrets, "log line", line);
    }
    return found;
  }

  /** Every value of the users' Secrets, and the password inside each URL-shaped one. */
  static Set<String> secretValues(KubernetesClient client) {
    Set<String> values = new LinkedHashSet<>();
    for (Secret s : client.secrets().inAnyNamespace().list().getItems()) {
      Map<String, String> labels = s.getMetadata().getLabels();
      if (labels != null && Labels.OPERATOR.equals(labels.get(Labels.MANAGED_BY))) {
        continue; // the operator's own config Secret holds them by design
      }
      if (s.getData() != null) {
        s.getData().values().forEach(v -> add(values, decode(v)));
      }
      if (s.getStringData() != null) {
        s.getStringData().values().forEach(v -> add(values, v));
      }
    }
    return values;
  }

  private static void add(Set<String> values, String value) {
    if (value == null) {
      return;
    }
    if (value.length() >= 8) {
      values.add(value);
    }
    Matcher m = URL_PASSWORD.matcher(value);
    while (m.find()) {
      values.add(m.group(1));
    }
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return base64;
    }
  }

  private static void check(List<String> found, Set<String> secrets, String where, String text) {
    if (text == null) {
      return;
    }
    for (String secret : secrets) {
      if (text.contains(secret)) {
        found.add(where + " holds a Secret value: " + abbreviate(text));
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
