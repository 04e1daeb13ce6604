package dev.cinderoperator.validation;

import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.Durations;
import dev.cinderoperator.api.NameLimits;
import dev.cinderoperator.api.PodSettings;
import dev.cinderoperator.api.SecretSource;
import dev.cinderoperator.api.UpgradeSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.CinderConf;
import dev.cinderoperator.cinder.ReleaseCatalog;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The schema's rules checked again by the operator (an API server without the schema, such as the
 * mock server, or an older CRD, lets anything through), plus rules the schema cannot say.
 */
public final class SpecValidator {
  private static final Pattern DNS_LABEL = Pattern.compile(VolumeBackendSpec.NAME_PATTERN);
  private static final Pattern CLUSTER_NAME = Pattern.compile(NameLimits.CLUSTER_NAME_PATTERN);
  private static final Pattern INI_NAME = Pattern.compile("^[A-Za-z0-9_.\\-]+$");
  private static final int MAX_BACKEND_NAME = 40;

  private final ReleaseCatalog catalog;

  public SpecValidator(ReleaseCatalog catalog) {
    this.catalog = catalog;
  }

  /**
   * The spec and the names the operator derives from the cluster's name: every generated object
   * name and label must be one Kubernetes accepts ({@link NameLimits}).
   */
  public List<SpecProblem> validate(String clusterName, CinderClusterSpec spec) {
    List<SpecProblem> problems = new ArrayList<>();
    boolean nameOk = clusterName(clusterName, problems);
    problems.addAll(validate(spec));
    if (nameOk && spec != null) {
      backendNameLengths(clusterName, spec.volumesOrEmpty(), problems);
    }
    return problems;
  }

  public List<SpecProblem> validate(CinderClusterSpec spec) {
    List<SpecProblem> problems = new ArrayList<>();
    if (spec == null) {
      problems.add(
          new SpecProblem(
              "spec", "MissingSpec", "the CinderCluster has no spec: add spec.release"));
      return problems;
    }
    release(spec, problems);
    if (spec.getImage() == null || spec.getImage().isBlank()) {
      problems.add(
          new SpecProblem(
              "spec.image",
              "ImageMissing",
              "spec.image is required: set the Cinder container image, e.g."
                  + " registry.example.com/openstack/cinder:"
                  + nvl(spec.getRelease(), "2024.1")));
    } else if (spec.getImage().chars().anyMatch(Character::isWhitespace)) {
      problems.add(new SpecProblem("spec.image", "InvalidImage", "spec.image contains whitespace"));
    }
    secretRef("spec.database", spec.getDatabase(), "MissingDatabaseSecretRef", problems);
    secretRef("spec.messaging", spec.getMessaging(), "MissingMessagingSecretRef", problems);
    replicas(
        "spec.api.replicas", spec.getApi() == null ? null : spec.getApi().getReplicas(), problems);
    replicas(
        "spec.scheduler.replicas",
        spec.getScheduler() == null ? null : spec.getScheduler().getReplicas(),
        problems);
    replicas(
        "spec.backup.replicas",
        spec.getBackup() == null ? null : spec.getBackup().getReplicas(),
        problems);
    volumes(spec.volumesOrEmpty(), problems);
    coordination(spec, problems);
    config(spec.configOrEmpty(), problems);
    if (spec.getBackup() != null && spec.getBackup().getConfig() != null) {
      options("spec.backup.config", spec.getBackup().getConfig(), Set.of(), problems);
    }
    upgrade(spec.getUpgrade(), problems);
    PodSettingsRules.check("spec.api", spec.getApi(), problems);
    PodSettingsRules.check("spec.scheduler", spec.getScheduler(), problems);
    List<VolumeBackendSpec> volumes = spec.volumesOrEmpty();
    for (int i = 0; i < volumes.size(); i++) {
      PodSettings settings = volumes.get(i);
      PodSettingsRules.check("spec.volumes[" + i + "]", settings, problems);
    }
    PodSettingsRules.check("spec.backup", spec.getBackup(), problems);
    return problems;
  }

  private static boolean clusterName(String name, List<SpecProblem> problems) {
    if (name == null || !CLUSTER_NAME.matcher(name).matches()) {
      problems.add(
          new SpecProblem(
              "metadata.name",
              "InvalidClusterName",
              "metadata.name '"
                  + nvl(name, "")
                  + "' must be a DNS-1035 label (lower-case letters, digits and '-', a letter"
                  + " first, no dots): the API Service is named <name>-api. Re-create the"
                  + " CinderCluster under such a name"));
      return false;
    }
    if (name.length() > NameLimits.MAX_CLUSTER_NAME) {
      problems.add(
          new SpecProblem(
              "metadata.name",
              "ClusterNameTooLong",
              "metadata.name is "
                  + name.length()
                  + " characters, at most "
                  + NameLimits.MAX_CLUSTER_NAME
                  + " fit: the StatefulSet "
                  + name
                  + "-scheduler would be "
                  + (name.length() + "-scheduler".length())
                  + " characters and a StatefulSet name may have at most "
                  + NameLimits.MAX_STATEFULSET_NAME
                  + " (its pods' controller-revision-hash label adds 11 characters to a limit of"
                  + " 63). Re-create the CinderCluster under a shorter name"));
      return false;
    }
    return true;
  }

  private static void backendNameLengths(
      String cluster, List<VolumeBackendSpec> volumes, List<SpecProblem> problems) {
    for (int i = 0; i < volumes.size(); i++) {
      VolumeBackendSpec v = volumes.get(i);
      if (v == null || v.getName() == null || !DNS_LABEL.matcher(v.getName()).matches()) {
        continue; // reported as an invalid name already
      }
      int length = cluster.length() + "-volume-".length() + v.getName().length();
      if (length > NameLimits.MAX_STATEFULSET_NAME) {
        String field = "spec.volumes[" + i + "].name";
        problems.add(
            new SpecProblem(
                field,
                "BackendNameTooLong",
                field
                    + " '"
                    + v.getName()
                    + "' makes the StatefulSet "
                    + cluster
                    + "-volume-"
                    + v.getName()
                    + " "
                    + length
                    + " characters long; a StatefulSet name may have at most "
                    + NameLimits.MAX_STATEFULSET_NAME
                    + " (its pods' controller-revision-hash label adds 11 characters to a limit"
                    + " of 63): shorten "
                    + field
                    + " to at most "
                    + Math.max(0, NameLimits.MAX_CLUSTER_AND_BACKEND - cluster.length())
                    + " characters (metadata.name and the backend name together at most "
                    + NameLimits.MAX_CLUSTER_AND_BACKEND
                    + ")"));
      }
    }
  }

  private void release(CinderClusterSpec spec, List<SpecProblem> problems) {
    String release = spec.getRelease();
    if (release == null || release.isBlank()) {
      problems.add(
          new SpecProblem(
              "spec.release",
              "ReleaseMissing",
              "spec.release is required: set the OpenStack series the image carries: "
                  + catalog.knownNames()));
    } else if (catalog.find(release).isEmpty()) {
      problems.add(
          new SpecProblem(
              "spec.release",
              "UnknownRelease",
              "spec.release '"
                  + release
                  + "' is not the name of an OpenStack series: use "
                  + catalog.knownNames()));
    }
  }

  private static void secretRef(
      String field, SecretSource source, String reason, List<SpecProblem> problems) {
    if (source == null || source.getSecretRef() == null) {
      problems.add(
          new SpecProblem(
              field + ".secretRef",
              reason,
              field + ".secretRef is required: name the Secret and key holding the URL"));
      return;
    }
    var ref = source.getSecretRef();
    if (ref.getName() == null || ref.getName().isBlank()) {
      problems.add(
          new SpecProblem(field + ".secretRef.name", reason, field + ".secretRef.name is empty"));
    }
    if (ref.getKey() == null || ref.getKey().isBlank()) {
      problems.add(
          new SpecProblem(field + ".secretRef.key", reason, field + ".secretRef.key is empty"));
    }
  }

  private static void replicas(String field, Integer value, List<SpecProblem> problems) {
    if (value != null && value < 0) {
      problems.add(
          new SpecProblem(field, "NegativeReplicas", field + " is " + value + ": use 0 or more"));
    }
  }

  private static void volumes(List<VolumeBackendSpec> volumes, List<SpecProblem> problems) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < volumes.size(); i++) {
      VolumeBackendSpec v = volumes.get(i);
      String field = "spec.volumes[" + i + "]";
      if (v == null) {
        problems.add(new SpecProblem(field, "InvalidBackend", field + " is empty"));
        continue;
      }
      String name = v.getName();
      if (name == null || !DNS_LABEL.matcher(name).matches() || name.length() > MAX_BACKEND_NAME) {
        problems.add(
            new SpecProblem(
                field + ".name",
                "InvalidBackendName",
                field
                    + ".name '"
                    + nvl(name, "")
                    + "' must be a DNS label (lower-case letters, digits, '-') of at most "
                    + MAX_BACKEND_NAME
                    + " characters"));
      } else if (!seen.add(name)) {
        problems.add(
            new SpecProblem(
                field + ".name",
                "DuplicateBackendName",
                "backend name '"
                    + name
                    + "' appears more than once in spec.volumes: rename or merge the entries"));
      }
      replicas(field + ".replicas", v.getReplicas(), problems);
      if (v.replicasOrDefault() > 1 && !v.isActiveActive()) {
        problems.add(
            new SpecProblem(
                field + ".replicas",
                "ReplicasNeedActiveActive",
                field
                    + ".replicas is "
                    + v.getReplicas()
                    + " but activeActive is not true: several cinder-volume pods on one backend"
                    + " must run as a Cinder cluster; set "
                    + field
                    + ".activeActive: true (driver must support it) or replicas: 1"));
      }
      if (v.getConfig() != null) {
        options(field + ".config", v.getConfig(), Set.of("backend_host"), problems);
      }
    }
  }

  /**
   * An active/active backend needs a coordination backend every member reaches: without {@code
   * [coordination] backend_url} Cinder uses tooz's file driver under each pod's own state_path, and
   * locks that exclude nothing between pods.
   */
  private static void coordination(CinderClusterSpec spec, List<SpecProblem> problems) {
    String url = spec.configOrEmpty().getOrDefault("coordination", Map.of()).get("backend_url");
    if (url != null && !url.isBlank()) {
      return;
    }
    List<VolumeBackendSpec> volumes = spec.volumesOrEmpty();
    for (int i = 0; i < volumes.size(); i++) {
      VolumeBackendSpec v = volumes.get(i);
      if (v.isActiveActive()) {
        problems.add(
            new SpecProblem(
                "spec.volumes[" + i + "].activeActive",
                "CoordinationMissing",
                "backend '"
                    + v.getName()
                    + "' is active/active but spec.config has no coordination.backend_url:"
                    + " Cinder would fall back to file locks in each pod's own /var/lib/cinder,"
                    + " which do not exclude the other members. Set"
                    + " spec.config.coordination.backend_url to a backend every cinder-volume pod"
                    + " reaches (e.g. etcd3+http://etcd:2379, or mysql://... for tooz's MySQL"
                    + " driver), or set activeActive: false with replicas: 1"));
      }
    }
  }

  private static void config(Map<String, Map<String, String>> config, List<SpecProblem> problems) {
    config.forEach(
        (section, options) -> {
          String field = "spec.config." + section;
          if (!INI_NAME.matcher(section).matches()) {
            problems.add(
                new SpecProblem(
                    field,
                    "InvalidConfig",
                    "config section '" + section + "' is not a valid cinder.conf section name"));
            return;
          }
          options(
              field,
              options == null ? Map.of() : options,
              CinderConf.RESERVED.getOrDefault(section, Set.of()),
              problems);
        });
  }

  private static void options(
      String field, Map<String, String> options, Set<String> reserved, List<SpecProblem> problems) {
    options.forEach(
        (option, value) -> {
          if (!INI_NAME.matcher(option).matches()) {
            problems.add(
                new SpecProblem(
                    field + "." + option,
                    "InvalidConfig",
                    "option name '" + option + "' is not a valid cinder.conf option name"));
          } else if (reserved.contains(option)) {
            problems.add(
                new SpecProblem(
                    field + "." + option,
                    "ReservedConfigOption",
                    field
                        + "."
                        + option
                        + " is set by the operator (service identity, database or messaging):"
                        + " remove it; use spec.database, spec.messaging or spec.volumes instead"));
          } else if (value == null || value.contains("\n") || value.contains("\r")) {
            problems.add(
                new SpecProblem(
                    field + "." + option,
                    "InvalidConfig",
                    field + "." + option + " must be a single-line value"));
          }
        });
  }

  private static void upgrade(UpgradeSpec upgrade, List<SpecProblem> problems) {
    if (upgrade == null) {
      return;
    }
    duration("spec.upgrade.podReadyTimeout", upgrade.getPodReadyTimeout(), problems);
    duration("spec.upgrade.serviceReportTimeout", upgrade.getServiceReportTimeout(), problems);
    duration("spec.upgrade.backupDrainTimeout", upgrade.getBackupDrainTimeout(), problems);
    Integer batch = upgrade.getOnlineDataMigrationBatch();
    if (batch != null && batch < 1) {
      problems.add(
          new SpecProblem(
              "spec.upgrade.onlineDataMigrationBatch",
              "InvalidBatch",
              "spec.upgrade.onlineDataMigrationBatch is "
                  + batch
                  + ": use 1 or more (default 50)"));
    }
  }

  private static void duration(String field, String value, List<SpecProblem> problems) {
    if (value != null && Durations.parse(value).isEmpty()) {
      problems.add(
          new SpecProblem(
              field,
              "InvalidDuration",
              field
                  + " is '"
                  + value
                  + "': use a Kubernetes-style duration such as 90s, 10m or 1h30m"));
    }
  }

  private static String nvl(String s, String other) {
    return s == null ? other : s;
  }
}
