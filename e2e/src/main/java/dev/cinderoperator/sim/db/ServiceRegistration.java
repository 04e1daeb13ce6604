package dev.cinderoperator.sim.db;

/** What a starting Cinder service writes into its services row. */
public record ServiceRegistration(
    String binary, String host, String clusterName, String rpcVersion, String objectVersion) {}
