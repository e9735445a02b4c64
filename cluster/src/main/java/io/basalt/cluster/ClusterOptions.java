package io.basalt.cluster;

/**
 * The cluster-* directives the engine reads, set by the server's configuration (and by CONFIG SET
 * at any time, hence volatile). Defaults are redis.conf's.
 */
public final class ClusterOptions {
    /** cluster-config-file and cluster-port (0: the client port + 10000); both immutable. */
    public volatile String configFile = "nodes.conf";
    public volatile int port = 0;
    public volatile long nodeTimeout = 15000;
    public volatile boolean requireFullCoverage = true;
    public volatile boolean allowReadsWhenDown = false;
    public volatile boolean allowPubsubshardWhenDown = true;
    public volatile int replicaValidityFactor = 10;
    public volatile int migrationBarrier = 1;
    public volatile boolean allowReplicaMigration = true;
    public volatile boolean replicaNoFailover = false;
    public volatile long linkSendbufLimit = 0;
    public volatile EndpointType preferredEndpointType = EndpointType.IP;
    /** cluster-announce-ip ("" none), -port/-tls-port/-bus-port (0: the real ones), -hostname. */
    public volatile String announceIp = "";
    public volatile int announcePort = 0;
    public volatile int announceTlsPort = 0;
    public volatile int announceBusPort = 0;
    public volatile String announceHostname = "";
}
