package io.basalt.server.pubsub;

import io.basalt.server.client.Client;
import io.basalt.server.client.KeySignals;
import io.basalt.server.config.ConfigParams;
import io.basalt.server.module.KeyChangeListener;
import io.basalt.server.module.ServerModule;

import java.nio.charset.StandardCharsets;

/**
 * What a command tells the rest of the server about the keys it changed, as Redis's
 * {@code signalModifiedKey}, {@code signalFlushedDb} and {@code notifyKeyspaceEvent} do. Command
 * handlers call these where Redis calls them (under the key's shard lock, after the change):
 * <ul>
 *   <li>{@link #modified}: a key's value changed. Tells the {@link KeyChangeListener}s: the
 *       transactions WATCHing it fail, client-side caches (CLIENT TRACKING) are invalidated.
 *       Called synchronously, under the shard lock, so an EXEC that runs after the write always
 *       sees its WATCH broken.</li>
 *   <li>{@link #notify}: a keyspace notification ({@code notify-keyspace-events}), published on
 *       {@code __keyspace@<db>__:<key>} and {@code __keyevent@<db>__:<event>} when its class is
 *       enabled. Cheap when notifications are off (one volatile read).</li>
 *   <li>{@link #flushing}: before a database is emptied or swapped (FLUSHDB, FLUSHALL, SWAPDB),
 *       with every shard locked.</li>
 * </ul>
 */
public final class KeyspaceEvents implements ServerModule, KeySignals {
    // notification classes, as Redis's NOTIFY_* bits
    public static final int KEYSPACE = 1;
    public static final int KEYEVENT = 1 << 1;
    public static final int GENERIC = 1 << 2;
    public static final int STRING = 1 << 3;
    public static final int LIST = 1 << 4;
    public static final int SET = 1 << 5;
    public static final int HASH = 1 << 6;
    public static final int ZSET = 1 << 7;
    public static final int EXPIRED = 1 << 8;
    public static final int EVICTED = 1 << 9;
    public static final int STREAM = 1 << 10;
    public static final int KEY_MISS = 1 << 11;
    public static final int LOADED = 1 << 12;
    public static final int MODULE = 1 << 13;
    public static final int NEW = 1 << 14;
    /** Redis's NOTIFY_ALL ('A'): every class but key misses and new keys. */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /** Where notifications are published. */
    private final PubSub pubSub;
    /** The number of databases, for the notification channel names. */
    private final int databases;
    /** Redis's server.notify_keyspace_events: 0 (the default) costs notify() this one read. */
    private volatile int flags;
    /**
     * "__keyspace@<db>__:" and "__keyevent@<db>__:" per database, built by the first
     * {@link #configure} (the keyspace does not exist yet when this object is constructed).
     */
    private byte[][] keyspacePrefix;
    private byte[][] keyeventPrefix;

    /** The subsystems told of key changes (WATCH, tracking, blocked clients), in order. */
    private volatile KeyChangeListener[] listeners = new KeyChangeListener[0];

    public KeyspaceEvents(PubSub pubSub, int databases) {
        this.pubSub = pubSub;
        this.databases = databases;
    }

    @Override
    public void bind(io.basalt.server.config.Config config) {
        // the configuration table remembers whether "An" was given (it prints as "A")
        config.bind("notify-keyspace-events", v -> configure(v, ConfigParams.keyspaceEventsHideNew(config, v)));
    }

    /** Adds a listener of key changes (at server construction). */
    public void listen(KeyChangeListener l) {
        KeyChangeListener[] a = java.util.Arrays.copyOf(listeners, listeners.length + 1);
        a[a.length - 1] = l;
        listeners = a;
    }

    /**
     * Redis's {@code keyspaceEventsStringToFlags} over a (validated) notify-keyspace-events value.
     */
    public static int parseFlags(String classes) {
        int f = 0;
        for (int i = 0; i < classes.length(); i++) {
            switch (classes.charAt(i)) {
                case 'A' -> f |= ALL;
                case 'g' -> f |= GENERIC;
                case '$' -> f |= STRING;
                case 'l' -> f |= LIST;
                case 's' -> f |= SET;
                case 'h' -> f |= HASH;
                case 'z' -> f |= ZSET;
                case 'x' -> f |= EXPIRED;
                case 'e' -> f |= EVICTED;
                case 'K' -> f |= KEYSPACE;
                case 'E' -> f |= KEYEVENT;
                case 't' -> f |= STREAM;
                case 'm' -> f |= KEY_MISS;
                case 'd' -> f |= MODULE;
                case 'n' -> f |= NEW;
                default -> throw new IllegalArgumentException("invalid event class " + classes.charAt(i));
            }
        }
        return f;
    }

    /** Applies a notify-keyspace-events value (already validated by the config table); {@code hideNew}: "An" was given. */
    void configure(String classes, boolean hideNew) {
        if (keyspacePrefix == null) {
            int dbs = databases;
            byte[][] space = new byte[dbs][];
            byte[][] event = new byte[dbs][];
            for (int db = 0; db < dbs; db++) {
                space[db] = ("__keyspace@" + db + "__:").getBytes(StandardCharsets.US_ASCII);
                event[db] = ("__keyevent@" + db + "__:").getBytes(StandardCharsets.US_ASCII);
            }
            keyspacePrefix = space;
            keyeventPrefix = event;
        }
        int f = parseFlags(classes);
        // "An" prints as "A" (as in Redis), yet new-key events stay on
        if (hideNew) f |= NEW;
        flags = f; // the volatile write publishes the prefixes too
    }

    /**
     * Redis's {@code dbAdd} side effects: a "new" keyspace event and {@code signalKeyAsReady}
     * (clients blocked on the key are served after the command).
     */
    public void added(int db, byte[] key) {
        notify(NEW, "new", key, db);
        for (KeyChangeListener l : listeners) l.added(db, key);
    }

    /** {@code signalModifiedKey}: {@code key} of {@code db} was changed (or deleted) by no client (expiry). */
    public void modified(int db, byte[] key) {
        modified(null, db, key);
    }

    /**
     * {@code signalModifiedKey}: {@code key} of {@code db} was changed (or deleted) by client
     * {@code by} (null when no client did: expiry, eviction). Breaks the WATCHes of the key and
     * invalidates it in client-side caches ({@code by} matters for NOLOOP and for the order of
     * its own invalidation after its reply).
     */
    @Override
    public void modified(Client by, int db, byte[] key) {
        if (by != null) by.dirty();
        for (KeyChangeListener l : listeners) l.modified(by, db, key);
    }

    /**
     * {@code notifyKeyspaceEvent}: publishes {@code event} for {@code key} when the class
     * {@code type} is enabled by {@code notify-keyspace-events}.
     */
    @Override
    public void notify(int type, String event, byte[] key, int db) {
        int f = flags;
        if ((f & type) == 0) return;
        // event names are ASCII literals
        byte[] ev = event.getBytes(StandardCharsets.US_ASCII);
        if ((f & KEYSPACE) != 0) pubSub.publish(concat(keyspacePrefix[db], key), ev);
        if ((f & KEYEVENT) != 0) pubSub.publish(concat(keyeventPrefix[db], ev), key);
    }

    private static byte[] concat(byte[] prefix, byte[] tail) {
        byte[] b = new byte[prefix.length + tail.length];
        System.arraycopy(prefix, 0, b, 0, prefix.length);
        System.arraycopy(tail, 0, b, prefix.length, tail.length);
        return b;
    }

    /**
     * {@code signalFlushedDb}: {@code db} (-1: every database) is about to be emptied by
     * {@code by}; with every shard locked. Breaks the watches of the keys it holds and tells every
     * client-side cache that everything is invalid (the tracking table has no databases).
     */
    public void flushing(Client by, int db) {
        if (by != null) by.dirty();
        for (KeyChangeListener l : listeners) l.flushing(by, db);
    }

    /** SWAPDB a b, before the swap, with every shard locked: the watches of keys in either break. */
    public void swapping(int a, int b) {
        for (KeyChangeListener l : listeners) l.swapping(a, b);
    }

    /** SWAPDB a b, after the swap, every shard still locked: clients blocked in either may be served. */
    public void swapped(int a, int b) {
        for (KeyChangeListener l : listeners) l.swapped(a, b);
    }
}
