package dev.cinderoperator.kube;

import dev.cinderoperator.api.CinderCluster;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.CinderClusterStatus;
import dev.cinderoperator.cinder.CinderConf;
import dev.cinderoperator.db.ServiceRegistry;
import dev.cinderoperator.db.ServiceRegistryPool;
import dev.cinderoperator.messaging.BackupFences;
import dev.cinderoperator.messaging.BackupHostFence;
import dev.cinderoperator.validation.ResolvedSecrets;
import dev.cinderoperator.validation.SecretResolver;
import dev.cinderoperator.validation.SpecProblem;
import dev.cinderoperator.validation.SpecValidator;
import dev.cinderoperator.workload.DesiredWorkloads;
import dev.cinderoperator.workload.ImageSelector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one CinderCluster: validate, render config, then hand over to the {@link FirstInstaller}
 * (no release installed yet) or the {@link UpgradeExecutor} (installed: keep the workloads as the
 * spec says, upgrade when it asks for another release). Bad input stops here: nothing is created,
 * changed or deleted.
 */
public class ClusterDriver {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterDriver.class);

  /**
   * What the driver works with beyond the API server: Cinder's databases, signals to pods, and
   * metrics.
   */
  public record Collaborators(
      ServiceRegistryPool registries,
      BackupFences fences,
      PodSignaller signaller,
      OperatorMetrics metrics) {

    /** Without Cinder's schedulers to tell (tests not about backups): reports go nowhere. */
    public Collaborators(
        ServiceRegistryPool registries, PodSignaller signaller, OperatorMetrics metrics) {
      this(registries, BackupFences.nowhere(), signaller, metrics);
    }

    /** Circuit state per {@code namespace/name}: 0 closed, 1 open, 2 half-open. */
    public Map<String, Integer> circuitStates() {
      Map<String, Integer> out = new LinkedHashMap<>();
      registries
          .circuitStates()
          .forEach(
              (k, v) ->
                  out.put(
                      k,
                      switch (v) {
                        case OPEN -> 1;
                        case HALF_OPEN -> 2;
                        default -> 0;
                      }));
      return out;
    }
  }

  private final DriverParts parts;
  private final EventRecorder events;
  private final ObjectApplier applier;
  private final SpecValidator validator;
  private final UpgradeExecutor executor;
  private final FirstInstaller installer;
  private final AppliedWorkloads applied = new AppliedWorkloads();

  ClusterDriver(DriverParts parts) {
    this.parts = parts;
    this.events = parts.events();
    this.applier = parts.applier();
    this.validator = new SpecValidator(parts.catalog());
    this.executor = new UpgradeExecutor(parts);
    this.installer = new FirstInstaller(parts);
  }

  public Progress drive(
      CinderCluster cc, ObservedObjects observed, CinderClusterStatus status, StatusSink sink) {
    CinderClusterSpec spec = cc.getSpec();
    List<SpecProblem> problems =
        new ArrayList<>(validator.validate(cc.getMetadata().getName(), spec));
    ResolvedSecrets secrets = null;
    if (problems.isEmpty()) {
      SecretResolver.Result resolved = new SecretResolver(observed::secretData).resolve(spec);
      problems.addAll(resolved.problems());
      secrets = resolved.secrets();
    }
    if (!problems.isEmpty()) {
      return invalid(problems);
    }
    String name = cc.getMetadata().getName();
    Map<String, String> files =
        CinderConf.render(name, spec, secrets.databaseUrl(), secrets.transportUrl());
    DesiredWorkloads everywhereSpecImage =
        new DesiredWorkloads(
            name,
            cc.getMetadata().getNamespace(),
            spec,
            files,
            ImageSelector.everywhere(spec.getImage()));
    apply(cc, observed, configSecret(everywhereSpecImage.configSecret()));

    ServiceRegistry registry =
        parts
            .with()
            .registries()
            .forCluster(cc.getMetadata().getNamespace(), name, secrets.database());
    if (status.getImage() == null) {
      return installer.install(
          cc,
          observed,
          status,
          files,
          registry,
          () -> applyWorkloads(cc, observed, everywhereSpecImage));
    }
    BackupHostFence fence =
        parts
            .with()
            .fences()
            .forCluster(
                cc.getMetadata().getNamespace(),
                name,
                secrets.transportUrl(),
                CinderConf.rabbitSsl(spec));
    return executor.execute(
        new UpgradeExecutor.Inputs(
            cc,
            observed,
            status,
            files,
            registry,
            fence,
            sink,
            d -> applyWorkloads(cc, observed, d)));
  }

  private Progress invalid(List<SpecProblem> problems) {
    SpecProblem first = problems.get(0);
    String message =
        problems.stream().map(SpecProblem::message).collect(Collectors.joining("; "))
            + ". Nothing was changed; running Cinder services are left as they are.";
    LOG.warn("spec cannot be acted on reason={} problems={}", first.reason(), problems.size());
    return Progress.stalled(first.reason(), message, parts.settings().invalidSpecRetry());
  }

  /**
   * Releases everything this operator holds for a deleted cluster: its database registry and
   * connection pool, metrics, cached reads, announced jobs and applied-object memory. Its
   * Kubernetes objects go by garbage collection (owner references); Cinder's database is not
   * touched.
   */
  public void release(CinderCluster cc) {
    String key = cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName();
    parts.with().registries().release(cc.getMetadata().getNamespace(), cc.getMetadata().getName());
    parts.with().metrics().release(cc.getMetadata().getNamespace(), cc.getMetadata().getName());
    executor.release(cc);
    applied.forget(key);
    applier.forget(key);
  }

  /** What this operator holds for a cluster, by holder: all 0 once it is released. */
  public Map<String, Integer> heldFor(CinderCluster cc) {
    String ns = cc.getMetadata().getNamespace();
    String name = cc.getMetadata().getName();
    String key = ns + "/" + name;
    Map<String, Integer> held = new LinkedHashMap<>();
    held.put("databaseRegistries", parts.with().registries().heldFor(ns, name));
    held.put("metrics", parts.with().metrics().heldFor(ns, name));
    held.putAll(executor.heldFor(cc));
    held.put("appliedWorkloads", applied.heldFor(key));
    held.put("storedObjects", applier.heldFor(key));
    return held;
  }

  /** Creates or updates every workload and removes those the spec no longer has. */
  public void applyWorkloads(CinderCluster cc, ObservedObjects observed, DesiredWorkloads desired) {
    String cluster = cc.getMetadata().getNamespace() + "/" + cc.getMetadata().getName();
    String uid = String.valueOf(cc.getMetadata().getUid());
    String fingerprint = desired.fingerprint();
    if (applied.unchanged(cluster, uid, fingerprint, observed)) {
      return;
    }
    applied.forget(cluster);
    List<HasMetadata> wanted = desired.all();
    Map<String, String> hashes = new HashMap<>();
    Map<String, AppliedWorkloads.Identity> identities = new HashMap<>();
    for (HasMetadata object : wanted) {
      if (object instanceof Secret) {
        continue; // applied before, with its data encoded
      }
      var result = apply(cc, observed, object);
      hashes.put(
          AppliedWorkloads.key(object),
          object.getMetadata().getAnnotations().get(ObjectApplier.APPLIED_HASH));
      identities.put(AppliedWorkloads.key(object), AppliedWorkloads.identity(result.live()));
      if (result.result() == ObjectApplier.Result.CREATED) {
        events.normal(
            cc, "Created", object.getKind() + " " + object.getMetadata().getName() + " created");
      }
      if (result.result() != ObjectApplier.Result.UNCHANGED
          && PrivilegedPods.runsPrivileged(object)) {
        events.warning(
            cc,
            "PrivilegedPods",
            object.getKind()
                + " "
                + object.getMetadata().getName()
                + " runs its Cinder container privileged (securityContext.privileged: true in"
                + " the spec): it has every capability and device of its node. Meant for LVM and"
                + " iSCSI backends that manage host devices; remove it for any other backend");
      }
    }
    Set<String> keep = hashes.keySet();
    // A backend removed from the spec (or backup scaled to 0): its StatefulSet and PDB go.
    List<HasMetadata> leftovers = new ArrayList<>();
    leftovers.addAll(observed.statefulSets());
    leftovers.addAll(observed.disruptionBudgets());
    for (HasMetadata o : leftovers) {
      String k = o.getKind() + "/" + o.getMetadata().getName();
      if (!keep.contains(k) && ownedBy(cc, o) && o.getMetadata().getDeletionTimestamp() == null) {
        applier.delete(cc, o);
        events.normal(
            cc,
            "Deleted",
            o.getKind() + " " + o.getMetadata().getName() + " removed: no longer in spec");
      }
    }
    applied.remember(cluster, uid, fingerprint, hashes, identities);
  }

  private ObjectApplier.Applied apply(
      CinderCluster cc, ObservedObjects observed, HasMetadata object) {
    ObjectApplier.Applied result =
        applier.applyAndReport(
            cc, object, observed.find(object.getKind(), object.getMetadata().getName()));
    if (result.result() == ObjectApplier.Result.REVERTED) {
      events.warning(
          cc,
          "DriftReverted",
          object.getKind()
              + " "
              + object.getMetadata().getName()
              + ": "
              + String.join(", ", result.drift())
              + " changed outside the operator; put back as the CinderCluster says (change the"
              + " CinderCluster instead)");
    }
    return result;
  }

  private static boolean ownedBy(CinderCluster cc, HasMetadata o) {
    return o.getMetadata().getOwnerReferences() != null
        && o.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> Objects.equals(r.getUid(), cc.getMetadata().getUid()));
  }

  /** The config Secret with base64 data, as the API server stores it. */
  private static Secret configSecret(Secret desired) {
    Map<String, String> data = new LinkedHashMap<>();
    desired
        .getStringData()
        .forEach(
            (k, v) ->
                data.put(
                    k,
                    Base64.getEncoder()
                        .encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    desired.setStringData(null);
    desired.setData(data);
    return desired;
  }
}
