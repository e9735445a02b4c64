package io.basalt.server.admin;

import io.basalt.data.Entries;
import io.basalt.data.HashValue;
import io.basalt.data.Keyspace;
import io.basalt.data.ListValue;
import io.basalt.data.SetValue;
import io.basalt.data.StreamValue;
import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.data.ZSetValue;
import io.basalt.resp.Doubles;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE with Redis's algorithm (debug.c), so the same data has the
 * same digest on Basalt and on redis-server: operators and tools (redis-cli --cluster on BUSYKEY,
 * replication checks) compare datasets across the two. A key's digest mixes (order-preserving
 * SHA1 chaining) its name, its type and its value; unordered collections XOR their elements'
 * digests; the dataset's digest XORs every key's, after mixing in each non-empty database's id.
 */
final class DebugDigest {
    private static final int TYPE_STRING = 0;
    private static final int TYPE_LIST = 1;
    private static final int TYPE_SET = 2;
    private static final int TYPE_ZSET = 3;
    private static final int TYPE_HASH = 4;
    private static final int TYPE_STREAM = 6;
    private static final byte[] EXPIRE = "!!expire!!".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest sha1;

    DebugDigest() {
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** computeDatasetDigest: every key of every database; the caller holds every shard lock. */
    byte[] dataset(Keyspace ks) {
        byte[] fin = new byte[20];
        for (int db = 0; db < ks.databases(); db++) {
            if (ks.size(db) == 0) continue;
            mix(fin, int32(db));
            for (int s = 0; s < ks.shardCount(); s++) {
                Shard shard = ks.shard(s);
                shard.forEach(db, e -> {
                    byte[] d = new byte[20];
                    mix(d, Entries.key(e));
                    value(d, e);
                    xor(fin, sha(d, 0, 20));
                });
            }
        }
        return fin;
    }

    /** xorObjectDigest of one entry (DIGEST-VALUE): 20 zero bytes for a missing key. */
    byte[] key(Object e) {
        byte[] d = new byte[20];
        if (e != null) value(d, e);
        return d;
    }

    /** xorObjectDigest: the type, the value, and whether it has a TTL. */
    private void value(byte[] d, Object e) {
        if (e instanceof byte[] stored) {
            mix(d, int32(TYPE_STRING));
            byte[] r = StringRecord.plain(stored);
            mix(d, r, StringRecord.valueOffset(r), StringRecord.valueLength(r));
        } else if (e instanceof ListValue l) {
            mix(d, int32(TYPE_LIST));
            if (l.size() > 0) l.forEach(0, l.size() - 1, false, (b, off, n) -> {
                mix(d, b, off, n);
                return true;
            });
        } else if (e instanceof SetValue s) {
            mix(d, int32(TYPE_SET));
            s.forEachMember(m -> xor(d, sha(m, 0, m.length)));
        } else if (e instanceof ZSetValue z) {
            mix(d, int32(TYPE_ZSET));
            if (z.size() > 0) z.walk(0, z.size() - 1, false, (m, score) -> {
                byte[] el = new byte[20];
                mix(el, m);
                mix(el, Doubles.format17g(score).getBytes(StandardCharsets.US_ASCII));
                xor(d, sha(el, 0, 20));
            });
        } else if (e instanceof HashValue h) {
            mix(d, int32(TYPE_HASH));
            h.forEach((f, v) -> {
                byte[] el = new byte[20];
                mix(el, f);
                mix(el, v);
                xor(d, sha(el, 0, 20));
            });
        } else if (e instanceof StreamValue st) {
            // every entry in order: its id as "ms.seq" (unsigned), then its fields and values
            mix(d, int32(TYPE_STREAM));
            StreamValue.Iter it = st.iterator(null, null, false);
            while (it.next()) {
                mix(d, (Long.toUnsignedString(it.id().ms()) + "." + Long.toUnsignedString(it.id().seq()))
                        .getBytes(StandardCharsets.US_ASCII));
                for (byte[] fv : it.fields()) mix(d, fv);
            }
        } else {
            throw new IllegalArgumentException("no digest for " + e.getClass().getSimpleName());
        }
        if (Entries.expireAt(e) >= 0) xor(d, sha(EXPIRE, 0, EXPIRE.length));
    }

    /** Redis's htonl(n) as the 4 bytes hashed. */
    private static byte[] int32(int n) {
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    private byte[] sha(byte[] b, int off, int len) {
        sha1.reset();
        sha1.update(b, off, len);
        return sha1.digest();
    }

    /** The XOR half of Redis's xorDigest (digest ^= SHA1(data)): callers pass the SHA1. */
    private static void xor(byte[] digest, byte[] hash) {
        for (int j = 0; j < 20; j++) digest[j] ^= hash[j];
    }

    private void mix(byte[] digest, byte[] b) { mix(digest, b, 0, b.length); }

    /** mixDigest: digest = SHA1(digest ^ SHA1(data)), which keeps the order of what is mixed. */
    private void mix(byte[] digest, byte[] b, int off, int len) {
        xor(digest, sha(b, off, len));
        byte[] next = sha(digest, 0, 20);
        System.arraycopy(next, 0, digest, 0, 20);
    }

    static String hex(byte[] d) { return java.util.HexFormat.of().formatHex(d); }
}
