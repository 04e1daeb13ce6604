package dev.cinderoperator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** One OpenStack Cinder deployment: its release, image, services and upgrade policy. */
@Group(CinderCluster.GROUP)
@Version(CinderCluster.VERSION)
@Kind("CinderCluster")
@Plural("cinderclusters")
@Singular("cindercluster")
@ShortNames("cc")
@AdditionalPrinterColumn(
    name = "Release",
    jsonPath = ".status.release",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Target",
    jsonPath = ".spec.release",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Step",
    jsonPath = ".status.upgrade.step",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
// Names that every generated object can carry (NameLimits); the operator checks them again.
@ValidationRule(
    value = NameLimits.CEL_CLUSTER_NAME_FORMAT,
    message =
        "metadata.name must be a DNS-1035 label (lower-case letters, digits and '-', a letter"
            + " first, no dots): the API Service is named <name>-api")
@ValidationRule(
    value = NameLimits.CEL_CLUSTER_NAME_LENGTH,
    message =
        "metadata.name must be at most 42 characters: the StatefulSet <name>-scheduler must fit"
            + " 52 (its pods' controller-revision-hash label adds 11 to a 63 limit)")
@ValidationRule(
    value = NameLimits.CEL_VOLUME_NAMES,
    message =
        "metadata.name and spec.volumes[].name together must be at most 44 characters: the"
            + " StatefulSet <name>-volume-<backend> must fit 52")
public class CinderCluster extends CustomResource<CinderClusterSpec, CinderClusterStatus>
    implements Namespaced {
  public static final String GROUP = "cinder.operator.dev";
  public static final String VERSION = "v1alpha1";

  @Override
  protected CinderClusterStatus initStatus() {
    return new CinderClusterStatus();
  }
}
