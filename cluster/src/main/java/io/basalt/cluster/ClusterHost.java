package io.basalt.cluster;

/**
 * What the cluster engine needs from the server it runs in: replication, keys per slot, pub/sub
 * and client pauses. The server implements it; the engine never sees server types.
 */
public interface ClusterHost {
    /** The client ports this node serves: plain (0 when none) and TLS (0 when none). */
    int port();

    int tlsPort();

    /**
     * The replication offset this node advertises: its master_repl_offset as a master, the offset
     * it processed as a replica (Redis's replicationGetSlaveOffset).
     */
    long replicationOffset();

    /** REPLICAOF ip port (Redis's replicationSetMaster). */
    void replicate(String ip, int port);

    /** REPLICAOF NO ONE (replicationUnsetMaster): this node becomes a master with its data. */
    void stopReplicating();

    /** Whether this node replicates from ip:port already (so the cron does not restart it). */
    boolean replicatingFrom(String ip, int port);

    /**
     * Milliseconds since this replica last heard from its master (link up) or since the link
     * went down: the data age a failover candidate checks against cluster-replica-validity-factor.
     */
    long replicaDataAge(long now);

    /** repl-ping-replica-period in seconds (part of the validity-factor bound). */
    int replPingReplicaPeriod();

    /** Pauses writes until {@code untilMs} (a master in a manual failover), or ends that pause. */
    void pauseWrites(long untilMs);

    void unpauseWrites();

    int countKeysInSlot(int slot);

    /** Deletes every key of a slot this node lost (Redis's delKeysInSlot); how many. */
    int delKeysInSlot(int slot);

    /** Keys in all databases (CLUSTER RESET refuses a master holding keys). */
    long keyCount();

    /** Empties every database (CLUSTER RESET of a replica). */
    void flushAll();

    /** A PUBLISH or SPUBLISH received on the bus, to deliver to local subscribers. */
    void publish(byte[] channel, byte[] message, boolean shard);

    /** A log line (Redis's serverLog); level is "warning", "notice", "verbose" or "debug". */
    void log(String level, String message);
}
