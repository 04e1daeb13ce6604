package dev.cinderoperator.realcinder;

import dev.cinderoperator.cinder.Release;
import dev.cinderoperator.sim.cinder.IniFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The images this machine runs: each a root filesystem, perhaps imitating an older release (its
 * start-up hook mounted into the container), perhaps with configuration appended to its containers.
 */
final class ImageRoots {
  /** Where an imitated release's start-up hook is mounted in its containers. */
  static final String HOOK_PATH = "/run/cinder-imitation";

  /** A root filesystem an image runs from, and the older release it imitates, if any. */
  private record Image(Path root, ReleaseImitation imitation) {}

  private final Map<String, Image> images = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> appendedConfig = new ConcurrentHashMap<>();

  void add(String image, Path root) {
    if (!Files.isDirectory(root.resolve("usr/lib/python3/dist-packages/cinder"))) {
      throw new IllegalArgumentException(root + " has no Cinder (usr/lib/python3/dist-packages)");
    }
    images.put(image, new Image(root, null));
  }

  void imitate(String image, Path root, Release release) {
    add(image, root);
    images.put(image, new Image(root, new ReleaseImitation(release)));
  }

  /** Through oslo.config's environment source ({@code OS_<GROUP>__<OPT>}). */
  void appendConfig(String image, String ini) {
    Map<String, String> env = new LinkedHashMap<>();
    IniFile.parse(ini)
        .sections()
        .forEach(
            (group, options) ->
                options.forEach(
                    (key, value) ->
                        env.put(
                            "OS_"
                                + group.toUpperCase(Locale.ROOT)
                                + "__"
                                + key.toUpperCase(Locale.ROOT),
                            value)));
    appendedConfig.put(image, Map.copyOf(env));
  }

  /**
   * The root filesystem of the image.
   *
   * @throws IllegalStateException (ErrImagePull) when no root is known for it
   */
  Path root(String image) {
    Image known = images.get(image);
    if (known == null) {
      throw new IllegalStateException(
          "ErrImagePull: " + image + " is none of this machine's roots " + images.keySet());
    }
    return known.root();
  }

  /** Adds what the image brings to a container of it: appended config, the imitation's hook. */
  void addTo(
      String image, PodDirectory dir, List<PodContainer.Mount> mounts, Map<String, String> env) {
    env.putAll(appendedConfig.getOrDefault(image, Map.of()));
    ReleaseImitation imitation = images.get(image).imitation();
    if (imitation != null) {
      mounts.add(new PodContainer.Mount(dir.hook(), HOOK_PATH, true));
      env.putAll(imitation.environment(dir.hook(), HOOK_PATH));
    }
  }
}
