package io.basalt.server.commands;

import io.basalt.data.Glob;
import io.basalt.data.HashValue;
import io.basalt.data.Shard;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** The hash family (t_hash.c), on {@link HashValue}. */
public final class HashCommands {
    private HashCommands() {}

    public static void register(CommandTable t) {
        t.register("hset", HashCommands::hset);
        t.register("hmset", HashCommands::hmset);
        t.register("hsetnx", HashCommands::hsetnx);
        t.register("hget", HashCommands::hget);
        t.register("hmget", HashCommands::hmget);
        t.register("hgetall", HashCommands::hgetall);
        t.register("hkeys", HashCommands::hkeys);
        t.register("hvals", HashCommands::hvals);
        t.register("hdel", HashCommands::hdel);
        t.register("hlen", HashCommands::hlen);
        t.register("hstrlen", HashCommands::hstrlen);
        t.register("hexists", HashCommands::hexists);
        t.register("hincrby", HashCommands::hincrby);
        t.register("hincrbyfloat", HashCommands::hincrbyfloat);
        t.register("hrandfield", HashCommands::hrandfield);
        t.register("hscan", HashCommands::hscan);
    }

    /**
     * Sets {@code field} in the hash {@code h} at {@code key}, creating the hash if it is null
     * (and then notifying the new key); true if the field is new.
     */
    private static boolean set(Client c, byte[] key, HashValue h, byte[] field, byte[] value) {
        boolean created = h == null;
        boolean added;
        try (Shard.Edit ed = Generic.edit(c, key, h)) {
            if (created) h = ed.insert(new HashValue(key));
            added = h.set(field, value, ed.limits());
        }
        if (created) Generic.added(c, key);
        return added;
    }

    // ---------------------------------------------------------------- writes

    static void hset(Client c, RespRequest a) {
        if (a.argc() % 2 == 1) {
            c.error("ERR wrong number of arguments for 'hset' command");
            return;
        }
        long added = setPairs(c, a);
        if (added < 0) return;
        c.out().integer(added);
        Generic.changed(c, KeyspaceEvents.HASH, "hset", a.bytes(1));
    }

    static void hmset(Client c, RespRequest a) {
        if (a.argc() % 2 == 1) {
            c.error("ERR wrong number of arguments for 'hmset' command");
            return;
        }
        if (setPairs(c, a) < 0) return;
        c.out().ok();
        Generic.changed(c, KeyspaceEvents.HASH, "hset", a.bytes(1));
    }

    /** Sets the field/value pairs from argument 2 on; the count of new fields, or -1 on error. */
    private static long setPairs(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        HashValue h = Generic.write(c, key, HashValue.class);
        if (Generic.failed(h)) return -1;
        boolean created = h == null;
        long added = 0;
        try (Shard.Edit ed = Generic.edit(c, key, h)) {
            if (created) h = ed.insert(new HashValue(key));
            for (int i = 2; i < a.argc(); i += 2) {
                if (h.set(a.bytes(i), a.bytes(i + 1), ed.limits())) added++;
            }
        }
        if (created) Generic.added(c, key);
        return added;
    }

    static void hsetnx(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        HashValue h = Generic.write(c, key, HashValue.class);
        if (Generic.failed(h)) return;
        byte[] field = a.bytes(2);
        if (h != null && h.contains(field)) {
            c.out().integer(0);
            return;
        }
        set(c, key, h, field, a.bytes(3));
        c.out().integer(1);
        Generic.changed(c, KeyspaceEvents.HASH, "hset", key);
    }

    static void hdel(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        HashValue h = Generic.write(c, key, HashValue.class);
        if (Generic.failed(h)) return;
        if (h == null) {
            c.out().integer(0);
            return;
        }
        long deleted = 0;
        try (Shard.Edit ed = Generic.edit(c, key, h)) {
            for (int i = 2; i < a.argc(); i++) {
                if (h.delete(a.bytes(i))) {
                    deleted++;
                    if (h.size() == 0) break;
                }
            }
        }
        boolean removed = h.size() == 0; // the edit removed the emptied hash, as Redis does
        if (deleted > 0) {
            Generic.changed(c, KeyspaceEvents.HASH, "hdel", key);
            if (removed) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        }
        c.out().integer(deleted);
    }

    static void hincrby(Client c, RespRequest a) {
        Long incr = Generic.longArg(c, a, 3);
        if (incr == null) return;
        byte[] key = a.bytes(1);
        HashValue h = Generic.write(c, key, HashValue.class);
        if (Generic.failed(h)) return;
        byte[] field = a.bytes(2);
        long value = 0;
        byte[] old = h == null ? null : h.get(field);
        if (old != null) {
            try {
                value = Numbers.parseLong(old, 0, old.length);
            } catch (NumberFormatException e) {
                c.error("ERR hash value is not an integer");
                return;
            }
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            c.error("ERR increment or decrement would overflow");
            return;
        }
        value += incr;
        set(c, key, h, field, Numbers.toBytes(value));
        c.out().integer(value);
        Generic.changed(c, KeyspaceEvents.HASH, "hincrby", key);
    }

    static void hincrbyfloat(Client c, RespRequest a) {
        BigDecimal incr = StringLongDouble.parse(a.bytes(3), 0, a.length(3));
        if (incr == null) {
            c.error(Generic.NOT_FLOAT);
            return;
        }
        if (StringLongDouble.isInfinite(incr)) {
            c.error("ERR value is NaN or Infinity");
            return;
        }
        byte[] key = a.bytes(1);
        HashValue h = Generic.write(c, key, HashValue.class);
        if (Generic.failed(h)) return;
        byte[] field = a.bytes(2);
        BigDecimal value = BigDecimal.ZERO;
        byte[] old = h == null ? null : h.get(field);
        if (old != null) {
            value = StringLongDouble.parse(old, 0, old.length);
            if (value == null) {
                c.error("ERR hash value is not a float");
                return;
            }
        }
        BigDecimal sum = StringLongDouble.isInfinite(value) ? null : StringLongDouble.add(value, incr);
        if (sum == null) {
            c.error("ERR increment would produce NaN or Infinity");
            return;
        }
        byte[] text = StringLongDouble.format(sum);
        set(c, key, h, field, text);
        c.out().bulk(text);
        Generic.changed(c, KeyspaceEvents.HASH, "hincrbyfloat", key);
        c.propagate(Propagate.HSET, key, field, text); // AOF: the result (Redis: HSET key field value)
    }

    // ---------------------------------------------------------------- reads

    static void hget(Client c, RespRequest a) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        byte[] v = h == null ? null : h.get(a.bytes(2));
        if (v == null) c.out().nullBulk();
        else c.out().bulk(v);
    }

    static void hmget(Client c, RespRequest a) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        c.out().array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            byte[] v = h == null ? null : h.get(a.bytes(i));
            if (v == null) c.out().nullBulk();
            else c.out().bulk(v);
        }
    }

    static void hlen(Client c, RespRequest a) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        c.out().integer(h == null ? 0 : h.size());
    }

    static void hstrlen(Client c, RespRequest a) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        byte[] v = h == null ? null : h.get(a.bytes(2));
        c.out().integer(v == null ? 0 : v.length);
    }

    static void hexists(Client c, RespRequest a) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        c.out().integer(h != null && h.contains(a.bytes(2)) ? 1 : 0);
    }

    static void hgetall(Client c, RespRequest a) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        RespWriter out = c.out();
        if (h == null) {
            out.map(0);
            return;
        }
        out.map(h.size());
        h.forEach((f, v) -> {
            out.bulk(f);
            out.bulk(v);
        });
    }

    static void hkeys(Client c, RespRequest a) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        RespWriter out = c.out();
        out.array(h == null ? 0 : h.size());
        if (h != null) h.forEach((f, v) -> out.bulk(f));
    }

    static void hvals(Client c, RespRequest a) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        RespWriter out = c.out();
        out.array(h == null ? 0 : h.size());
        if (h != null) h.forEach((f, v) -> out.bulk(v));
    }

    // ---------------------------------------------------------------- HRANDFIELD

    static void hrandfield(Client c, RespRequest a) {
        if (a.argc() >= 3) {
            long l;
            try {
                l = Generic.parseLong(a, 2);
            } catch (NumberFormatException e) {
                c.error(Generic.NOT_INTEGER);
                return;
            }
            if (l == Long.MIN_VALUE) {
                c.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
                return;
            }
            boolean withValues = false;
            if (a.argc() > 4 || (a.argc() == 4 && !a.is(3, "WITHVALUES"))) {
                c.error(Generic.SYNTAX);
                return;
            } else if (a.argc() == 4) {
                withValues = true;
                if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
                    c.error("ERR value is out of range");
                    return;
                }
            }
            randomWithCount(c, a, l, withValues);
            return;
        }
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        if (h == null) c.out().nullBulk();
        else c.out().bulk(h.randomPair()[0]);
    }

    private static void randomWithCount(Client c, RespRequest a, long l, boolean withValues) {
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        RespWriter out = c.out();
        if (h == null || l == 0) {
            out.array(0);
            return;
        }
        boolean resp2 = !out.resp3();
        boolean unique = l > 0;
        long count = Math.abs(l);
        if (!unique || count == 1) {
            // with repetitions: every element drawn independently (the header is written as
            // digits: counts past 2^31 are legal, and Redis writes them as they are)
            long n = withValues && resp2 ? count * 2 : count;
            out.raw(("*" + n + "\r\n").getBytes(StandardCharsets.US_ASCII));
            // a listpack is walked linearly: index it once instead of per draw
            byte[][][] pairs = h.isListpack() && count > 1 ? h.pairs() : null;
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (long k = 0; k < count; k++) {
                byte[][] p = pairs != null ? pairs[rnd.nextInt(pairs.length)] : h.randomPair();
                reply(out, p, withValues, resp2);
            }
            return;
        }
        byte[][][] pairs = h.pairs();
        if (count >= pairs.length) {
            // the whole hash, in its own order
            replyAll(out, pairs, pairs.length, withValues, resp2);
            return;
        }
        // distinct elements: a partial Fisher-Yates shuffle picks count of them
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int n = (int) count;
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(pairs.length - i);
            byte[][] t = pairs[i];
            pairs[i] = pairs[j];
            pairs[j] = t;
        }
        replyAll(out, pairs, n, withValues, resp2);
    }

    private static void replyAll(RespWriter out, byte[][][] pairs, int n, boolean withValues, boolean resp2) {
        out.array(withValues && resp2 ? n * 2 : n);
        for (int i = 0; i < n; i++) reply(out, pairs[i], withValues, resp2);
    }

    /** One element: the field, or in RESP3 with values a [field, value] pair, flat in RESP2. */
    private static void reply(RespWriter out, byte[][] p, boolean withValues, boolean resp2) {
        if (withValues && !resp2) out.array(2);
        out.bulk(p[0]);
        if (withValues) out.bulk(p[1]);
    }

    // ---------------------------------------------------------------- HSCAN

    static void hscan(Client c, RespRequest a) {
        long cursor;
        try {
            cursor = KeyScan.parseCursor(a.bytes(2));
        } catch (NumberFormatException e) {
            c.error("ERR invalid cursor");
            return;
        }
        HashValue h = Generic.read(c, a.bytes(1), HashValue.class);
        if (Generic.failed(h)) return;
        RespWriter out = c.out();
        if (h == null) {
            out.array(2);
            out.bulk("0");
            out.array(0);
            return;
        }
        ScanOptions o = ScanOptions.parse(c, a, 3, false);
        if (o == null) return;
        long count = o.count;
        byte[] pattern = o.pattern;
        List<byte[]> items = new ArrayList<>();
        HashValue.PairVisitor collect = (f, v) -> {
            items.add(f);
            items.add(v);
        };
        long next;
        if (h.isListpack()) {
            // a compact hash is small: Redis returns all of it at once, ending the iteration
            h.forEach(collect);
            next = 0;
        } else {
            // Redis's budget: at most COUNT*10 buckets per call; its list holds fields and values
            long iterations = count > Long.MAX_VALUE / 10 ? Long.MAX_VALUE : count * 10;
            next = cursor;
            do {
                next = h.scan(next, collect);
            } while (next != 0 && iterations-- > 0 && items.size() < count);
        }
        byte[] pat = pattern;
        out.array(2);
        out.bulk(Long.toUnsignedString(next));
        int n = 0;
        if (pat != null) {
            for (int i = 0; i < items.size(); i += 2) if (Glob.match(pat, items.get(i), false)) n++;
        } else {
            n = items.size() / 2;
        }
        out.array(n * 2);
        for (int i = 0; i < items.size(); i += 2) {
            if (pat != null && !Glob.match(pat, items.get(i), false)) continue;
            out.bulk(items.get(i));
            out.bulk(items.get(i + 1));
        }
    }
}
