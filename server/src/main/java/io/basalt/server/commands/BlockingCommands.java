package io.basalt.server.commands;

import io.basalt.data.ListValue;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.blocking.Blocking;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;

import io.basalt.data.ZSetValue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking list commands (Redis's blockingPopGenericCommand / blmoveGenericCommand): BLPOP,
 * BRPOP, BRPOPLPUSH, BLMOVE and BLMPOP, and of sorted sets (blockingGenericZpopCommand): BZPOPMIN,
 * BZPOPMAX and BZMPOP. When a key holds elements they reply at once like their
 * non-blocking twins; otherwise the client is parked in {@link io.basalt.server.blocking.Blocking} until a
 * write serves it or the timeout replies the null array.
 */
public final class BlockingCommands {
    private BlockingCommands() {}

    static void register(CommandTable t) {
        t.register("blpop", (c, a) -> bpop(c, a, true));
        t.register("brpop", (c, a) -> bpop(c, a, false));
        t.register("brpoplpush", (c, a) -> {
            Long timeout = timeout(c, a, 3);
            if (timeout != null) bmove(c, a.bytes(1), a.bytes(2), false, true, timeout);
        });
        t.register("blmove", BlockingCommands::blmove);
        t.register("blmpop", BlockingCommands::blmpop);
        t.register("bzpopmin", (c, a) -> bzpop(c, a, false));
        t.register("bzpopmax", (c, a) -> bzpop(c, a, true));
        t.register("bzmpop", BlockingCommands::bzmpop);
    }

    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    /**
     * Redis's getTimeoutFromObjectOrReply in seconds: a long double times 1000, rounded up to
     * milliseconds, cast to long long (a value out of its range becomes LLONG_MIN on x86, hence
     * "negative" for huge or infinite timeouts, as redis-server 7.0 replies). Null after replying.
     */
    static Long timeout(Client c, RespRequest a, int i) {
        byte[] b = a.bytes(i);
        BigDecimal v = StringLongDouble.parse(b, 0, b.length);
        if (v == null) {
            c.error("ERR timeout is not a float or out of range");
            return null;
        }
        long ms;
        if (StringLongDouble.isInfinite(v)) {
            ms = Long.MIN_VALUE;
        } else {
            BigDecimal m = v.multiply(THOUSAND).setScale(0, RoundingMode.CEILING);
            ms = m.compareTo(LONG_MAX) > 0 || m.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0
                    ? Long.MIN_VALUE : m.longValueExact();
        }
        if (ms < 0) {
            c.error("ERR timeout is negative");
            return null;
        }
        return ms;
    }

    /** The non-empty list at {@code key}, or null (missing, empty or another type: not ready). */
    private static ListValue ready(Client c, byte[] key) {
        Object e = Generic.lookupWrite(c, key);
        return e instanceof ListValue l && l.size() > 0 ? l : null;
    }

    // ---------------------------------------------------------------- BLPOP / BRPOP / BLMPOP

    private static void bpop(Client c, RespRequest a, boolean head) {
        Long timeout = timeout(c, a, a.argc() - 1);
        if (timeout == null) return;
        pop(c, a, 1, a.argc() - 1, head, -1, timeout);
    }

    private static void blmpop(Client c, RespRequest a) {
        Long numkeys = rangeArg(c, a, 2, "ERR numkeys should be greater than 0");
        if (numkeys == null) return;
        if (numkeys > a.argc() - 4) {
            c.error(Generic.SYNTAX);
            return;
        }
        int wi = (int) (numkeys + 3);
        Boolean head = where(c, a, wi);
        if (head == null) return;
        long count = mpopCount(c, a, wi + 1);
        if (count < 0) return;
        Long timeout = timeout(c, a, 1);
        if (timeout == null) return;
        pop(c, a, 3, wi, head, count, timeout);
    }

    /**
     * Pops from the first non-empty list among arguments [from, to) or blocks on them all.
     * {@code count} -1 is BLPOP/BRPOP's [key, value] reply; otherwise BLMPOP's [key, [values]].
     */
    private static void pop(Client c, RespRequest a, int from, int to, boolean head, long count, long timeout) {
        for (int k = from; k < to; k++) {
            byte[] key = a.bytes(k);
            ListValue l = Generic.write(c, key, ListValue.class);
            if (Generic.failed(l)) return;
            if (l == null || l.size() == 0) continue;
            reply(c, key, l, head, count, c.out());
            return;
        }
        blockOn(c, a, from, to, timeout, "list", (key, out) -> {
            ListValue l = ready(c, key);
            if (l == null) return false;
            reply(c, key, l, head, count, out);
            return true;
        });
    }

    /**
     * Blocks the client on arguments [from, to) until {@code serve} pops from one of them; inside
     * MULTI/EXEC, where nothing may wait, answers at once with the timeout reply instead.
     */
    private static void blockOn(Client c, RespRequest a, int from, int to, long timeout, String type, Blocking.Serve serve) {
        if (c.denyBlocking()) {
            c.out().nullArray();
            return;
        }
        byte[][] keys = new byte[to - from][];
        for (int k = from; k < to; k++) keys[k - from] = a.bytes(k);
        c.server().dispatcher().blocking().block(c, keys, null, timeout, type, serve);
    }

    private static void reply(Client c, byte[] key, ListValue l, boolean head, long count, RespWriter out) {
        out.array(2);
        out.bulk(key);
        try (Shard.Edit ed = Generic.edit(c, key, l)) {
            if (count < 0) {
                out.bulk(l.pop(head, ed.limits()));
                c.propagate(Propagate.b(head ? "LPOP" : "RPOP"), key); // AOF: the non-blocking form
            } else {
                int n = (int) Math.min(count, l.size());
                out.array(n);
                for (int i = 0; i < n; i++) out.bulk(l.pop(head, ed.limits()));
                c.propagate(Propagate.b(head ? "LPOP" : "RPOP"), key, Propagate.number(n));
            }
        }
        ListCommands.elementsRemoved(c, key, head, l.size() == 0); // (emptied: deleted by the edit)
    }

    // ---------------------------------------------------------------- BLMOVE / BRPOPLPUSH

    private static void blmove(Client c, RespRequest a) {
        Boolean from = where(c, a, 3);
        if (from == null) return;
        Boolean to = where(c, a, 4);
        if (to == null) return;
        Long timeout = timeout(c, a, 5);
        if (timeout == null) return;
        bmove(c, a.bytes(1), a.bytes(2), from, to, timeout);
    }

    private static void bmove(Client c, byte[] src, byte[] dst, boolean fromHead, boolean toHead, long timeout) {
        ListValue sl = Generic.write(c, src, ListValue.class);
        if (Generic.failed(sl)) return;
        if (sl != null && sl.size() > 0) {
            if (Generic.failed(Generic.write(c, dst, ListValue.class))) return;
            move(c, src, dst, fromHead, toHead, c.out());
            return;
        }
        if (c.denyBlocking()) {
            // inside MULTI/EXEC: Redis answers an empty source with a null at once
            c.out().nullBulk();
            return;
        }
        c.server().dispatcher().blocking().block(c, new byte[][] {src}, dst, timeout, "list", (key, out) -> {
            if (ready(c, src) == null) return false;
            // a destination of another type by then: Redis unblocks the client with WRONGTYPE
            // and leaves the element where it was
            Object de = Generic.lookupWrite(c, dst);
            if (de != null && !(de instanceof ListValue)) {
                c.server().stats().error(Generic.WRONGTYPE);
                out.error(Generic.WRONGTYPE);
                return true;
            }
            move(c, src, dst, fromHead, toHead, out);
            return true;
        });
    }

    /** Moves one element from the non-empty list {@code src} to {@code dst}; replies it as a bulk. */
    private static void move(Client c, byte[] src, byte[] dst, boolean fromHead, boolean toHead, RespWriter out) {
        ListValue sl = (ListValue) Generic.lookupWrite(c, src);
        ListValue dl = (ListValue) Generic.lookupWrite(c, dst);
        byte[] v = ListCommands.moveElement(c, src, sl, dst, dl, fromHead, toHead);
        // AOF: the non-blocking form
        if (c.lastCommand().equals("brpoplpush")) c.propagate(Propagate.b("RPOPLPUSH"), src, dst);
        else if (out != c.out()) { // served later: Redis's shared "left"/"right" words
            c.propagate(Propagate.b("LMOVE"), src, dst, Propagate.b(fromHead ? "left" : "right"), Propagate.b(toHead ? "left" : "right"));
        } else {
            c.propagate(Propagate.b("LMOVE"), src, dst, Propagate.b(fromHead ? "LEFT" : "RIGHT"), Propagate.b(toHead ? "LEFT" : "RIGHT"));
        }
        out.bulk(v);
        ListCommands.elementsRemoved(c, src, fromHead, sl.size() == 0); // (emptied: deleted by its edit)
    }

    // ---------------------------------------------------------------- BZPOPMIN / BZPOPMAX / BZMPOP

    private static void bzpop(Client c, RespRequest a, boolean max) {
        Long timeout = timeout(c, a, a.argc() - 1);
        if (timeout == null) return;
        zpop(c, a, 1, a.argc() - 1, max, -1, timeout);
    }

    private static void bzmpop(Client c, RespRequest a) {
        Long numkeys = rangeArg(c, a, 2, "ERR numkeys should be greater than 0");
        if (numkeys == null) return;
        if (numkeys > a.argc() - 4) {
            c.error(Generic.SYNTAX);
            return;
        }
        int wi = (int) (numkeys + 3);
        boolean max;
        if (a.is(wi, "MIN")) max = false;
        else if (a.is(wi, "MAX")) max = true;
        else {
            c.error(Generic.SYNTAX);
            return;
        }
        long count = mpopCount(c, a, wi + 1);
        if (count < 0) return;
        Long timeout = timeout(c, a, 1);
        if (timeout == null) return;
        zpop(c, a, 3, wi, max, count, timeout);
    }

    /**
     * Pops from the first non-empty sorted set among arguments [from, to) or blocks on them all.
     * {@code count} -1 is BZPOPMIN/BZPOPMAX's flat [key, member, score]; otherwise BZMPOP's
     * [key, [[member, score]...]].
     */
    private static void zpop(Client c, RespRequest a, int from, int to, boolean max, long count, long timeout) {
        for (int k = from; k < to; k++) {
            byte[] key = a.bytes(k);
            ZSetValue z = Generic.write(c, key, ZSetValue.class);
            if (Generic.failed(z)) return;
            if (z == null || z.size() == 0) continue;
            zreply(c, key, z, max, count, c.out());
            return;
        }
        blockOn(c, a, from, to, timeout, "zset", (key, out) -> {
            Object e = Generic.lookupWrite(c, key);
            if (!(e instanceof ZSetValue z) || z.size() == 0) return false;
            zreply(c, key, z, max, count, out);
            return true;
        });
    }

    private static void zreply(Client c, byte[] key, ZSetValue z, boolean max, long count, RespWriter out) {
        List<byte[]> members = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        ZSetRange.pop(c, key, z, max, count < 0 ? 1 : count, members, scores);
        // AOF: the non-blocking form, popping exactly what went
        if (count < 0) c.propagate(Propagate.b(max ? "ZPOPMAX" : "ZPOPMIN"), key);
        else c.propagate(Propagate.b(max ? "ZPOPMAX" : "ZPOPMIN"), key, Propagate.number(members.size()));
        // Redis 7.0 notifies between the reply's header (and key) and its elements
        if (count < 0) {
            out.array(3);
            out.bulk(key);
            ZSetRange.popEvent(c, key, max);
            out.bulk(members.get(0));
            out.dbl(scores.get(0));
            ZSetRange.emptied(c, key, z);
            return;
        }
        out.array(2);
        out.bulk(key);
        out.array(members.size());
        ZSetRange.popEvent(c, key, max);
        for (int i = 0; i < members.size(); i++) {
            out.array(2);
            out.bulk(members.get(i));
            out.dbl(scores.get(i));
        }
        ZSetRange.emptied(c, key, z);
    }

    // ---------------------------------------------------------------- arguments

    /** LEFT / RIGHT: true for LEFT; null after replying a syntax error. */
    private static Boolean where(Client c, RespRequest a, int i) {
        if (a.is(i, "LEFT")) return Boolean.TRUE;
        if (a.is(i, "RIGHT")) return Boolean.FALSE;
        c.error(Generic.SYNTAX);
        return null;
    }

    /** A positive integer in [1, LONG_MAX], else {@code error}; null after replying. */
    /**
     * BLMPOP/BZMPOP's options after LEFT|RIGHT / MIN|MAX: at most one {@code COUNT n} (n >= 1);
     * 1 when absent, -1 after replying the error.
     */
    private static long mpopCount(Client c, RespRequest a, int from) {
        long count = -1;
        for (int j = from; j < a.argc(); j++) {
            boolean more = a.argc() - 1 - j > 0;
            if (count == -1 && a.is(j, "COUNT") && more) {
                j++;
                Long n = rangeArg(c, a, j, "ERR count should be greater than 0");
                if (n == null) return -1;
                count = n;
            } else {
                c.error(Generic.SYNTAX);
                return -1;
            }
        }
        return count == -1 ? 1 : count;
    }

    private static Long rangeArg(Client c, RespRequest a, int i, String error) {
        long v;
        try {
            v = Generic.parseLong(a, i);
        } catch (NumberFormatException e) {
            c.error(error);
            return null;
        }
        if (v < 1) {
            c.error(error);
            return null;
        }
        return v;
    }
}
