package io.basalt.server;

/**
 * What a command tells the rest of the server about the keys it changed, as Redis's
 * {@code signalModifiedKey}, {@code signalFlushedDb} and {@code notifyKeyspaceEvent} do. Command
 * handlers call these where Redis calls them (under the key's shard lock, after the change):
 * <ul>
 *   <li>{@link #modified}: a key's value changed. Makes the transactions WATCHing it fail and
 *       invalidates client-side caches (CLIENT TRACKING). Called synchronously, under the shard
 *       lock, so an EXEC that runs after the write always sees its WATCH broken.</li>
 *   <li>{@link #notify}: a keyspace notification ({@code notify-keyspace-events}), published on
 *       {@code __keyspace@<db>__:<key>} and {@code __keyevent@<db>__:<event>} when its class is
 *       enabled. Cheap when notifications are off (one volatile read).</li>
 *   <li>{@link #flushing}: before a database is emptied or swapped (FLUSHDB, FLUSHALL, SWAPDB),
 *       with every shard locked.</li>
 * </ul>
 */
public final class KeyspaceEvents {
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

    private final BasaltServer server;

    KeyspaceEvents(BasaltServer server) {
        this.server = server;
    }

    /** {@code signalModifiedKey}: {@code key} of {@code db} was changed (or deleted). */
    public void modified(int db, byte[] key) {
        server.watches().touch(db, key);
    }

    /**
     * {@code notifyKeyspaceEvent}: publishes {@code event} for {@code key} when the class
     * {@code type} is enabled by {@code notify-keyspace-events}.
     */
    public void notify(int type, String event, byte[] key, int db) {
        // keyspace notifications are wired in by their own change (notify-keyspace-events)
    }

    /**
     * {@code signalFlushedDb}: {@code db} (-1: every database) is about to be emptied; with
     * every shard locked. {@code swapWith} is the database SWAPDB puts in its place, else -1.
     */
    public void flushing(int db, int swapWith) {
        server.watches().flushing(db, swapWith);
    }
}
