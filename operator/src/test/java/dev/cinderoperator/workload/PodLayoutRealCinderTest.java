package dev.cinderoperator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cinderoperator.api.BackupSpec;
import dev.cinderoperator.api.CinderClusterSpec;
import dev.cinderoperator.api.ComponentSpec;
import dev.cinderoperator.api.VolumeBackendSpec;
import dev.cinderoperator.cinder.CinderCommands;
import dev.cinderoperator.cinder.CinderConf;
import dev.cinderoperator.db.testing.PodSandbox;
import dev.cinderoperator.db.testing.RealCinder;
import dev.cinderoperator.db.testing.TestDatabase;
import dev.cinderoperator.db.testing.TestMariaDb;
import dev.cinderoperator.db.testing.TestRabbitMq;
import dev.cinderoperator.testing.Samples;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's pods, as {@link DesiredWorkloads} builds them, run Debian's real Cinder 21.3.1
 * with exactly their command lines and file layout: the config Secret's files at {@link
 * CinderConf#CONFIG_DIR}, emptyDirs at {@code /var/lib/cinder} and {@code /tmp}, a read-only root,
 * and the image's own {@code /etc/cinder} (api-paste.ini, rootwrap.conf, rootwrap.d/,
 * resource_filters.json) left as the package installed it ({@link PodSandbox}). With the Secret
 * mounted over {@code /etc/cinder}, as before, cinder-api died at start with {@code ConfigNotFound:
 * Could not find config at api-paste.ini}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodLayoutRealCinderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What each service reads, with the pod's own config arguments, as Cinder loads them. */
  private static final String WHAT_CINDER_FINDS =
      String.join(
          "\n",
          "import configparser, json, os, sys",
          "from oslo_config import cfg",
          "from oslo_concurrency import lockutils",
          "from oslo_service import _options",
          "from cinder.common import config",
          "import cinder.api.common",
          "CONF = cfg.CONF",
          "CONF.register_opts(_options.wsgi_opts)",
          "CONF(sys.argv[1:], project='cinder')",
          "rootwrap = configparser.ConfigParser()",
          "rootwrap.read(CONF.rootwrap_config)",
          "filters = rootwrap.get('DEFAULT', 'filters_path').split(',')",
          "lock = CONF.oslo_concurrency.lock_path",
          "os.makedirs(lock, exist_ok=True)",
          "probe = os.path.join(lock, 'probe')",
          "open(probe, 'w').close()",
          "os.remove(probe)",
          "print(json.dumps({",
          "  'apiPaste': CONF.find_file(CONF.api_paste_config),",
          "  'rootwrapConfig': CONF.rootwrap_config,",
          "  'rootwrapFilters': sorted(f for d in filters if os.path.isdir(d)"
              + " for f in os.listdir(d)),",
          "  'resourceFilters': os.path.isfile(CONF.resource_query_filters_file)"
              + " and CONF.resource_query_filters_file,",
          "  'statePath': CONF.state_path,",
          "  'lockPath': lock,",
          "  'host': CONF.host,",
          "}))");

  private static Path dir;
  private static TestDatabase db;
  private static TestRabbitMq rabbit;
  private static CinderClusterSpec spec;
  private static Map<String, String> files;
  private static DesiredWorkloads desired;
  private static int apiPort;
  private static final List<Process> started = new ArrayList<>();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void setUp() throws IOException, InterruptedException {
    RealCinder.assumePodsAvailable();
    // Not under /tmp: the pods mount an emptyDir there.
    dir =
        Files.createDirectories(
            Path.of("target", "pod-layout-" + ProcessHandle.current().pid()).toAbsolutePath());
    db = TestMariaDb.shared().createEmptyDatabase("pod_layout_" + ProcessHandle.current().pid());
    rabbit = TestRabbitMq.start(Files.createDirectories(dir.resolve("rabbitmq")));
    try (ServerSocket s = new ServerSocket(0)) {
      apiPort = s.getLocalPort();
    }
    spec = Samples.cluster("cinder", "openstack").getSpec();
    spec.setApi(new ComponentSpec(1));
    spec.setScheduler(new ComponentSpec(1));
    VolumeBackendSpec fake = new VolumeBackendSpec("fake");
    fake.setConfig(Map.of("volume_driver", "cinder.tests.fake_driver.FakeLoggingVolumeDriver"));
    spec.setVolumes(new ArrayList<>(List.of(fake)));
    BackupSpec backup = new BackupSpec();
    backup.setReplicas(1);
    backup.setConfig(
        Map.of(
            "backup_driver", "cinder.backup.drivers.posix.PosixBackupDriver",
            "backup_posix_path", "/var/lib/cinder/backups"));
    spec.setBackup(backup);
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("auth_strategy", "noauth");
    defaults.put("osapi_volume_listen", "127.0.0.1");
    defaults.put("osapi_volume_listen_port", Integer.toString(apiPort));
    defaults.put("osapi_volume_workers", "1");
    defaults.put("report_interval", Integer.toString(RealCinder.REPORT_INTERVAL));
    defaults.put("service_down_time", Integer.toString(RealCinder.SERVICE_DOWN_TIME));
    defaults.put("scheduler_driver_init_wait_time", "2");
    defaults.put("graceful_shutdown_timeout", "2");
    spec.setConfig(Map.of("DEFAULT", defaults));
    files = CinderConf.render("cinder", spec, db.sqlAlchemyUrl(), rabbit.transportUrl());
    desired =
        new DesiredWorkloads(
            "cinder", "openstack", spec, files, ImageSelector.everywhere(spec.getImage()));

    PodSpec sync =
        CinderJobs.job(
                "cinder",
                "openstack",
                spec,
                "cinder-db-sync",
                Component.DB_SYNC,
                spec.getImage(),
                CinderCommands.standard().dbSync(),
                files)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(runToEnd(sandbox("db-sync", sync).start(Map.of(), dir.resolve("db-sync.log"))))
        .as(read(dir.resolve("db-sync.log")))
        .isZero();
  }

  @AfterAll
  static void tearDown() {
    started.forEach(PodSandbox::stop);
    if (rabbit != null) {
      rabbit.close();
    }
    if (db != null) {
      db.drop();
    }
    if (dir != null && !Boolean.getBoolean("keepRealCinderLogs")) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        System.err.println("could not delete " + dir + ": " + e.getMessage());
      }
    }
  }

  @Test
  @Order(1)
  void theImagesEtcCinderIsLeftAsTheImageBuiltIt() {
    for (PodTemplateSpec t : templates().values()) {
      assertThat(t.getSpec().getContainers().get(0).getVolumeMounts())
          .extracting(m -> m.getMountPath())
          .noneMatch(p -> p.equals("/etc/cinder") || p.startsWith("/etc/cinder/"));
    }
  }

  @Test
  @Order(2)
  void cinderApiStartsAndServesWithTheOperatorsPodLayout() throws Exception {
    start("cinder-api-0", templates().get("api"));
    await("cinder-api answers on " + apiPort)
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(() -> get("/").statusCode() == 300);
    HttpResponse<String> versions = get("/");
    assertThat(JSON.readTree(versions.body()).path("versions").get(0).path("id").asText())
        .isEqualTo("v3.0");
    HttpResponse<String> volumes = get("/v3/volumes");
    assertThat(volumes.statusCode()).as(volumes.body()).isEqualTo(200);
    assertThat(volumes.body()).contains("\"volumes\"");
  }

  @Test
  @Order(3)
  void everyServiceFindsTheImagesFilesAndItsOwnState() throws Exception {
    for (Map.Entry<String, PodTemplateSpec> e : templates().entrySet()) {
      Path log = dir.resolve("finds-" + e.getKey() + ".log");
      Process p =
          sandbox("finds-" + e.getKey(), e.getValue().getSpec())
              .start(
                  checkInsteadOfCinder(e.getValue()),
                  Map.of("POD_NAME", "pod-" + e.getKey(), "WHAT_CINDER_FINDS", WHAT_CINDER_FINDS),
                  log);
      assertThat(runToEnd(p)).as(read(log)).isZero();
      String out = read(log);
      JsonNode found = JSON.readTree(out.substring(out.lastIndexOf("\n{") + 1));
      assertThat(found.path("apiPaste").asText())
          .as(e.getKey())
          .isEqualTo("/etc/cinder/api-paste.ini");
      assertThat(found.path("rootwrapConfig").asText()).isEqualTo("/etc/cinder/rootwrap.conf");
      assertThat(found.path("rootwrapFilters").toString()).contains("volume.filters");
      assertThat(found.path("resourceFilters").asText())
          .isEqualTo("/etc/cinder/resource_filters.json");
      assertThat(found.path("statePath").asText()).isEqualTo("/var/lib/cinder");
      assertThat(found.path("lockPath").asText()).isEqualTo("/var/lib/cinder/tmp");
      if (!e.getKey().equals("api")) {
        assertThat(found.path("host").asText()).isEqualTo("pod-" + e.getKey());
      }
    }
  }

  @Test
  @Order(4)
  void schedulerVolumeAndBackupHeartbeatFromTheirPodLayout() {
    start("cinder-scheduler-0", templates().get("scheduler"));
    start("cinder-volume-fake-0", templates().get("volume"));
    start("cinder-backup-0", templates().get("backup"));
    await("every service heartbeats")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(
                        db.column(
                            "SELECT CONCAT(`binary`, ' ', host) FROM services"
                                + " WHERE deleted = 0 AND report_count > 0"))
                    .contains(
                        "cinder-scheduler cinder-scheduler-0",
                        "cinder-volume cinder-volume-fake-0@fake",
                        "cinder-backup cinder-backup-0"));
  }

  @Test
  @Order(5)
  void aVolumeRequestedThroughTheApiBecomesAvailable() throws Exception {
    // the scheduler places a create only on a backend whose capabilities it has received, which
    // can come after the volume service's first heartbeat: without this the create may fail
    // "No valid backend" (seen once in CI)
    await("the scheduler knows the fake backend's pool")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                get("/v3/scheduler-stats/get_pools").body().contains("cinder-volume-fake-0@fake"));
    HttpResponse<String> created =
        HTTP.send(
            request("/v3/volumes")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"volume\": {\"size\": 1}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
    String id = JSON.readTree(created.body()).path("volume").path("id").asText();
    await("volume " + id + " available")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              String status =
                  JSON.readTree(get("/v3/volumes/" + id).body())
                      .path("volume")
                      .path("status")
                      .asText();
              assertThat(status).isNotEqualTo("error");
              return status.equals("available");
            });
  }

  /**
   * The templates' own probes, run in each pod's layout against its running service: the heartbeat
   * probes of scheduler, volume and backup pass once the service heartbeated, and cinder-api's HTTP
   * probes get an answer Kubernetes counts as success (200 to 399).
   */
  @Test
  @Order(6)
  void theTemplatesProbesPassOnTheRunningServices() throws Exception {
    Map<String, String> pods =
        Map.of(
            "scheduler", "cinder-scheduler-0",
            "volume", "cinder-volume-fake-0",
            "backup", "cinder-backup-0");
    for (Map.Entry<String, String> e : pods.entrySet()) {
      PodTemplateSpec t = templates().get(e.getKey());
      var container = t.getSpec().getContainers().get(0);
      assertThat(container.getStartupProbe()).isNull();
      List<String> ready = new ArrayList<>(container.getReadinessProbe().getExec().getCommand());
      List<String> live = new ArrayList<>(container.getLivenessProbe().getExec().getCommand());
      ready.set(0, "/usr/bin/python3"); // Debian's, as the image's python3
      live.set(0, "/usr/bin/python3");
      await(e.getValue() + ": readiness passes")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> runProbe(e.getValue(), t, ready) == 0);
      assertThat(runProbe(e.getValue(), t, live)).as(e.getValue() + ": liveness").isZero();
    }
    var api = templates().get("api").getSpec().getContainers().get(0);
    for (var probe :
        List.of(api.getStartupProbe(), api.getReadinessProbe(), api.getLivenessProbe())) {
      int status = get(probe.getHttpGet().getPath()).statusCode();
      assertThat(status).as("cinder-api " + probe.getHttpGet().getPath()).isBetween(200, 399);
    }
  }

  private static int runProbe(String podName, PodTemplateSpec t, List<String> argv)
      throws InterruptedException {
    Path log = dir.resolve(podName + "-probe.log");
    Process p = sandbox(podName, t.getSpec()).start(argv, Map.of("POD_NAME", podName), log);
    return runToEnd(p);
  }

  // --- the pods -----------------------------------------------------------------

  /** The pod templates by component, api first. */
  private static Map<String, PodTemplateSpec> templates() {
    Map<String, PodTemplateSpec> t = new LinkedHashMap<>();
    t.put("api", desired.apiDeployment().getSpec().getTemplate());
    t.put("scheduler", desired.scheduler().getSpec().getTemplate());
    t.put("volume", desired.volume(spec.getVolumes().get(0)).getSpec().getTemplate());
    t.put("backup", desired.backup().getSpec().getTemplate());
    return t;
  }

  /**
   * The pod's own start script, with the check program in place of the Cinder binary it execs: same
   * config arguments, host.conf written the same way.
   */
  private static List<String> checkInsteadOfCinder(PodTemplateSpec t) {
    List<String> command = t.getSpec().getContainers().get(0).getCommand();
    String script = command.get(2);
    int exec = script.lastIndexOf("exec ") + 5;
    int binaryEnd = script.indexOf(' ', exec);
    return List.of(
        command.get(0),
        command.get(1),
        script.substring(0, exec)
            + "/usr/bin/python3 -c \"$WHAT_CINDER_FINDS\""
            + script.substring(binaryEnd));
  }

  private static void start(String podName, PodTemplateSpec t) {
    Process p =
        sandbox(podName, t.getSpec())
            .start(Map.of("POD_NAME", podName), dir.resolve(podName + ".log"));
    started.add(p);
  }

  private static PodSandbox sandbox(String name, PodSpec pod) {
    return new PodSandbox(dir.resolve(name), pod, files);
  }

  private static int runToEnd(Process p) throws InterruptedException {
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      PodSandbox.stop(p);
      throw new AssertionError("did not finish in 180 s");
    }
    return p.exitValue();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
        .timeout(Duration.ofSeconds(30))
        .header("X-Auth-Token", "admin:admin");
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
