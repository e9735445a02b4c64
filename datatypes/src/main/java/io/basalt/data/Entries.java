package io.basalt.data;

/** Uniform access to the two kinds of keyspace entries: string records and object entries. */
public final class Entries {
    private Entries() {}

    public static boolean keyEquals(Object e, byte[] key) {
        if (e instanceof byte[] r) return StringRecord.keyEquals(r, key);
        return ((ObjectEntry) e).keyEquals(key);
    }

    public static byte[] key(Object e) {
        if (e instanceof byte[] r) return StringRecord.key(r);
        return ((ObjectEntry) e).key();
    }

    public static long expireAt(Object e) {
        if (e instanceof byte[] r) return StringRecord.expireAt(r);
        return ((ObjectEntry) e).expireAt();
    }

    public static int clock(Object e) {
        if (e instanceof byte[] r) return StringRecord.clock(r);
        return ((ObjectEntry) e).clock();
    }

    public static void clock(Object e, int clock) {
        if (e instanceof byte[] r) StringRecord.clock(r, clock);
        else ((ObjectEntry) e).clock(clock);
    }

    /**
     * The same value, TTL and access clock under another key (RENAME): a new record for strings,
     * {@link ObjectEntry#rekeyed} for the rest.
     */
    public static Object withKey(Object e, byte[] newKey) {
        if (e instanceof byte[] r) {
            byte[] n = StringRecord.rekey(r, newKey);
            StringRecord.clock(n, StringRecord.clock(r));
            return n;
        }
        ObjectEntry o = (ObjectEntry) e;
        ObjectEntry n = o.rekeyed(newKey);
        n.expireAt(o.expireAt());
        n.clock(o.clock());
        return n;
    }

    /**
     * An independent copy under {@code newKey} with the same TTL and a fresh access clock (COPY):
     * Redis duplicates the value into a new object, which starts with the current clock.
     */
    public static Object copyAs(Object e, byte[] newKey) {
        if (e instanceof byte[] r) return StringRecord.rekey(r, newKey);
        ObjectEntry o = (ObjectEntry) e;
        ObjectEntry n = o.copy(newKey);
        n.expireAt(o.expireAt());
        n.clock(0); // stamped by Shard.put
        return n;
    }

    /** Whether the entry is a string (a {@link StringRecord}). */
    public static boolean isString(Object e) { return e instanceof byte[]; }

    /** Whether the entry's key matches a glob pattern, without copying the key out of a record. */
    public static boolean keyMatches(Object e, byte[] pattern, boolean nocase) {
        if (e instanceof byte[] r) {
            return Glob.match(pattern, r, StringRecord.keyOffset(r), StringRecord.keyLength(r), nocase);
        }
        return ((ObjectEntry) e).keyMatches(pattern, nocase);
    }

    public static String typeName(Object e) {
        return e instanceof byte[] ? "string" : ((ObjectEntry) e).typeName();
    }

    public static String encodingName(Object e) {
        if (e instanceof byte[] r) {
            switch (StringRecord.encoding(r)) {
                case StringRecord.ENC_INT: return "int";
                case StringRecord.ENC_EMBSTR: return "embstr";
                default: return "raw";
            }
        }
        return ((ObjectEntry) e).encodingName();
    }

    /** Heap bytes of an entry: object header and alignment included. */
    public static long memoryUsage(Object e) {
        if (e instanceof byte[] r) return (16 + r.length + 7) & ~7L;
        return ((ObjectEntry) e).memoryUsage();
    }

    public static int hash(byte[] key) { return hash(key, 0, key.length); }

    /** {@link #hash(byte[])} of the bytes b[off, off + len). */
    static int hash(byte[] b, int off, int len) {
        // FNV-1a with a final avalanche: independent of the CRC16 that picked the shard
        int h = 0x811c9dc5;
        for (int i = off, end = off + len; i < end; i++) h = (h ^ b[i]) * 0x01000193;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }

    /** The same hash as {@link #hash(byte[])}, over the key stored inside an entry. */
    static int hashOf(Object e) {
        if (e instanceof byte[] r) {
            return hash(r, StringRecord.keyOffset(r), StringRecord.keyLength(r));
        }
        return ((ObjectEntry) e).keyHash();
    }
}
