package io.basalt.persistence;

import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.Shard;

/**
 * A {@link KeyspaceSink} that stores loaded keys into a {@link Keyspace}, as Redis's loader does
 * on a master: keys already expired are dropped (and counted), a key present twice is an error.
 * Takes each key's shard lock, so it may load into a live keyspace (DEBUG RELOAD, MERGE).
 */
public final class KeyspaceLoader implements KeyspaceSink {
    private final Keyspace ks;
    private final long now = System.currentTimeMillis();
    private final boolean replace;
    private final java.util.function.IntSupplier lruClock;
    /** Whether the server runs an LFU maxmemory-policy (decides which recorded clock applies). */
    public boolean lfuPolicy;
    /** Redis's hidden key-load-delay: microseconds to sleep per key (negative: 1 us once in -n keys), for tests. */
    public int keyLoadDelay;
    public long loaded;
    public long expired;
    /**
     * Keys already expired are kept (a replica loading its master's image: the master's DELs
     * remove them, as Redis loads them when it is not a master).
     */
    public boolean keepExpired;
    /** Where the file's function libraries go (the server's libraries); none: a file with functions is refused. */
    public java.util.function.Consumer<byte[]> functions;
    /** The aux fields read (repl-stream-db, repl-id, repl-offset, ...). */
    public final java.util.Map<String, byte[]> aux = new java.util.HashMap<>();

    /**
     * @param replace whether a key already present is replaced (DEBUG RELOAD MERGE) rather than
     *                rejected as a duplicate
     */
    public KeyspaceLoader(Keyspace ks, boolean replace) {
        this.ks = ks;
        this.replace = replace;
        this.lruClock = () -> (int) ((System.currentTimeMillis() / 1000) & 0xffffff);
    }

    @Override
    public void aux(String key, byte[] value) { aux.put(key, value); }

    @Override
    public void function(byte[] code) {
        if (functions == null) KeyspaceSink.super.function(code);
        else functions.accept(code);
    }

    /** Values are built with the thresholds of the keyspace they load into. */
    @Override
    public io.basalt.data.EncodingLimits limits() { return ks.limits(); }

    @Override
    public void key(int db, byte[] key, Object entry, long expireAt, long idleSeconds, int freq) {
        if (keyLoadDelay != 0) debugDelay(keyLoadDelay);
        if (db >= ks.databases()) {
            throw new RdbException("FATAL: Data file was created with a Redis server configured to handle more than "
                    + ks.databases() + " databases. Exiting");
        }
        if (expireAt >= 0 && expireAt < now && !keepExpired) {
            expired++;
            return;
        }
        // objectSetLRUOrLFU: a recorded frequency counts under an LFU policy, an idle time otherwise
        if (!lfuPolicy && idleSeconds >= 0) Entries.clock(entry, (int) ((lruClock.getAsInt() - idleSeconds) & 0xffffff));
        // LFU clock: last decrement time in minutes (16 bits) and the counter (8 bits)
        else if (lfuPolicy && freq >= 0) Entries.clock(entry, (int) (((System.currentTimeMillis() / 60000) & 0xffff) << 8) | (freq & 0xff));
        Shard s = ks.shardOf(key);
        s.lock();
        try {
            if (!replace && s.peek(db, key) != null) {
                throw new RdbException("Duplicate key '" + new String(key, java.nio.charset.StandardCharsets.UTF_8) + "' found in RDB file");
            }
            s.put(db, key, entry);
            if (expireAt >= 0 && !(entry instanceof byte[])) s.setExpire(db, entry, expireAt);
        } finally {
            s.unlock();
        }
        loaded++;
    }

    /** Redis's debugDelay: short sleeps are taken statistically less often rather than shorter. */
    static void debugDelay(int usec) {
        if (usec < 0) usec = java.util.concurrent.ThreadLocalRandom.current().nextInt(-usec) == 0 ? 1 : 0;
        if (usec > 0) java.util.concurrent.locks.LockSupport.parkNanos(usec * 1000L);
    }
}
