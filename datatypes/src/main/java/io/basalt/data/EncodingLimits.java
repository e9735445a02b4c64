package io.basalt.data;

/**
 * The thresholds at which small collections leave their compact encoding, as redis.conf names
 * them (hash-max-listpack-entries ...). One instance per {@link Keyspace} (see
 * {@link Keyspace#limits()}), so two servers in one JVM (a master and its replica in a test)
 * never share them; the server binds its configuration into its own keyspace's instance, and
 * CONFIG SET changes them at runtime, like Redis: existing values convert on their next write.
 *
 * <p>Values do not keep a reference to their limits (that would cost a field per key): the
 * methods that decide a conversion take the limits of the keyspace the value lives in as a
 * parameter ({@code HashValue.set(field, value, limits)} ...). A new instance holds Redis's
 * defaults.
 */
public final class EncodingLimits {
    public volatile long hashMaxListpackEntries = 512;
    public volatile long hashMaxListpackValue = 64;
    public volatile long setMaxIntsetEntries = 512;
    public volatile long zsetMaxListpackEntries = 128;
    public volatile long zsetMaxListpackValue = 64;
    /** list-max-listpack-size: positive = entries per quicklist node, negative = node size class. */
    public volatile long listMaxListpackSize = -2;
    /** list-compress-depth: quicklist nodes at each end kept raw, the interior deflated (0: none). */
    public volatile long listCompressDepth = 0;
    /** hll-sparse-max-bytes: the longest a sparse HyperLogLog string grows before turning dense. */
    public volatile long hllSparseMaxBytes = 3000;
    /** stream-node-max-bytes: a stream node (listpack) past this size is closed (0: no limit). */
    public volatile long streamNodeMaxBytes = 4096;
    /** stream-node-max-entries: a stream node holding this many entries, deleted ones too, is closed. */
    public volatile long streamNodeMaxEntries = 100;
}
