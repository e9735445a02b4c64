package io.basalt.server;

import io.basalt.cluster.ClusterHost;
import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.data.Slots;
import io.basalt.server.client.ClientPause;
import io.basalt.server.util.Log;


/**
 * The server as the cluster engine sees it: replication (REPLICAOF on role changes, the offset
 * carried in every bus header), keys per slot, pub/sub delivery and the write pause of a manual
 * failover.
 */
final class ClusterNodeHost implements ClusterHost {
    private final BasaltServer server;

    ClusterNodeHost(BasaltServer server) { this.server = server; }

    @Override
    public int port() { return server.listening() ? server.port() : server.config().getInt("port"); }

    @Override
    public int tlsPort() {
        // Redis's deriveAnnouncedPorts: with tls-cluster the node's port is the TLS one
        return server.config().getBool("tls-cluster") ? server.tlsPort() : 0;
    }

    @Override
    public io.netty.channel.ChannelHandler busTls(io.netty.channel.Channel ch, boolean accepted, String host, int port) {
        if (!server.config().getBool("tls-cluster") || !server.tls().configured()) return null;
        // the bus always requires the peer's certificate (clusterAcceptHandler: TLS_CLIENT_AUTH_YES)
        return accepted ? server.tls().serverHandler(ch.alloc(), "yes") : server.tls().clientHandler(ch.alloc(), host, port);
    }

    @Override
    public long replicationOffset() {
        return server.masterLink().isReplica() ? server.masterLink().replicaOffset() : server.replication().offset();
    }

    @Override
    public void replicate(String ip, int port) {
        if (server.masterLink().isReplicaOf(ip, port)) return;
        server.masterLink().replicaOf(ip, port);
    }

    @Override
    public void stopReplicating() {
        if (server.masterLink().isReplica()) {
            server.masterLink().noOne();
            Log.notice("MASTER MODE enabled");
        }
    }

    @Override
    public boolean replicatingFrom(String ip, int port) { return server.masterLink().isReplicaOf(ip, port); }

    @Override
    public long replicaDataAge(long now) { return server.masterLink().dataAge(now); }

    @Override
    public int replPingReplicaPeriod() { return server.config().getInt("repl-ping-replica-period"); }

    @Override
    public void pauseWrites(long untilMs) { server.pause().pause(ClientPause.Purpose.FAILOVER, untilMs, ClientPause.WRITE); }

    @Override
    public void unpauseWrites() { server.pause().unpause(ClientPause.Purpose.FAILOVER); }

    /** The slots db 0 has keys in (the per-slot key lists), after loading, before serving. */
    boolean[] slotsWithKeys() {
        boolean[] out = new boolean[Slots.COUNT];
        for (int s = 0; s < Slots.COUNT; s++) out[s] = server.keyspace().countKeysInSlot(0, s) > 0;
        return out;
    }

    @Override
    public int countKeysInSlot(int slot) {
        Shard shard = server.keyspace().shardOfSlot(slot);
        // never wait for a shard under the cluster monitor (see ClusterHost): busy means "has keys"
        if (!shard.tryLock()) return 1;
        try {
            return shard.countInSlot(0, slot);
        } finally {
            shard.unlock();
        }
    }

    /**
     * Redis's delKeysInSlot: each key of db 0 in the slot deleted, its DEL propagated to the AOF
     * and replicas as a server-side deletion (keyspace notifications and WATCH see it too).
     */
    @Override
    public int delKeysInSlot(int slot) {
        Keyspace ks = server.keyspace();
        Shard shard = ks.shardOfSlot(slot);
        int n = 0;
        shard.lock();
        try {
            for (byte[] k : ks.keysInSlot(0, slot, Integer.MAX_VALUE)) {
                if (shard.remove(0, k) != null) {
                    n++;
                    server.events().notify(io.basalt.server.pubsub.KeyspaceEvents.GENERIC, "del", k, 0);
                    server.events().modified(0, k);
                    server.propagation().evicted(0, k);
                }
            }
        } finally {
            shard.unlock();
        }
        return n;
    }

    @Override
    public long keyCount() {
        long n = 0;
        for (int db = 0; db < server.keyspace().databases(); db++) n += server.keyspace().size(db);
        return n;
    }

    /** Empties every database (CLUSTER RESET of a replica, Redis's emptyData). */
    void flushAll() {
        Keyspace ks = server.keyspace();
        ks.lockAll();
        try {
            for (int db = 0; db < ks.databases(); db++) {
                for (int s = 0; s < ks.shardCount(); s++) ks.shard(s).clear(db);
            }
        } finally {
            ks.unlockAll();
        }
    }

    @Override
    public void publish(byte[] channel, byte[] message, boolean shard) {
        if (shard) server.pubSub().spublish(channel, message);
        else server.pubSub().publish(channel, message);
    }

    @Override
    public void log(String level, String message) {
        switch (level) {
            case "warning": Log.warning(message); break;
            case "notice": Log.notice(message); break;
            case "verbose": Log.verbose(message); break;
            default: Log.debug(message);
        }
    }
}
