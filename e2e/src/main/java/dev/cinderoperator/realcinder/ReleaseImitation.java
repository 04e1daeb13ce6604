package dev.cinderoperator.realcinder;

import dev.cinderoperator.cinder.CinderBinary;
import dev.cinderoperator.cinder.Release;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An older Cinder release imitated on the installed code (real-cinder.md): a Python start-up hook
 * ({@code sitecustomize.py} on {@code PYTHONPATH}) lowers the {@code RPC_API_VERSION} constants of
 * the scheduler, volume and backup RPC APIs right after their modules load, before the managers
 * copy them. The process then writes the lower versions into its services row, caps its own RPC
 * clients there when it sees no rows, and the version probe reports them. Object versions stay the
 * code's (1.39 since Xena, so nothing to lower).
 */
public record ReleaseImitation(Release release) {
  private static final Map<CinderBinary, String> RPC_CLASSES =
      Map.of(
          CinderBinary.SCHEDULER, "cinder.scheduler.rpcapi:SchedulerAPI",
          CinderBinary.VOLUME, "cinder.volume.rpcapi:VolumeAPI",
          CinderBinary.BACKUP, "cinder.backup.rpcapi:BackupAPI");

  /** The value of {@code CINDER_IMITATE_RPC} the hook reads. */
  public String rpcOverrides() {
    StringBuilder b = new StringBuilder();
    for (CinderBinary binary : CinderBinary.values()) {
      String version = release.rpcVersion(binary);
      if (version != null && RPC_CLASSES.containsKey(binary)) {
        if (b.length() > 0) {
          b.append(',');
        }
        b.append(RPC_CLASSES.get(binary)).append('=').append(version);
      }
    }
    return b.toString();
  }

  /**
   * The environment a process of this release gets, with the hook written into {@code dir} on this
   * machine, which the container sees at {@code mountPath}.
   */
  public Map<String, String> environment(Path dir, String mountPath) {
    Path hook = dir.resolve("sitecustomize.py");
    try (InputStream in = ReleaseImitation.class.getResourceAsStream("sitecustomize.py")) {
      if (in == null) {
        throw new IllegalStateException("sitecustomize.py is missing from the classpath");
      }
      Files.createDirectories(dir);
      Files.write(hook, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of("PYTHONPATH", mountPath, "CINDER_IMITATE_RPC", rpcOverrides());
  }
}
