package dev.cinderoperator.sim.controllers;

import dev.cinderoperator.sim.KubeTime;
import dev.cinderoperator.sim.SimConfig;
import dev.cinderoperator.sim.informers.SimCaches;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Job controller for single-completion jobs: one pod {@code <job>-<random5>} per attempt, a new
 * attempt after a failed pod until {@code backoffLimit} (default 6) failures, and {@code .status}
 * with Complete or Failed conditions. Finished pods are kept, as Kubernetes keeps them, so their
 * termination messages can be read.
 */
public final class JobController extends PodOwnerLoop<Job> {
  public static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
  public static final String CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";

  private final Random random;

  /** When each job's last pod failed, for the retry back-off. */
  private final Map<String, Instant> lastFailure = new ConcurrentHashMap<>();

  /** First sight of each job, so a wiped status does not move startTime. */
  private final Map<String, Instant> startTimes = new ConcurrentHashMap<>();

  public JobController(KubernetesClient client, SimConfig config, SimCaches caches) {
    super("job-controller", "Job", caches.jobs, client, config, caches);
    this.random = new Random(config.seed() * 17 + 3);
  }

  @Override
  protected void reconcile(Job job, List<Pod> pods) {
    String uid = job.getMetadata().getUid();
    Instant now = config.clock().instant();
    int backoffLimit =
        job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
    int active = 0;
    int succeeded = 0;
    int failed = 0;
    Instant lastFinished = null;
    for (Pod pod : pods) {
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ("Succeeded".equals(phase)) {
        succeeded++;
      } else if ("Failed".equals(phase)) {
        failed++;
      } else {
        active++;
      }
    }
    if (finished(job)) {
      writeStatus(job, active, succeeded, failed, null, null);
      return;
    }
    Instant start = startTimes.computeIfAbsent(uid, k -> startTimeOf(job, now));
    String finish = null;
    if (succeeded >= 1) {
      finish = "Complete";
    } else if (failed > backoffLimit) {
      finish = "Failed";
    } else if (active == 0 && !Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      if (failed > 0) {
        Instant since = lastFailure.computeIfAbsent(uid + "/" + failed, k -> now);
        Instant retryAt = since.plus(config.jobRetryDelay());
        if (now.isBefore(retryAt)) {
          wakeAfter(java.time.Duration.between(now, retryAt).plusMillis(1));
          writeStatus(job, active, succeeded, failed, start, null);
          return;
        }
      }
      createPod(job);
      active++;
    }
    lastFinished = finish == null ? null : now;
    writeStatus(job, active, succeeded, failed, start, finish == null ? null : finish);
    if (lastFinished != null) {
      lastFailure.keySet().removeIf(k -> k.startsWith(uid + "/"));
    }
  }

  private static Instant startTimeOf(Job job, Instant now) {
    if (job.getStatus() != null && job.getStatus().getStartTime() != null) {
      return Instant.parse(job.getStatus().getStartTime());
    }
    return now;
  }

  private static boolean finished(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
  }

  private void writeStatus(
      Job job, int active, int succeeded, int failed, Instant start, String finish) {
    JobStatus status;
    if (start == null) {
      // finished earlier: keep what was written, with fresh counts
      status = new JobStatusBuilder(job.getStatus()).build();
      status.setActive(active == 0 ? null : active);
      status.setSucceeded(succeeded == 0 ? null : succeeded);
      status.setFailed(failed == 0 ? null : failed);
    } else {
      String now = KubeTime.format(config.clock().instant());
      List<JobCondition> conditions = new ArrayList<>();
      String completionTime = null;
      if ("Complete".equals(finish)) {
        conditions.add(condition("SuccessCriteriaMet", "CompletionsReached", now, ""));
        conditions.add(condition("Complete", "CompletionsReached", now, ""));
        completionTime = now;
      } else if ("Failed".equals(finish)) {
        conditions.add(
            condition(
                "FailureTarget",
                "BackoffLimitExceeded",
                now,
                "Job has reached the specified backoff limit"));
        conditions.add(
            condition(
                "Failed",
                "BackoffLimitExceeded",
                now,
                "Job has reached the specified backoff limit"));
      }
      status =
          new JobStatusBuilder()
              .withStartTime(KubeTime.format(start))
              .withCompletionTime(completionTime)
              .withActive(active == 0 ? null : active)
              .withSucceeded(succeeded == 0 ? null : succeeded)
              .withFailed(failed == 0 ? null : failed)
              .withReady(0)
              .withConditions(conditions)
              .build();
    }
    if (!Objects.equals(
        client.getKubernetesSerialization().asJson(status),
        job.getStatus() == null
            ? ""
            : client.getKubernetesSerialization().asJson(job.getStatus()))) {
      caches.jobs.wrote(
          client
              .batch()
              .v1()
              .jobs()
              .resource(new JobBuilder(job).withStatus(status).build())
              .updateStatus());
    }
  }

  private static JobCondition condition(String type, String reason, String time, String message) {
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withMessage(message)
        .withLastProbeTime(time)
        .withLastTransitionTime(time)
        .build();
  }

  private void createPod(Job job) {
    String name = job.getMetadata().getName();
    String uid = job.getMetadata().getUid();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(JOB_NAME_LABEL, name);
    labels.put("job-name", name);
    labels.put(CONTROLLER_UID_LABEL, uid);
    labels.put("controller-uid", uid);
    Pod pod =
        PodTemplates.podFrom(
            job,
            "batch/v1",
            job.getSpec().getTemplate(),
            name + "-" + TemplateHash.suffix(random),
            labels,
            config.nodeName());
    caches.pods.wrote(client.pods().resource(pod).create());
  }
}
