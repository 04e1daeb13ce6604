package dev.cinderoperator.cli;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.kube.KubeObservations;
import dev.cinderoperator.upgrade.PodView;
import dev.cinderoperator.upgrade.UpgradePlanner;
import dev.cinderoperator.upgrade.UpgradePreview;
import dev.cinderoperator.validation.SpecProblem;
import dev.cinderoperator.validation.SpecValidator;
import dev.cinderoperator.workload.Labels;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Prints the steps an upgrade to the given CinderCluster would take, changing nothing. Offline by
 * default: what runs now comes from {@code --from}/{@code --from-image}, else from the file's own
 * status (as {@code kubectl get cc -o yaml} prints it); only {@code --live} reads the cluster.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Show the steps an upgrade to this CinderCluster would take; changes nothing.",
      "Offline unless --live: what runs now is --from/--from-image, else the file's status."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the upgrade would run, or there is nothing to do",
      "1:an error (the file, the spec, the cluster); one line on stderr",
      "2:the operator would refuse this upgrade; the reason on one line"
    })
public final class PlanCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "The CinderCluster as you would apply it (YAML).")
  Path file;

  @Option(
      names = "--from",
      paramLabel = "RELEASE",
      description =
          "The release running now, e.g. 2023.2. Its image is the spec image with the tag"
              + " replaced, unless --from-image says otherwise.")
  String from;

  @Option(
      names = "--from-image",
      paramLabel = "IMAGE",
      description =
          "The image running now. Alone, its tag must name the release (e.g. ...:2023.2).")
  String fromImage;

  @Option(
      names = "--live",
      description =
          "Read the CinderCluster's status and pods from the cluster of the current kubeconfig"
              + " (read-only) instead.")
  boolean live;

  @Mixin DebugOption debug;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Logging.quietUnless(debug.debug);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (live && (from != null || fromImage != null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--live reads what runs from the cluster: drop --from/--from-image");
    }
    CinderCluster desired = CinderClusterFile.read(file);
    ReleaseCatalog catalog = ReleaseCatalog.standard();
    List<SpecProblem> problems =
        new SpecValidator(catalog).validate(desired.getMetadata().getName(), desired.getSpec());
    if (!problems.isEmpty()) {
      problems.forEach(p -> err.println("error: " + file + ": " + p));
      return Main.ERROR;
    }
    String name = desired.getMetadata().getName();
    CinderClusterStatus status;
    List<PodView> pods = List.of();
    String note = null;
    if (live) {
      Live running = live(desired);
      if (running == null) {
        return Main.OK;
      }
      status = running.status();
      pods = running.pods();
    } else if (from != null || fromImage != null) {
      status = new CinderClusterStatus();
      status.setRelease(from != null ? from : releaseOfTag(fromImage, catalog));
      status.setImage(fromImage != null ? fromImage : retag(desired.getSpec().getImage(), from));
    } else {
      status = desired.getStatus();
      if (status == null || (status.getRelease() == null && status.getImage() == null)) {
        note =
            "(planned from "
                + file
                + ", which has no status: pass --from RELEASE for the release running now, or"
                + " --live to read it from the cluster)";
      }
    }
    UpgradePreview preview =
        new UpgradePlanner().preview(name, desired.getSpec(), status, pods, catalog);
    print(out, preview);
    if (note != null) {
      out.println(note);
    }
    return preview.refused() ? Main.REFUSED : Main.OK;
  }

  private record Live(CinderClusterStatus status, List<PodView> pods) {}

  /** The CinderCluster's status and pods from the cluster; null when it does not exist yet. */
  private Live live(CinderCluster desired) {
    Config config = ClusterConnection.config();
    ClusterConnection.check(config);
    String name = desired.getMetadata().getName();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      String ns =
          desired.getMetadata().getNamespace() != null
              ? desired.getMetadata().getNamespace()
              : client.getNamespace();
      CinderCluster live;
      try {
        live = client.resources(CinderCluster.class).inNamespace(ns).withName(name).get();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          throw new UserError(
              "the cluster at "
                  + config.getMasterUrl()
                  + " has no CinderCluster CRD: install the chart or apply"
                  + " crds/cinderclusters.cinder.operator.dev-v1.yml",
              e);
        }
        throw ClusterConnection.unreachable(config, e);
      }
      if (live == null) {
        spec.commandLine()
            .getOut()
            .println(
                "CinderCluster "
                    + ns
                    + "/"
                    + name
                    + " does not exist: applying it is a first install, not an upgrade.");
        return null;
      }
      return new Live(
          live.getStatus(),
          KubeObservations.pods(
              client.pods().inNamespace(ns).withLabel(Labels.INSTANCE, name).list().getItems()));
    }
  }

  static void print(PrintWriter out, UpgradePreview preview) {
    out.println(preview.summary());
    int n = 1;
    for (var step : preview.steps()) {
      out.printf("%2d. %-17s %s%n", n++, step.step(), step.description());
      step.jobs().forEach(j -> out.println("      job " + j));
      step.pods().forEach(p -> out.println("      pod " + p));
    }
    out.flush();
  }

  private static String releaseOfTag(String image, ReleaseCatalog catalog) {
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    String tag = colon > slash ? image.substring(colon + 1) : "";
    if (catalog.find(tag).isEmpty()) {
      throw new UserError(
          "--from-image "
              + image
              + ": its tag does not name a release, so say which one runs: add --from RELEASE");
    }
    return tag;
  }

  static String retag(String image, String tag) {
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    return (colon > slash ? image.substring(0, colon) : image) + ":" + tag;
  }
}
