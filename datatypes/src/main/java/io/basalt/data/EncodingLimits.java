package io.basalt.data;

/**
 * The thresholds at which small collections leave their compact encoding, as redis.conf names
 * them (hash-max-listpack-entries ...). The server pushes the configured values here (CONFIG SET
 * changes them at runtime, like Redis: existing values convert on their next write).
 */
public final class EncodingLimits {
    private EncodingLimits() {}

    public static volatile long hashMaxListpackEntries = 512;
    public static volatile long hashMaxListpackValue = 64;
    public static volatile long setMaxIntsetEntries = 512;
    public static volatile long zsetMaxListpackEntries = 128;
    public static volatile long zsetMaxListpackValue = 64;
    /** list-max-listpack-size: positive = entries per quicklist node, negative = node size class. */
    public static volatile long listMaxListpackSize = -2;
    public static volatile long listCompressDepth = 0;
}
