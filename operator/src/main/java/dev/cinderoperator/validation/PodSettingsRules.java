package dev.cinderoperator.validation;

import dev.cinderoperator.api.PodSettings;
import dev.cinderoperator.cinder.CinderConf;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a component's pod settings may not do: take the operator's volumes, mount paths, env or
 * metadata keys, mount a volume that is not there, or carry labels Kubernetes refuses. The rest
 * (volume sources, affinity terms, ...) is Kubernetes' to validate: a refused StatefulSet shows as
 * the reconcile error in status.
 */
final class PodSettingsRules {
  /** Volumes and mount paths every Cinder pod has. */
  static final Set<String> OWN_VOLUMES = Set.of("config", "state", "tmp");

  static final Set<String> OWN_MOUNT_PATHS =
      Set.of(CinderConf.CONFIG_DIR, "/var/lib/cinder", "/tmp");
  static final Set<String> OWN_ENV = Set.of("POD_NAME");
  static final List<String> OWN_LABEL_PREFIXES =
      List.of("app.kubernetes.io/", "cinder.operator.dev/");
  static final String OWN_ANNOTATION_PREFIX = "cinder.operator.dev/";

  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern LABEL_NAME =
      Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  private PodSettingsRules() {}

  static void check(String at, PodSettings s, List<SpecProblem> problems) {
    if (s == null) {
      return;
    }
    Set<String> volumes = volumes(at, s, problems);
    mounts(at, s, volumes, problems);
    env(at, s, problems);
    labels(at + ".podLabels", s.getPodLabels(), problems);
    annotations(at + ".podAnnotations", s.getPodAnnotations(), problems);
  }

  /** The extra volumes' names: DNS labels, none of the operator's, each once. */
  private static Set<String> volumes(String at, PodSettings s, List<SpecProblem> problems) {
    Set<String> volumes = new HashSet<>();
    List<Volume> extra = s.getExtraVolumes() == null ? List.of() : s.getExtraVolumes();
    for (int i = 0; i < extra.size(); i++) {
      String field = at + ".extraVolumes[" + i + "].name";
      String name = extra.get(i) == null ? null : extra.get(i).getName();
      if (name == null || !DNS_LABEL.matcher(name).matches() || name.length() > 63) {
        problems.add(
            new SpecProblem(
                field, "InvalidPodSettings", field + " must be a DNS label (e.g. ceph-conf)"));
      } else if (OWN_VOLUMES.contains(name)) {
        problems.add(
            new SpecProblem(
                field,
                "InvalidPodSettings",
                field
                    + " '"
                    + name
                    + "' is a volume of the operator's ("
                    + String.join(", ", OWN_VOLUMES.stream().sorted().toList())
                    + "): choose another name"));
      } else if (!volumes.add(name)) {
        problems.add(
            new SpecProblem(
                field, "InvalidPodSettings", field + " '" + name + "' appears more than once"));
      }
    }
    return volumes;
  }

  /** The extra mounts: of an extra volume, at an absolute path not the operator's, each once. */
  private static void mounts(
      String at, PodSettings s, Set<String> volumes, List<SpecProblem> problems) {
    Set<String> paths = new HashSet<>();
    List<VolumeMount> mounts =
        s.getExtraVolumeMounts() == null ? List.of() : s.getExtraVolumeMounts();
    for (int i = 0; i < mounts.size(); i++) {
      String field = at + ".extraVolumeMounts[" + i + "]";
      VolumeMount m = mounts.get(i);
      if (m == null || m.getName() == null || !volumes.contains(m.getName())) {
        problems.add(
            new SpecProblem(
                field + ".name",
                "InvalidPodSettings",
                field
                    + ".name '"
                    + (m == null ? "" : m.getName())
                    + "' names no entry of "
                    + at
                    + ".extraVolumes: add the volume or fix the name"));
        continue;
      }
      String path = m.getMountPath();
      if (path == null || !path.startsWith("/")) {
        problems.add(
            new SpecProblem(
                field + ".mountPath",
                "InvalidPodSettings",
                field + ".mountPath must be an absolute path, e.g. /etc/ceph"));
      } else if (OWN_MOUNT_PATHS.contains(stripSlash(path))) {
        problems.add(
            new SpecProblem(
                field + ".mountPath",
                "InvalidPodSettings",
                field
                    + ".mountPath "
                    + path
                    + " is where the operator mounts its own files: mount elsewhere (e.g. a"
                    + " subdirectory)"));
      } else if (!paths.add(stripSlash(path))) {
        problems.add(
            new SpecProblem(
                field + ".mountPath",
                "InvalidPodSettings",
                field + ".mountPath " + path + " is mounted twice"));
      }
    }
  }

  /** Extra environment: named, and not what the operator sets. */
  private static void env(String at, PodSettings s, List<SpecProblem> problems) {
    List<EnvVar> env = s.getEnv() == null ? List.of() : s.getEnv();
    for (int i = 0; i < env.size(); i++) {
      String name = env.get(i) == null ? null : env.get(i).getName();
      if (name == null || name.isEmpty() || OWN_ENV.contains(name)) {
        String field = at + ".env[" + i + "].name";
        problems.add(
            new SpecProblem(
                field,
                "InvalidPodSettings",
                field
                    + (name == null || name.isEmpty()
                        ? " is empty"
                        : " " + name + " is set by the operator (the service's host): remove it")));
      }
    }
  }

  private static void labels(String at, Map<String, String> labels, List<SpecProblem> problems) {
    if (labels == null) {
      return;
    }
    labels.forEach(
        (key, value) -> {
          String field = at + "." + key;
          if (OWN_LABEL_PREFIXES.stream().anyMatch(key::startsWith)) {
            problems.add(
                new SpecProblem(
                    field,
                    "InvalidPodSettings",
                    field
                        + ": labels under app.kubernetes.io/ and cinder.operator.dev/ are the"
                        + " operator's (they select the pods): use another key"));
          } else if (!validKey(key)) {
            problems.add(
                new SpecProblem(
                    field,
                    "InvalidPodSettings",
                    field
                        + ": not a valid label key (an optional DNS subdomain prefix and '/', then"
                        + " at most 63 letters, digits, '-', '_' or '.')"));
          } else if (value == null
              || value.length() > 63
              || !(value.isEmpty() || LABEL_NAME.matcher(value).matches())) {
            problems.add(
                new SpecProblem(
                    field,
                    "InvalidPodSettings",
                    field
                        + ": not a valid label value (at most 63 letters, digits, '-', '_' or '.',"
                        + " beginning and ending with a letter or digit)"));
          }
        });
  }

  private static void annotations(
      String at, Map<String, String> annotations, List<SpecProblem> problems) {
    if (annotations == null) {
      return;
    }
    annotations.forEach(
        (key, value) -> {
          String field = at + "." + key;
          if (key.startsWith(OWN_ANNOTATION_PREFIX)) {
            problems.add(
                new SpecProblem(
                    field,
                    "InvalidPodSettings",
                    field + ": annotations under cinder.operator.dev/ are the operator's"));
          } else if (!validKey(key)) {
            problems.add(
                new SpecProblem(
                    field, "InvalidPodSettings", field + ": not a valid annotation key"));
          }
        });
  }

  private static boolean validKey(String key) {
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return name.length() <= 63 && LABEL_NAME.matcher(name).matches();
  }

  private static String stripSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
