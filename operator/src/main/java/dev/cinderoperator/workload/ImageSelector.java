package dev.cinderoperator.workload;

/**
 * Which image a workload's pod template carries now. Outside an upgrade that is spec.image; during
 * one, the upgrade decides per component so templates follow the roll.
 */
@FunctionalInterface
public interface ImageSelector {
  String imageFor(Component component, String backend);

  static ImageSelector everywhere(String image) {
    return (component, backend) -> image;
  }
}
