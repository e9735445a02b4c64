package io.basalt.data;

/**
 * A key whose value is not a plain string (hashes, lists, sets, sorted sets): the value object
 * carries its key, expiry and access clock itself, so the keyspace still holds one object per key.
 * Where they live is the subclass's choice: {@link FieldEntry} keeps them in fields, a small hash
 * keeps them in the header of its one listpack array (see {@link HashValue}).
 */
public abstract class ObjectEntry {
    protected ObjectEntry() {}

    /** The key. Callers must not modify it (it may be the entry's own array). */
    public abstract byte[] key();

    public boolean keyEquals(byte[] k) { return java.util.Arrays.equals(key(), k); }

    /** {@link Entries#hash(byte[])} of the key. */
    int keyHash() { return Entries.hash(key()); }

    boolean keyMatches(byte[] pattern, boolean nocase) { return Glob.match(pattern, key(), nocase); }

    /** Absolute expiry in ms, or -1. */
    public abstract long expireAt();

    abstract void expireAt(long expireAt);

    public abstract int clock();

    public abstract void clock(int clock);

    /** The Redis type name, as TYPE replies it. */
    public abstract String typeName();

    /** The Redis encoding name, as OBJECT ENCODING replies it. */
    public abstract String encodingName();

    /** Number of elements (fields, members, entries). */
    public abstract int size();

    /** Whether the collection is empty: Redis never keeps an empty one (see {@link Shard.Edit}). */
    public boolean isEmpty() { return size() == 0; }

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
