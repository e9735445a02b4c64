package io.basalt.data;

/**
 * A key whose value is not a plain string (hashes, lists, sets, sorted sets): the value object
 * carries its key, expiry and access clock itself, so the keyspace still holds one object per key.
 */
public abstract class ObjectEntry {
    public final byte[] key;
    long expireAt = -1;
    int clock;

    protected ObjectEntry(byte[] key) { this.key = key; }

    public long expireAt() { return expireAt; }

    public int clock() { return clock; }

    public void clock(int clock) { this.clock = clock; }

    /** The Redis type name, as TYPE replies it. */
    public abstract String typeName();

    /** The Redis encoding name, as OBJECT ENCODING replies it. */
    public abstract String encodingName();

    /** Estimated heap bytes of this entry, for memory accounting. */
    public abstract long memoryUsage();

    /** A deep copy under another key (COPY). */
    public abstract ObjectEntry copy(byte[] newKey);

    /**
     * This value under another key (RENAME). The default deep-copies; a type may override it to
     * hand over its internals instead, since the old entry is dropped right after.
     */
    public ObjectEntry rekeyed(byte[] newKey) { return copy(newKey); }
}
