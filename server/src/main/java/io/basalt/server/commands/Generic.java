package io.basalt.server.commands;

import io.basalt.data.EncodingLimits;
import io.basalt.data.HashValue;
import io.basalt.data.ListValue;
import io.basalt.data.ObjectEntry;
import io.basalt.data.SetValue;
import io.basalt.data.Shard;
import io.basalt.data.StreamValue;
import io.basalt.data.ZSetValue;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.exec.ExecState;
import io.basalt.server.pubsub.KeyspaceEvents;

/**
 * Helpers shared by command families: keyspace lookups with Redis's side effects (lazy expiry,
 * hit/miss counting, access clock), typed lookups that reply WRONGTYPE, and argument parsing
 * with Redis's error texts.
 */
public final class Generic {
    private Generic() {}

    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String SYNTAX = "ERR syntax error";

    /**
     * The compact-encoding thresholds of the client's server (its keyspace's), which every value
     * operation that may convert or fill a collection is given.
     */
    public static EncodingLimits limits(Client c) {
        return c.server().keyspace().limits();
    }

    /** Redis's LRU clock: seconds, 24 bits, used by OBJECT IDLETIME. */
    public static int lruClock() {
        return io.basalt.data.Eviction.lruClock();
    }

    /**
     * The shard of {@code key}: from the slot the dispatcher already hashed when it is one of the
     * running command's keys (the common case: CRC16 over the key was ~7% of a GET), else hashed.
     */
    public static Shard shard(Client c, byte[] key) {
        int slot = ExecState.runningSlot(key);
        io.basalt.data.Keyspace ks = c.server().keyspace();
        return slot >= 0 ? ks.shardOfSlot(slot) : ks.shardOf(key);
    }

    /**
     * {@code lookupKeyRead}: the live entry or null, counting keyspace hits/misses and touching
     * the access clock (unless the client set CLIENT NO-TOUCH). The key's shard must be locked.
     */
    public static Object lookupRead(Client c, byte[] key) {
        Shard s = shard(c, key);
        Object e = s.get(c.db(), key, c.lookupTime());
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
        Shard s = shard(c, key);
        Object e = s.get(c.db(), key, c.lookupTime());
        if (e != null && !c.noTouch()) c.server().keyspace().eviction().touch(e);
        return e;
    }

    // ---------------------------------------------------------------- typed lookups

    /**
     * Redis's {@code lookupKeyRead} then {@code checkType}: the value at {@code key} when it is a
     * {@code type} ({@code byte[].class} for a string record, {@code HashValue.class}, ...), null
     * when the key is missing; when it holds another type, replies WRONGTYPE and returns the
     * marker {@link #failed} recognizes. So every typed read is
     * <pre>{@code
     * HashValue h = Generic.read(c, key, HashValue.class);
     * if (Generic.failed(h)) return;
     * }</pre>
     */
    public static <T> T read(Client c, byte[] key, Class<T> type) {
        return as(c, lookupRead(c, key), type);
    }

    /** {@link #read} with {@code lookupKeyWrite} (no hit/miss counting). */
    public static <T> T write(Client c, byte[] key, Class<T> type) {
        return as(c, lookupWrite(c, key), type);
    }

    /**
     * {@code checkType} of an entry already looked up ({@code e} may be null), for commands that
     * look several keys up before checking their types, as Redis's SMOVE and LMOVE do.
     */
    @SuppressWarnings("unchecked")
    public static <T> T as(Client c, Object e, Class<T> type) {
        if (e == null || type.isInstance(e)) return (T) e;
        c.error(WRONGTYPE);
        return (T) wrongType(type);
    }

    /** Whether a typed lookup found another type (and WRONGTYPE has been replied). */
    public static boolean failed(Object v) {
        return v == WRONG_STRING || v == WRONG_HASH || v == WRONG_LIST || v == WRONG_SET || v == WRONG_ZSET || v == WRONG_STREAM;
    }

    // What the typed lookups return after a WRONGTYPE reply: a typed return cannot share one
    // object across the value types, so there is one per type; never stored, never changed.
    // Shared statics, so a lookup allocates nothing.
    private static final byte[] WRONG_STRING = new byte[0];
    private static final HashValue WRONG_HASH = new HashValue(new byte[0]);
    private static final ListValue WRONG_LIST = new ListValue(new byte[0]);
    private static final SetValue WRONG_SET = SetValue.createIntset(new byte[0]);
    private static final ZSetValue WRONG_ZSET = ZSetValue.create(new byte[0], 0, 0, new EncodingLimits());
    private static final StreamValue WRONG_STREAM = new StreamValue(new byte[0]);

    private static Object wrongType(Class<?> type) {
        if (type == byte[].class) return WRONG_STRING;
        if (type == HashValue.class) return WRONG_HASH;
        if (type == ListValue.class) return WRONG_LIST;
        if (type == SetValue.class) return WRONG_SET;
        if (type == ZSetValue.class) return WRONG_ZSET;
        if (type == StreamValue.class) return WRONG_STREAM;
        throw new IllegalArgumentException("no typed lookup for " + type);
    }

    /**
     * Opens the accounted in-place change of the collection {@code value} at {@code key} in the
     * client's database ({@link Shard#edit}: null for a missing key, which the edit may
     * {@link Shard.Edit#insert}). Every change of a stored collection happens inside one:
     * <pre>{@code
     * try (Shard.Edit ed = Generic.edit(c, key, h)) {
     *     if (h == null) h = ed.insert(new HashValue(key));
     *     h.set(field, value, ed.limits());
     * }   // size change accounted; an emptied collection removed
     * }</pre>
     */
    public static Shard.Edit edit(Client c, byte[] key, ObjectEntry value) {
        return shard(c, key).edit(c.db(), key, value);
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

    /**
     * Argument i as a timeout in milliseconds (CLIENT PAUSE, WAIT; Redis's
     * getTimeoutFromObjectOrReply with UNIT_MILLISECONDS): an integer, not negative; else the
     * error is replied and null returned.
     */
    public static Long millisTimeoutArg(Client c, RespRequest a, int i) {
        long timeout;
        try {
            timeout = parseLong(a, i);
        } catch (NumberFormatException e) {
            c.error("ERR timeout is not an integer or out of range");
            return null;
        }
        if (timeout < 0) {
            c.error("ERR timeout is negative");
            return null;
        }
        return timeout;
    }

    /** Parses argument i as a Redis integer, or throws {@link Numbers#INVALID}. */
    public static long parseLong(RespRequest a, int i) {
        return Numbers.parseLong(a.buffer(), a.offset(i), a.length(i));
    }
}
