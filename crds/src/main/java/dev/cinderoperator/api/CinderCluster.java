package dev.cinderoperator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
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
public class CinderCluster extends CustomResource<CinderClusterSpec, CinderClusterStatus>
    implements Namespaced {
  public static final String GROUP = "cinder.operator.dev";
  public static final String VERSION = "v1alpha1";

  @Override
  protected CinderClusterStatus initStatus() {
    return new CinderClusterStatus();
  }
}
