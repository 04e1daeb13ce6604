package dev.cinderoperator.sim.invariants;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** What the rules remember of one cluster between events. */
final class ClusterState {
  final Map<String, LivePod> live = new LinkedHashMap<>();
  final Map<String, Set<String>> members = new HashMap<>();
  final Set<String> reported = new HashSet<>();
  final Map<String, Integer> dbSyncs = new HashMap<>();
  final Set<String> migratedImages = new HashSet<>();
  final Map<String, Integer> jobSuccesses = new HashMap<>();
  final Set<String> takenDownByOthers = new HashSet<>();
  String settledImage;
  int apiPeakReady;

  /** A pod that was created and not yet deleted. */
  static final class LivePod {
    final String name;
    final String component;
    final String group;
    final String image;
    boolean ready;

    LivePod(String name, String component, String group, String image) {
      this.name = name;
      this.component = component;
      this.group = group;
      this.image = image;
    }
  }
}
