package dev.cinderoperator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.cinder.ReleaseCatalog;
import dev.cinderoperator.validation.SpecProblem;
import dev.cinderoperator.validation.SpecValidator;
import java.io.File;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints what an upgrade to the given CinderCluster would do, changing nothing. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Show the steps an upgrade to this CinderCluster would take; changes nothing.")
public final class PlanCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "CinderCluster YAML.")
  File file;

  @Option(
      names = "--from",
      description = "Release currently running (default: status.release in the file).")
  String from;

  @Override
  public Integer call() throws Exception {
    CinderCluster cc = new ObjectMapper(new YAMLFactory()).readValue(file, CinderCluster.class);
    ReleaseCatalog catalog = ReleaseCatalog.standard();
    List<SpecProblem> problems = new SpecValidator(catalog).validate(cc.getSpec());
    if (!problems.isEmpty()) {
      problems.forEach(p -> System.out.println("invalid: " + p));
      return 1;
    }
    String source =
        from != null ? from : cc.getStatus() == null ? null : cc.getStatus().getRelease();
    System.out.println(PlanPrinter.print(cc, source, catalog));
    return 0;
  }
}
