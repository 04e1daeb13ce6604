package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the platform team asks for: release, image, services, configuration, upgrade policy. */
public class CinderClusterSpec {
  /** Series names: code names of old releases, or YYYY.N from 2023.1 on. */
  public static final String RELEASE_PATTERN = "^([a-z]+|[0-9]{4}\\.[12])$";

  @Required
  @Pattern(RELEASE_PATTERN)
  @JsonPropertyDescription("OpenStack series the image carries: zed, 2023.1, 2023.2, 2024.1, ...")
  private String release;

  @Required
  @Size(min = 1)
  @JsonPropertyDescription("Container image for every Cinder service.")
  private String image;

  @JsonPropertyDescription("Image pull policy of every Cinder container.")
  private ImagePullPolicy imagePullPolicy;

  @JsonPropertyDescription("Secrets to pull the image with.")
  private List<LocalObjectReference> imagePullSecrets = new ArrayList<>();

  @Required
  @JsonPropertyDescription("Secret key holding the SQLAlchemy URL of Cinder's database.")
  private SecretSource database;

  @Required
  @JsonPropertyDescription("Secret key holding the oslo.messaging transport URL.")
  private SecretSource messaging;

  @JsonPropertyDescription("Extra cinder.conf: section -> option -> value.")
  private Map<String, Map<String, String>> config = new LinkedHashMap<>();

  @JsonPropertyDescription("cinder-api. Default 1 replica.")
  private ComponentSpec api;

  @JsonPropertyDescription("cinder-scheduler. Default 1 replica.")
  private ComponentSpec scheduler;

  @Size(max = 64)
  @ValidationRule(
      value = "self.all(a, self.filter(b, b.name == a.name).size() == 1)",
      message = "volume backend names must be unique: rename or merge the duplicate entries")
  @JsonPropertyDescription("One entry per storage backend; names are unique DNS labels.")
  private List<VolumeBackendSpec> volumes = new ArrayList<>();

  @JsonPropertyDescription("cinder-backup. Default 0 replicas.")
  private BackupSpec backup;

  @JsonPropertyDescription("How upgrades run.")
  private UpgradeSpec upgrade;

  public String getRelease() {
    return release;
  }

  public void setRelease(String release) {
    this.release = release;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ImagePullPolicy getImagePullPolicy() {
    return imagePullPolicy;
  }

  public void setImagePullPolicy(ImagePullPolicy imagePullPolicy) {
    this.imagePullPolicy = imagePullPolicy;
  }

  public List<LocalObjectReference> getImagePullSecrets() {
    return imagePullSecrets;
  }

  public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
    this.imagePullSecrets = imagePullSecrets;
  }

  public SecretSource getDatabase() {
    return database;
  }

  public void setDatabase(SecretSource database) {
    this.database = database;
  }

  public SecretSource getMessaging() {
    return messaging;
  }

  public void setMessaging(SecretSource messaging) {
    this.messaging = messaging;
  }

  public Map<String, Map<String, String>> getConfig() {
    return config;
  }

  public void setConfig(Map<String, Map<String, String>> config) {
    this.config = config;
  }

  public ComponentSpec getApi() {
    return api;
  }

  public void setApi(ComponentSpec api) {
    this.api = api;
  }

  public ComponentSpec getScheduler() {
    return scheduler;
  }

  public void setScheduler(ComponentSpec scheduler) {
    this.scheduler = scheduler;
  }

  public List<VolumeBackendSpec> getVolumes() {
    return volumes;
  }

  public void setVolumes(List<VolumeBackendSpec> volumes) {
    this.volumes = volumes;
  }

  public BackupSpec getBackup() {
    return backup;
  }

  public void setBackup(BackupSpec backup) {
    this.backup = backup;
  }

  public UpgradeSpec getUpgrade() {
    return upgrade;
  }

  public void setUpgrade(UpgradeSpec upgrade) {
    this.upgrade = upgrade;
  }

  // Null-safe views with the contract's defaults, so callers never repeat them.

  public int apiReplicas() {
    return api == null || api.getReplicas() == null ? 1 : api.getReplicas();
  }

  public int schedulerReplicas() {
    return scheduler == null || scheduler.getReplicas() == null ? 1 : scheduler.getReplicas();
  }

  public int backupReplicas() {
    return backup == null ? 0 : backup.replicasOrDefault();
  }

  public List<VolumeBackendSpec> volumesOrEmpty() {
    return volumes == null ? List.of() : volumes;
  }

  public Map<String, Map<String, String>> configOrEmpty() {
    return config == null ? Map.of() : config;
  }

  public UpgradeSpec upgradeOrDefault() {
    return upgrade == null ? new UpgradeSpec() : upgrade;
  }
}
