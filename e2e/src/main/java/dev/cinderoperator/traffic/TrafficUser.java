package dev.cinderoperator.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cinderoperator.traffic.TrafficClient.Phase;
import dev.cinderoperator.traffic.TrafficClient.Settings;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the traffic's users do in Cinder's API, each request and resource end recorded: the
 * project's preparation, a round of lists, and one user's volume (and backup) from creation to
 * deletion.
 */
record TrafficUser(CinderApi api, Settings settings, TrafficRecorder recorder) {
  /**
   * One volume type per backend, {@code traffic-<backend>}, and unlimited quotas, so only the
   * upgrade can make requests fail.
   *
   * @throws IllegalStateException when a step fails
   */
  void prepare(List<String> backends) {
    for (String backend : backends) {
      String type = typeOf(backend);
      CinderApi.Response list = api.get("/types", 200);
      if (!list.ok()) {
        throw new IllegalStateException("listing volume types failed: " + list.failure());
      }
      boolean exists = false;
      for (JsonNode t : list.body().path("volume_types")) {
        exists |= type.equals(t.path("name").asText());
      }
      if (!exists) {
        CinderApi.Response r =
            api.post(
                "/types",
                Map.of(
                    "volume_type",
                    Map.of("name", type, "extra_specs", Map.of("volume_backend_name", backend))),
                200);
        if (!r.ok()) {
          throw new IllegalStateException("creating volume type " + type + ": " + r.failure());
        }
      }
    }
    CinderApi.Response q =
        api.put(
            "/os-quota-sets/" + settings.project(),
            Map.of(
                "quota_set",
                Map.of(
                    "volumes",
                    -1,
                    "gigabytes",
                    -1,
                    "backups",
                    -1,
                    "backup_gigabytes",
                    -1,
                    "snapshots",
                    -1)),
            200);
    if (!q.ok()) {
      throw new IllegalStateException("lifting the traffic project's quotas: " + q.failure());
    }
  }

  private static String typeOf(String backend) {
    return "traffic-" + backend;
  }

  void lists() {
    recorder.call(recorder.now(), "list volumes", () -> api.get("/volumes", 200));
    recorder.call(recorder.now(), "list services", () -> api.get("/os-services", 200));
    recorder.call(recorder.now(), "list backups", () -> api.get("/backups", 200));
  }

  /** User {@code n}: a volume on {@code backend}, its backup when backups are on, both deleted. */
  void run(int n, String backend) {
    Phase at = recorder.phase();
    long since = recorder.now();
    CinderApi.Response created =
        recorder.call(
            since,
            "create volume",
            () ->
                api.post(
                    "/volumes",
                    Map.of(
                        "volume",
                        Map.of("size", 1, "name", "traffic-" + n, "volume_type", typeOf(backend))),
                    202));
    if (!created.ok()) {
      return;
    }
    String volume = created.body().path("volume").path("id").asText();
    if (!await(
        at,
        since,
        "volume",
        "/volumes/" + volume,
        "volume",
        Set.of("available"),
        Set.of("error"))) {
      deleteAndAwait(at, since, "volume", "/volumes/" + volume, "volume");
      return;
    }
    if (settings.backups()) {
      CinderApi.Response backup =
          recorder.call(
              since,
              "create backup",
              () ->
                  api.post(
                      "/backups",
                      Map.of("backup", Map.of("volume_id", volume, "name", "traffic-" + n)),
                      202));
      if (backup.ok()) {
        String id = backup.body().path("backup").path("id").asText();
        boolean available =
            await(
                at,
                since,
                "backup",
                "/backups/" + id,
                "backup",
                Set.of("available"),
                Set.of("error"));
        if (available) {
          deleteAndAwait(at, since, "backup", "/backups/" + id, "backup");
        }
        // a backup in error stays (it is counted); the volume waits until it is no longer busy
        awaitState(since, "/volumes/" + volume, "volume", Set.of("available", "error"));
      }
    }
    deleteAndAwait(at, since, "volume", "/volumes/" + volume, "volume");
  }

  private void deleteAndAwait(Phase at, long since, String kind, String path, String key) {
    CinderApi.Response d = recorder.call(since, "delete " + kind, () -> api.delete(path, 202));
    if (!d.ok()) {
      return;
    }
    long deadline = System.nanoTime() + settings.resourceTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      CinderApi.Response r = recorder.call(since, "show " + kind, () -> api.get(path, 200, 404));
      if (r.ok() && r.status() == 404) {
        recorder.outcome(at, kind + " delete", path, "gone", null, since);
        return;
      }
      if (r.ok()) {
        String status = r.body().path(key).path("status").asText();
        if (status.equals("error_deleting") || status.equals("error")) {
          recorder.outcome(at, kind + " delete", path, "error", status, since);
          return;
        }
      }
      pause();
    }
    recorder.outcome(at, kind + " delete", path, "stuck", "still there", since);
  }

  /** Polls until the resource reaches a wanted state (true), an error state or the timeout. */
  private boolean await(
      Phase at,
      long since,
      String kind,
      String path,
      String key,
      Set<String> wanted,
      Set<String> errors) {
    long deadline = System.nanoTime() + settings.resourceTimeout().toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      CinderApi.Response r = recorder.call(since, "show " + kind, () -> api.get(path, 200));
      if (r.ok()) {
        JsonNode node = r.body().path(key);
        last = node.path("status").asText();
        if (wanted.contains(last)) {
          recorder.outcome(at, kind, path, "ok", last, since);
          return true;
        }
        if (errors.contains(last)) {
          String reason = node.path("fail_reason").asText(null);
          recorder.outcome(at, kind, path, "error", reason == null ? last : reason, since);
          return false;
        }
      }
      pause();
    }
    recorder.outcome(at, kind, path, "stuck", "last status " + last, since);
    return false;
  }

  /** Waits for a state without counting the outcome (the resource's own wait counted it). */
  private void awaitState(long since, String path, String key, Set<String> wanted) {
    long deadline = System.nanoTime() + settings.resourceTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      CinderApi.Response r = recorder.call(since, "show " + key, () -> api.get(path, 200));
      if (r.ok() && wanted.contains(r.body().path(key).path("status").asText())) {
        return;
      }
      pause();
    }
  }

  private void pause() {
    try {
      Thread.sleep(settings.pollInterval().toMillis()); // the client's poll interval
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
