package dev.cinderoperator.upgrade;

import dev.cinderoperator.workload.Component;
import java.time.Instant;

/**
 * One Cinder pod as the operator observed it.
 *
 * @param name pod name; for StatefulSet pods also the Cinder {@code host}
 * @param component api, scheduler, volume or backup
 * @param backend the volume backend, null for other components
 * @param ordinal the StatefulSet ordinal, null for API pods
 * @param image the image of the Cinder container
 * @param configChecksum the pod's config-checksum annotation, null when absent
 * @param ready the Ready condition is True
 * @param running the Cinder container is running
 * @param terminating the pod has a deletionTimestamp
 * @param createdAt the pod's creationTimestamp
 * @param startedAt when the Cinder container last started; null if it has not
 * @param restartCount restarts of the Cinder container
 * @param uid the pod's uid (a recreated pod has a new one)
 */
public record PodView(
    String name,
    Component component,
    String backend,
    Integer ordinal,
    String image,
    String configChecksum,
    boolean ready,
    boolean running,
    boolean terminating,
    Instant createdAt,
    Instant startedAt,
    int restartCount,
    String uid) {}
