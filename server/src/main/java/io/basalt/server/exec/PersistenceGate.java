package io.basalt.server.exec;

import io.basalt.data.Shard;

/**
 * What persistence (RDB snapshots and the AOF, in {@code persist}) has to say while commands
 * run: whether writes are refused, the rewrite's serialize-before-write, and whether a data file
 * is loading. The dispatcher, the blocking serve and {@link Propagation} ask this instead of the
 * persistence classes, which sit above them; {@code BasaltServer} implements it over both.
 */
public interface PersistenceGate {
    /**
     * Redis's writeCommandsDeniedByDiskError: the error that refuses writes (and PING) because the
     * last BGSAVE failed with stop-writes-on-bgsave-error or the AOF cannot be written; null when
     * writes are accepted.
     */
    String writeDenied();

    /**
     * Called with {@code s} locked before a command changes it: during an AOF rewrite, a shard not
     * yet in the new base is written there first, so the base holds its state as of the switch.
     */
    void beforeWrite(Shard s);

    /** Redis's shouldPropagate: nothing is propagated while a data file loads. */
    boolean loading();
}
