package io.basalt.server.commands;

import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;

import java.util.ArrayList;
import java.util.List;

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] over a sharded keyspace.
 *
 * <p>The cursor carries the shard index in its low bits (as many as the shard count needs) and
 * that shard's reverse-binary bucket cursor ({@code KeyTable.scan}) above them. Shards are walked
 * in index order, each to completion before the next, so Redis's guarantees carry over: a key
 * present for the whole iteration is returned at least once (each shard's own walk keeps the
 * guarantee across resizes), and the iteration ends with cursor 0. Each step locks only the shard
 * it reads.
 */
final class KeyScan {
    private KeyScan() {}

    static void scan(Client c, RespRequest a) {
        long cursor;
        try {
            cursor = parseCursor(a.bytes(1));
        } catch (NumberFormatException e) {
            c.error("ERR invalid cursor");
            return;
        }
        ScanOptions o = ScanOptions.parse(c, a, 2, true);
        if (o == null) return;
        long count = o.count;
        byte[] pattern = o.pattern;
        String type = o.type;

        Keyspace ks = c.server().keyspace();
        int db = c.db();
        int shards = ks.shardCount();
        int shardBits = Integer.numberOfTrailingZeros(shards);
        int shard = (int) (cursor & (shards - 1));
        long bucket = cursor >>> shardBits;
        // Redis's budget: at most COUNT*10 buckets visited per call
        long iterations = count > Long.MAX_VALUE / 10 ? Long.MAX_VALUE : count * 10;
        long collected = 0;
        List<byte[]> keys = new ArrayList<>();
        List<Object> step = new ArrayList<>();
        long next;
        while (true) {
            Shard s = ks.shard(shard);
            s.lock();
            try {
                if (s.size(db) == 0) {
                    bucket = 0; // nothing to return here: skip the shard at no cost
                } else {
                    step.clear();
                    do {
                        bucket = s.scan(db, bucket, step::add);
                        iterations--;
                    } while (bucket != 0 && iterations > 0 && collected + step.size() < count);
                    collected += step.size();
                    filter(c, s, db, step, pattern, type, keys);
                }
            } finally {
                s.unlock();
            }
            if (bucket == 0) {
                shard++;
                if (shard == shards) {
                    next = 0;
                    break;
                }
            }
            if (iterations <= 0 || collected >= count) {
                next = (bucket << shardBits) | shard;
                break;
            }
        }
        c.out().array(2);
        c.out().bulk(Long.toUnsignedString(next));
        c.out().array(keys.size());
        for (byte[] k : keys) c.out().bulk(k);
    }

    /**
     * Redis's filter step, in its order: pattern, then type (a lookup that counts hits/misses
     * and reaps an expired key), then expiry (an expired key is reaped and left out).
     */
    private static void filter(Client c, Shard s, int db, List<Object> step, byte[] pattern, String type,
                               List<byte[]> keys) {
        long now = c.lookupTime();
        for (Object e : step) {
            if (pattern != null && !Entries.keyMatches(e, pattern, false)) continue;
            byte[] key = Entries.key(e);
            if (type != null) {
                Object live = s.get(db, key, now);
                if (live == null) {
                    c.server().stats().keyspaceMisses.increment();
                    c.server().events().notify(io.basalt.server.pubsub.KeyspaceEvents.KEY_MISS, "keymiss", key, db);
                } else c.server().stats().keyspaceHits.increment();
                String t = live == null ? "none" : Entries.typeName(live);
                if (!t.equalsIgnoreCase(type)) continue;
                if (live == null) {
                    // already reaped by the type lookup; Redis's expiry check then finds no key
                    keys.add(key);
                    continue;
                }
            }
            if (s.get(db, key, now) == null) continue;
            keys.add(key);
        }
    }

    /**
     * The cursor as C's {@code strtoul} reads it in base 10, with Redis's extra rules: no leading
     * space, nothing after the digits, no overflow. A sign is allowed ("-1" wraps to 2^64-1) and
     * an empty string is cursor 0, exactly as Redis accepts them.
     */
    static long parseCursor(byte[] b) {
        int end = b.length;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) { // Redis reads the argument as a C string
                end = i;
                break;
            }
        }
        if (end == 0) return 0;
        int i = 0;
        if (isSpace(b[0])) throw new NumberFormatException();
        boolean neg = false;
        if (b[i] == '+' || b[i] == '-') {
            neg = b[i] == '-';
            i++;
        }
        if (i == end) throw new NumberFormatException(); // a lone sign: no conversion
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) throw new NumberFormatException();
            // unsigned overflow check: v * 10 + d must stay below 2^64
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) throw new NumberFormatException();
            long t = v * 10;
            long r = t + d;
            if (Long.compareUnsigned(r, t) < 0) throw new NumberFormatException();
            v = r;
        }
        return neg ? -v : v;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
