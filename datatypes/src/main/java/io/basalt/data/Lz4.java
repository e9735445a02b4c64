package io.basalt.data;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The LZ4 block codec of compressed string records (lz4-java). A holder class: the library, and
 * its JNI binding, load on the first value compressed, never when compression stays off.
 *
 * <p>{@link LZ4Factory#fastestInstance()} picks the JNI build, else the Unsafe-based Java one,
 * else the safe pure-Java one; the launcher enables native access and sun.misc.Unsafe on newer
 * JDKs, so the same choice runs on JDK 17 and 25. The safe decompressor checks every bound,
 * so a damaged record fails with an exception rather than reading outside the array.
 */
final class Lz4 {
    private Lz4() {}

    private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
    private static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

    /** Scratch buffers up to this size are kept per thread; larger values get a temporary one. */
    private static final int SCRATCH_KEEP = 1 << 20;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[8192]);

    static int maxCompressedLength(int len) { return COMPRESSOR.maxCompressedLength(len); }

    /** A buffer of at least {@code n} bytes, reused by the calling thread when small. */
    static byte[] scratch(int n) {
        if (n > SCRATCH_KEEP) return new byte[n];
        byte[] b = SCRATCH.get();
        if (b.length < n) {
            b = new byte[Math.max(n, Math.min(SCRATCH_KEEP, b.length * 2))];
            SCRATCH.set(b);
        }
        return b;
    }

    /** Compresses src[off, off + len) into dest from 0; returns the block's length. */
    static int compress(byte[] src, int off, int len, byte[] dest) {
        return COMPRESSOR.compress(src, off, len, dest, 0, dest.length);
    }

    /** Decompresses a block into exactly {@code len} bytes at dest[destOff]. */
    static void decompress(byte[] src, int off, int srcLen, byte[] dest, int destOff, int len) {
        int n = DECOMPRESSOR.decompress(src, off, srcLen, dest, destOff, len);
        if (n != len) throw new IllegalStateException("corrupt compressed string record");
    }
}
