package dev.cinderoperator.sim.cinder;

/** The parts of an image reference the simulation reads: repository name and tag. */
public final class ImageNames {
  private ImageNames() {}

  public static String repositoryName(String image) {
    String path = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = path.lastIndexOf('/');
    String last = path.substring(slash + 1);
    int colon = last.indexOf(':');
    return colon < 0 ? last : last.substring(0, colon);
  }

  public static String tagOf(String image) {
    String path = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    String last = path.substring(path.lastIndexOf('/') + 1);
    int colon = last.indexOf(':');
    return colon < 0 ? "latest" : last.substring(colon + 1);
  }
}
