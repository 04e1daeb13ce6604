package dev.cinderoperator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;

/**
 * What platform teams set on the pods of one Cinder service (api, scheduler, a volume backend,
 * backup): storage to reach a backend, scheduling, security context overrides and metadata. The
 * types are Kubernetes' own, so the CRD's schema for them is Kubernetes' schema. Every field is
 * optional; unset means the operator's default.
 */
public class PodSettings {
  @Size(max = 32)
  @JsonPropertyDescription(
      "Extra pod volumes, e.g. a ConfigMap with ceph.conf or a Secret with a keyring. Names"
          + " config, state and tmp are the operator's.")
  private List<Volume> extraVolumes;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Extra mounts of the Cinder container, naming extraVolumes (e.g. /etc/ceph). The"
          + " operator's mount paths cannot be reused.")
  private List<VolumeMount> extraVolumeMounts;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Extra environment variables of the Cinder container (POD_NAME is the operator's).")
  private List<EnvVar> env;

  @Size(max = 16)
  @JsonPropertyDescription("Environment of the Cinder container from ConfigMaps or Secrets.")
  private List<EnvFromSource> envFrom;

  @JsonPropertyDescription("Node labels the pods must run on.")
  private Map<String, String> nodeSelector;

  @Size(max = 32)
  @JsonPropertyDescription("Taints the pods tolerate.")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Node and pod (anti-)affinity of the pods.")
  private Affinity affinity;

  @Size(max = 8)
  @JsonPropertyDescription(
      "How the pods spread over topology domains. Unset on api and scheduler: spread over nodes"
          + " (kubernetes.io/hostname, maxSkew 1, ScheduleAnyway).")
  private List<TopologySpreadConstraint> topologySpreadConstraints;

  @JsonPropertyDescription("PriorityClass of the pods.")
  private String priorityClassName;

  @JsonPropertyDescription(
      "Fields of the pod securityContext that replace the operator's (non-root uid 42407,"
          + " RuntimeDefault seccomp), e.g. runAsUser: 0 for an LVM or iSCSI backend.")
  private PodSecurityContext podSecurityContext;

  @JsonPropertyDescription(
      "Fields of the Cinder container's securityContext that replace the operator's (no"
          + " privilege escalation, read-only root, all capabilities dropped). privileged: true"
          + " (LVM, iSCSI) is allowed and announced with a Warning Event.")
  private SecurityContext securityContext;

  @JsonPropertyDescription(
      "Extra annotations of the pods (keys under cinder.operator.dev/ are the operator's).")
  private Map<String, String> podAnnotations;

  @JsonPropertyDescription(
      "Extra labels of the pods (app.kubernetes.io/* and cinder.operator.dev/* are the"
          + " operator's).")
  private Map<String, String> podLabels;

  public List<Volume> getExtraVolumes() {
    return extraVolumes;
  }

  public void setExtraVolumes(List<Volume> extraVolumes) {
    this.extraVolumes = extraVolumes;
  }

  public List<VolumeMount> getExtraVolumeMounts() {
    return extraVolumeMounts;
  }

  public void setExtraVolumeMounts(List<VolumeMount> extraVolumeMounts) {
    this.extraVolumeMounts = extraVolumeMounts;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public List<EnvFromSource> getEnvFrom() {
    return envFrom;
  }

  public void setEnvFrom(List<EnvFromSource> envFrom) {
    this.envFrom = envFrom;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public List<TopologySpreadConstraint> getTopologySpreadConstraints() {
    return topologySpreadConstraints;
  }

  public void setTopologySpreadConstraints(
      List<TopologySpreadConstraint> topologySpreadConstraints) {
    this.topologySpreadConstraints = topologySpreadConstraints;
  }

  public String getPriorityClassName() {
    return priorityClassName;
  }

  public void setPriorityClassName(String priorityClassName) {
    this.priorityClassName = priorityClassName;
  }

  public PodSecurityContext getPodSecurityContext() {
    return podSecurityContext;
  }

  public void setPodSecurityContext(PodSecurityContext podSecurityContext) {
    this.podSecurityContext = podSecurityContext;
  }

  public SecurityContext getSecurityContext() {
    return securityContext;
  }

  public void setSecurityContext(SecurityContext securityContext) {
    this.securityContext = securityContext;
  }

  public Map<String, String> getPodAnnotations() {
    return podAnnotations;
  }

  public void setPodAnnotations(Map<String, String> podAnnotations) {
    this.podAnnotations = podAnnotations;
  }

  public Map<String, String> getPodLabels() {
    return podLabels;
  }

  public void setPodLabels(Map<String, String> podLabels) {
    this.podLabels = podLabels;
  }

  /** Whether the container asks for privileged mode. */
  public boolean privileged() {
    return securityContext != null && Boolean.TRUE.equals(securityContext.getPrivileged());
  }
}
