package io.basalt.server.commands;

import io.basalt.data.Shard;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;

/**
 * Helpers shared by command families: keyspace lookups with Redis's side effects (lazy expiry,
 * hit/miss counting, access clock) and argument parsing with Redis's error texts.
 */
public final class Generic {
    private Generic() {}

    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String SYNTAX = "ERR syntax error";

    /** Redis's LRU clock: seconds, 24 bits, used by OBJECT IDLETIME. */
    public static int lruClock() {
        return io.basalt.data.Eviction.lruClock();
    }

    /**
     * {@code lookupKeyRead}: the live entry or null, counting keyspace hits/misses and touching
     * the access clock (unless the client set CLIENT NO-TOUCH). The key's shard must be locked.
     */
    public static Object lookupRead(Client c, byte[] key) {
        Shard s = c.server().keyspace().shardOf(key);
        Object e = s.get(c.db(), key, System.currentTimeMillis());
        if (e == null) {
            c.server().stats().keyspaceMisses.increment();
            c.notifyKeyspaceEvent(KeyspaceEvents.KEY_MISS, "keymiss", key);
        } else {
            c.server().stats().keyspaceHits.increment();
            if (!c.noTouch()) c.server().keyspace().eviction().touch(e);
        }
        return e;
    }

    /** {@code lookupKeyWrite}: the live entry or null; no hit/miss counting. */
    public static Object lookupWrite(Client c, byte[] key) {
        Shard s = c.server().keyspace().shardOf(key);
        Object e = s.get(c.db(), key, System.currentTimeMillis());
        if (e != null && !c.noTouch()) c.server().keyspace().eviction().touch(e);
        return e;
    }

    /** Redis's {@code dbAdd} notification: {@code key} did not exist and now does ("new"). */
    public static void added(Client c, byte[] key) {
        c.server().events().added(c.db(), key);
    }

    /**
     * A key's value changed: {@code signalModifiedKey} then {@code notifyKeyspaceEvent}, the pair
     * Redis's write commands end with.
     */
    public static void changed(Client c, int type, String event, byte[] key) {
        c.signalModified(key);
        c.notifyKeyspaceEvent(type, event, key);
    }

    /** Parses argument i as a Redis integer; replies the error and returns null if it isn't one. */
    public static Long longArg(Client c, RespRequest a, int i) {
        try {
            return Numbers.parseLong(a.buffer(), a.offset(i), a.length(i));
        } catch (NumberFormatException e) {
            c.error(NOT_INTEGER);
            return null;
        }
    }

    /** Parses argument i as a Redis integer, or throws {@link Numbers#INVALID}. */
    public static long parseLong(RespRequest a, int i) {
        return Numbers.parseLong(a.buffer(), a.offset(i), a.length(i));
    }
}
