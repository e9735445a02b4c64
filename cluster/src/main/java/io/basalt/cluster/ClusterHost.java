package io.basalt.cluster;

/**
 * What the cluster engine needs from the server it runs in: replication, keys per slot, pub/sub
 * and client pauses. The server implements it; the engine never sees server types.
 */
public interface ClusterHost {
    /** The client ports this node serves: plain (0 when none) and TLS (0 when none). */
    int port();

    /** The TLS port the cluster announces as the node's port: tls-port with tls-cluster, else 0. */
    int tlsPort();

    /**
     * The TLS handler a bus connection puts first with tls-cluster (Redis's connCreateTLS /
     * connCreateAcceptedTLS for the bus, which always asks for the peer's certificate), or null
     * for a plain bus. {@code accepted}: an incoming connection, else one to {@code host:port}.
     */
    default io.netty.channel.ChannelHandler busTls(io.netty.channel.Channel ch, boolean accepted, String host, int port) {
        return null;
    }

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

    /**
     * Keys of db 0 in {@code slot}. Called with the cluster state's monitor held, so it must not
     * wait for a shard lock: when the slot's shard is busy it may answer 1 (a slot then counts
     * as holding keys, and emptying it later finds none).
     */
    int countKeysInSlot(int slot);

    /** Deletes every key of a slot this node lost (Redis's delKeysInSlot); how many. */
    int delKeysInSlot(int slot);

    /** Keys in all databases (CLUSTER RESET refuses a master holding keys). */
    long keyCount();


    /** A PUBLISH or SPUBLISH received on the bus, to deliver to local subscribers. */
    void publish(byte[] channel, byte[] message, boolean shard);

    /** A log line (Redis's serverLog); level is "warning", "notice", "verbose" or "debug". */
    void log(String level, String message);
}
