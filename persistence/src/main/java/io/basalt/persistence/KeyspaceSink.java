package io.basalt.persistence;

/** Receives what {@link RdbLoader} reads from an RDB file. */
public interface KeyspaceSink {
    /**
     * One key. {@code entry} is a ready Basalt entry: a string record (already carrying
     * {@code expireAt}) or an {@link io.basalt.data.ObjectEntry} without expiry, which the sink
     * applies (e.g. with {@link io.basalt.data.Shard#setExpire(int, Object, long)}).
     *
     * @param expireAt absolute unix ms, or -1
     * @param idleSeconds the LRU idle time the file recorded, or -1
     * @param freq the LFU counter the file recorded, or -1
     */
    void key(int db, byte[] key, Object entry, long expireAt, long idleSeconds, int freq);

    /** An AUX field (redis-ver, ctime, aof-base, ...). */
    default void aux(String key, byte[] value) {}

    /**
     * A function library's code (RDB_OPCODE_FUNCTION2), in the file's order, before its keys.
     *
     * @throws RdbException when the library cannot be loaded
     */
    default void function(byte[] code) {
        throw new RdbException("The RDB file contains functions, which this loader does not take");
    }

    /** A RESIZEDB hint for the database about to be loaded. */
    default void resizeDb(int db, long size, long expires) {}

    /**
     * The thresholds that pick the loaded values' encodings: the receiving keyspace's (asked once,
     * before the first key). Redis's defaults unless the sink says otherwise.
     */
    default io.basalt.data.EncodingLimits limits() { return new io.basalt.data.EncodingLimits(); }
}
