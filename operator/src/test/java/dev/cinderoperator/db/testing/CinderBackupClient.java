package dev.cinderoperator.db.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A user of real Cinder's backups: one long-lived Python process driving Cinder's own API classes
 * ({@code cinder_backup_client.py}), so a test pays Cinder's import time once. Also where the test
 * drivers ({@code cinder_test_drivers.py}) are unpacked for the services' PYTHONPATH.
 */
public final class CinderBackupClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RESOURCES = "/dev/cinderoperator/db/testing/python/";

  /** One backup as Cinder's backups table has it. */
  public record Backup(String id, String host, String status, String failReason) {}

  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;

  private CinderBackupClient(Process process) {
    this.process = process;
    this.in =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Unpacks the Python files into {@code dir} (the services' PYTHONPATH); returns it. */
  public static Path unpack(Path dir) {
    try {
      Files.createDirectories(dir);
      for (String file : List.of("cinder_test_drivers.py", "cinder_backup_client.py")) {
        try (InputStream s = CinderBackupClient.class.getResourceAsStream(RESOURCES + file)) {
          Files.copy(s, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the client with a service's cinder.conf; waits until Cinder is imported. */
  public static CinderBackupClient start(Path pythonDir, Path conf, Path log) {
    try {
      Process p =
          new ProcessBuilder(
                  "/usr/bin/python3",
                  pythonDir.resolve("cinder_backup_client.py").toString(),
                  conf.toString())
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      CinderBackupClient c = new CinderBackupClient(p);
      c.read();
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates volumes on the backend and waits until they are available. */
  public List<String> volumes(int n) {
    JsonNode a = ask("volumes " + n);
    List<String> ids = new ArrayList<>();
    a.get("ids").forEach(i -> ids.add(i.asText()));
    return ids;
  }

  /** Requests a backup of the volume; returns its id. */
  public String backup(String volumeId) {
    return ask("backup " + volumeId).get("id").asText();
  }

  public Backup show(String id) {
    JsonNode b = ask("show " + id).get(id);
    return new Backup(
        id, text(b.get("host")), b.get("status").asText(), text(b.get("fail_reason")));
  }

  public String volumeStatus(String id) {
    return ask("volume " + id).get(id).asText();
  }

  /** Restores the backup onto the volume; returns Cinder's refusal, or null when accepted. */
  public String restore(String backupId, String volumeId) {
    return text(ask("restore " + backupId + " " + volumeId).get("error"));
  }

  /** Deletes the backup; returns Cinder's refusal, or null when accepted. */
  public String delete(String backupId) {
    return text(ask("delete " + backupId).get("error"));
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private synchronized JsonNode ask(String command) {
    try {
      in.write(command);
      in.newLine();
      in.flush();
      JsonNode a = read();
      if (a.has("error") && !command.startsWith("restore") && !command.startsWith("delete")) {
        throw new IllegalStateException(command + ": " + a.get("error").asText());
      }
      return a;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode read() throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw new IllegalStateException("the backup client ended (exit " + exit() + ")");
    }
    return JSON.readTree(line);
  }

  private String exit() {
    try {
      return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  @Override
  public void close() {
    TestProcesses.stop(process, 5);
  }
}
