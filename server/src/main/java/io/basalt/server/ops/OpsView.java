package io.basalt.server.ops;

import java.util.List;

/**
 * What the operations endpoints read of the server that only the composition root knows: the
 * figures of INFO that are computed there (used memory, clients, persistence state), read without
 * any lock a writer waits on. {@code BasaltServer} implements it; the keyspace, statistics, command
 * table and replication state are handed to {@link OpsHttpServer} directly.
 */
public interface OpsView {
    /** INFO server: redis_version (the Redis version Basalt answers as). */
    String redisVersion();

    /** INFO server: basalt_version. */
    String basaltVersion();

    /** INFO server: os. */
    String os();

    /** INFO server: run_id. */
    String runId();

    /** The RESP port actually bound (INFO's tcp_port). */
    int tcpPort();

    long startMillis();

    long uptimeMillis();

    /** INFO clients: connected_clients. */
    int connectedClients();

    /** INFO clients: blocked_clients (blocking commands and CLIENT PAUSE). */
    int blockedClients();

    /** INFO memory: used_memory. */
    long usedMemory();

    /** INFO memory: used_memory_peak, given the current used_memory. */
    long usedMemoryPeak(long used);

    /** INFO memory: used_memory_rss. */
    long rss();

    /** INFO persistence: rdb_last_save_time (Unix seconds). */
    long lastSave();

    /** INFO persistence: rdb_bgsave_in_progress. */
    boolean bgsaveInProgress();

    /** INFO persistence: rdb_last_bgsave_status is ok. */
    boolean lastBgsaveOk();

    /** INFO persistence: aof_enabled. */
    boolean aofEnabled();

    /** INFO persistence: aof_rewrite_in_progress. */
    boolean aofRewriteInProgress();

    /** INFO persistence: loading (the data files, at startup or from a master). */
    boolean loading();

    /** A shutdown started (waiting for replicas, saving) or the server stopped. */
    boolean shuttingDown();

    /** INFO stats: pubsub_channels. */
    long pubsubChannels();

    /** INFO stats: pubsub_patterns. */
    long pubsubPatterns();

    /** INFO cpu: {used_cpu_sys, used_cpu_user} in microseconds. */
    long[] cpuMicros();

    /** The threads of the RESP event loops (their CPU time is the event loops' busy time). */
    List<Thread> eventLoopThreads();

    /** CLUSTER INFO's cluster_state ("ok" or "fail"), or null outside cluster mode. */
    default String clusterState() { return null; }

    /** INFO stats: evicted_clients (maxmemory-clients). */
    default long evictedClients() { return 0; }
}
