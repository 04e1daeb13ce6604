package dev.cinderoperator.sim.cinder;

/**
 * The version cap one RPC client of a Cinder process cached at start ({@code LAST_RPC_VERSIONS} and
 * {@code LAST_OBJ_VERSIONS}).
 */
public record CachedPin(String rpcVersion, String objectVersion) {}
