package dev.cinderoperator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.upgrade.UpgradePlanner;
import dev.cinderoperator.upgrade.UpgradePreview;
import dev.cinderoperator.validation.SpecProblem;
import dev.cinderoperator.validation.SpecValidator;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints the steps an upgrade to the given CinderCluster would take, changing nothing: against the
 * live cluster (its status and pods, read-only) or offline from {@code --from}.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Show the steps an upgrade to this CinderCluster would take; changes nothing.")
public final class PlanCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "The CinderCluster as you would apply it (YAML).")
  File file;

  @Option(
      names = "--from",
      description =
          "Offline: the release running now (its image is assumed to be the spec image with the"
              + " tag replaced). Without it, the live cluster of the current kubeconfig is read.")
  String from;

  @Option(names = "--from-image", description = "Offline: the image running now.")
  String fromImage;

  PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    CinderCluster desired =
        new ObjectMapper(new YAMLFactory()).readValue(file, CinderCluster.class);
    ReleaseCatalog catalog = ReleaseCatalog.standard();
    List<SpecProblem> problems =
        new SpecValidator(catalog).validate(desired.getMetadata().getName(), desired.getSpec());
    if (!problems.isEmpty()) {
      problems.forEach(p -> out.println("invalid: " + p));
      return 1;
    }
    CinderClusterStatus status;
    List<PodView> pods = List.of();
    String name = desired.getMetadata().getName();
    if (from != null) {
      status = new CinderClusterStatus();
      status.setRelease(from);
      status.setImage(fromImage != null ? fromImage : retag(desired.getSpec().getImage(), from));
    } else {
      try (KubernetesClient client = new KubernetesClientBuilder().build()) {
        String ns =
            desired.getMetadata().getNamespace() != null
                ? desired.getMetadata().getNamespace()
                : client.getNamespace();
        CinderCluster live =
            client.resources(CinderCluster.class).inNamespace(ns).withName(name).get();
        if (live == null) {
          out.println(
              "CinderCluster "
                  + ns
                  + "/"
                  + name
                  + " does not exist: this would be a first install");
          return 0;
        }
        status = live.getStatus();
        pods =
            dev.cinderoperator.kube.PlanObservations.pods(
                client.pods().inNamespace(ns).withLabel(Labels.INSTANCE, name).list().getItems());
      }
    }
    print(new UpgradePlanner().preview(name, desired.getSpec(), status, pods, catalog));
    return 0;
  }

  void print(UpgradePreview preview) {
    out.println(preview.summary());
    int n = 1;
    for (var step : preview.steps()) {
      out.printf("%2d. %-17s %s%n", n++, step.step(), step.description());
      step.jobs().forEach(j -> out.println("      job " + j));
      step.pods().forEach(p -> out.println("      pod " + p));
    }
  }

  static String retag(String image, String tag) {
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    return (colon > slash ? image.substring(0, colon) : image) + ":" + tag;
  }
}
