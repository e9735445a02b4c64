package io.basalt.server.commands;

import io.basalt.data.Shard;
import io.basalt.data.ZSetValue;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;

import java.util.ArrayList;
import java.util.List;

/**
 * The sorted-set family (Redis's t_zset.c), except the blocking BZPOPMIN/BZPOPMAX/BZMPOP.
 * Argument checks run in Redis's order (options, then numbers, then the key lookup), so the
 * same malformed command gets the same error as on Redis.
 */
public final class ZSetCommands {
    private ZSetCommands() {}

    public static void register(CommandTable t) {
        t.register("zadd", ZSetCommands::zadd);
        t.register("zincrby", ZSetCommands::zincrby);
        t.register("zrem", ZSetCommands::zrem);
        t.register("zcard", ZSetCommands::zcard);
        t.register("zscore", ZSetCommands::zscore);
        t.register("zmscore", ZSetCommands::zmscore);
        t.register("zrank", (c, a) -> zrank(c, a, false));
        t.register("zrevrank", (c, a) -> zrank(c, a, true));
        t.register("zcount", ZSetCommands::zcount);
        t.register("zlexcount", ZSetCommands::zlexcount);
        t.register("zrange", (c, a) -> ZSetRange.range(c, a, 1, null, ZSetRange.AUTO, null));
        t.register("zrangestore", (c, a) -> ZSetRange.range(c, a, 2, a.bytes(1), ZSetRange.AUTO, null));
        t.register("zrevrange", (c, a) -> ZSetRange.range(c, a, 1, null, ZSetRange.RANK, true));
        t.register("zrangebyscore", (c, a) -> ZSetRange.range(c, a, 1, null, ZSetRange.SCORE, false));
        t.register("zrevrangebyscore", (c, a) -> ZSetRange.range(c, a, 1, null, ZSetRange.SCORE, true));
        t.register("zrangebylex", (c, a) -> ZSetRange.range(c, a, 1, null, ZSetRange.LEX, false));
        t.register("zrevrangebylex", (c, a) -> ZSetRange.range(c, a, 1, null, ZSetRange.LEX, true));
        t.register("zremrangebyrank", (c, a) -> ZSetRange.remRange(c, a, ZSetRange.RANK));
        t.register("zremrangebyscore", (c, a) -> ZSetRange.remRange(c, a, ZSetRange.SCORE));
        t.register("zremrangebylex", (c, a) -> ZSetRange.remRange(c, a, ZSetRange.LEX));
        t.register("zpopmin", (c, a) -> ZSetRange.zpop(c, a, false));
        t.register("zpopmax", (c, a) -> ZSetRange.zpop(c, a, true));
        t.register("zmpop", ZSetRange::zmpop);
        t.register("zrandmember", ZSetRandom::zrandmember);
        t.register("zscan", ZSetRandom::zscan);
        t.register("zunion", (c, a) -> ZSetAlgebra.run(c, a, 1, null, ZSetAlgebra.UNION, false, "zunion"));
        t.register("zinter", (c, a) -> ZSetAlgebra.run(c, a, 1, null, ZSetAlgebra.INTER, false, "zinter"));
        t.register("zdiff", (c, a) -> ZSetAlgebra.run(c, a, 1, null, ZSetAlgebra.DIFF, false, "zdiff"));
        t.register("zunionstore", (c, a) -> ZSetAlgebra.run(c, a, 2, a.bytes(1), ZSetAlgebra.UNION, false, "zunionstore"));
        t.register("zinterstore", (c, a) -> ZSetAlgebra.run(c, a, 2, a.bytes(1), ZSetAlgebra.INTER, false, "zinterstore"));
        t.register("zdiffstore", (c, a) -> ZSetAlgebra.run(c, a, 2, a.bytes(1), ZSetAlgebra.DIFF, false, "zdiffstore"));
        t.register("zintercard", (c, a) -> ZSetAlgebra.run(c, a, 1, null, ZSetAlgebra.INTER, true, "zintercard"));
    }

    // ------------------------------------------------------------------ ZADD / ZINCRBY

    static void zadd(Client c, RespRequest a) { zaddGeneric(c, a, false); }

    static void zincrby(Client c, RespRequest a) { zaddGeneric(c, a, true); }

    private static void zaddGeneric(Client c, RespRequest a, boolean incrCommand) {
        boolean nx = false, xx = false, gt = false, lt = false, ch = false, incr = incrCommand;
        int idx = 2;
        if (!incrCommand) {
            for (; idx < a.argc(); idx++) {
                if (a.is(idx, "NX")) nx = true;
                else if (a.is(idx, "XX")) xx = true;
                else if (a.is(idx, "CH")) ch = true;
                else if (a.is(idx, "INCR")) incr = true;
                else if (a.is(idx, "GT")) gt = true;
                else if (a.is(idx, "LT")) lt = true;
                else break;
            }
        }
        int elements = a.argc() - idx;
        if (elements % 2 != 0 || elements == 0) {
            c.error(Generic.SYNTAX);
            return;
        }
        elements /= 2;
        if (nx && xx) {
            c.error("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            c.error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (incr && elements > 1) {
            c.error("ERR INCR option supports a single increment-element pair");
            return;
        }
        double[] scores = new double[elements];
        for (int j = 0; j < elements; j++) {
            Double d = ZSetParsing.parseScore(a.bytes(idx + 2 * j));
            if (d == null) {
                c.error(Generic.NOT_FLOAT);
                return;
            }
            scores[j] = d;
        }
        byte[] key = a.bytes(1);
        ZSetValue z = Generic.write(c, key, ZSetValue.class);
        if (Generic.failed(z)) return;
        long added = 0, updated = 0, processed = 0;
        double score = 0;
        if (z == null && xx) {
            replyZadd(c, incr, ch, processed, score, added, updated);
            return;
        }
        try (Shard.Edit ed = Generic.edit(c, key, z)) {
            if (z == null) {
                // Redis 7.0 picks the encoding from the first member only; later inserts convert
                z = ed.insert(ZSetValue.create(key, 1, a.length(idx + 1), ed.limits()));
                Generic.added(c, key);
            }
            for (int j = 0; j < elements; j++) {
                byte[] member = a.bytes(idx + 2 * j + 1);
                double s = scores[j];
                Double cur = z.score(member);
                if (cur != null) {
                    if (nx) continue;
                    if (incr) {
                        s += cur;
                        if (Double.isNaN(s)) {
                            c.error("ERR resulting score is not a number (NaN)");
                            return;
                        }
                    }
                    if ((lt && s >= cur) || (gt && s <= cur)) continue;
                    score = s;
                    processed++;
                    if (s != cur) {
                        z.put(member, s, ed.limits());
                        updated++;
                    }
                } else {
                    if (xx) continue;
                    z.put(member, s, ed.limits());
                    score = s;
                    added++;
                    processed++;
                }
            }
        }
        replyZadd(c, incr, ch, processed, score, added, updated);
        if (added + updated > 0) Generic.changed(c, KeyspaceEvents.ZSET, incr ? "zincr" : "zadd", key);
    }

    private static void replyZadd(Client c, boolean incr, boolean ch, long processed, double score,
                                  long added, long updated) {
        if (incr) {
            if (processed > 0) c.out().dbl(score);
            else c.out().nullBulk();
        } else {
            c.out().integer(ch ? added + updated : added);
        }
    }

    // ------------------------------------------------------------------ simple reads/removes

    static void zrem(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        ZSetValue z = Generic.write(c, key, ZSetValue.class);
        if (Generic.failed(z)) return;
        if (z == null) {
            c.out().integer(0);
            return;
        }
        long deleted = 0;
        try (Shard.Edit ed = Generic.edit(c, key, z)) {
            for (int i = 2; i < a.argc(); i++) {
                if (z.remove(a.bytes(i))) {
                    deleted++;
                    if (z.size() == 0) break;
                }
            }
        }
        if (deleted > 0) {
            c.notifyKeyspaceEvent(KeyspaceEvents.ZSET, "zrem", key);
            if (z.size() == 0) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
            c.signalModified(key);
        }
        c.out().integer(deleted);
    }

    static void zcard(Client c, RespRequest a) {
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        c.out().integer(z == null ? 0 : z.size());
    }

    static void zscore(Client c, RespRequest a) {
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        Double s = z == null ? null : z.score(a.bytes(2));
        if (s == null) c.out().nullBulk();
        else c.out().dbl(s);
    }

    static void zmscore(Client c, RespRequest a) {
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        c.out().array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            Double s = z == null ? null : z.score(a.bytes(i));
            if (s == null) c.out().nullBulk();
            else c.out().dbl(s);
        }
    }

    static void zrank(Client c, RespRequest a, boolean rev) {
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        long r = z == null ? -1 : z.rank(a.bytes(2));
        if (r < 0) c.out().nullBulk();
        else c.out().integer(rev ? z.size() - 1 - r : r);
    }

    static void zcount(Client c, RespRequest a) {
        ZSetParsing.ScoreRange r = ZSetParsing.parseRange(a.bytes(2), a.bytes(3));
        if (r == null) {
            c.error("ERR min or max is not a float");
            return;
        }
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        if (z == null) {
            c.out().integer(0);
            return;
        }
        int[] span = scoreSpan(z, r);
        c.out().integer(Math.max(0, span[1] - span[0] + 1));
    }

    static void zlexcount(Client c, RespRequest a) {
        ZSetParsing.LexRange r = ZSetParsing.parseLexRange(a.bytes(2), a.bytes(3));
        if (r == null) {
            c.error("ERR min or max not valid string range item");
            return;
        }
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        if (z == null) {
            c.out().integer(0);
            return;
        }
        int[] span = lexSpan(z, r);
        c.out().integer(Math.max(0, span[1] - span[0] + 1));
    }

    /** The ranks [first, last] of the entries inside a score range (last < first when none). */
    static int[] scoreSpan(ZSetValue z, ZSetParsing.ScoreRange r) {
        int first = z.countBelow(r.min, r.minex);
        int last = z.countBelow(r.max, !r.maxex) - 1;
        return new int[]{first, last};
    }

    static int[] lexSpan(ZSetValue z, ZSetParsing.LexRange r) {
        int first = z.countBelowLex(r.min, r.minex, r.minPlus);
        int last = z.countBelowLex(r.max, !r.maxex, r.maxPlus) - 1;
        return new int[]{first, last};
    }

    // ------------------------------------------------------------------ replies

    /** Writes members (and scores) in Redis's shape: RESP3 pairs nest, RESP2 is flat. */
    static void replyEntries(Client c, List<byte[]> members, List<Double> scores, boolean withScores) {
        int n = members.size();
        entriesHeader(c, n, withScores);
        for (int i = 0; i < n; i++) entry(c, members.get(i), scores.get(i), withScores);
    }

    /** The array header of a reply of {@code n} members (with their scores: pairs in RESP3). */
    static void entriesHeader(Client c, int n, boolean withScores) {
        RespWriter out = c.out();
        if (withScores && !out.resp3()) out.array(n * 2);
        else out.array(n);
    }

    /** One member of such a reply. */
    static void entry(Client c, byte[] member, double score, boolean withScores) {
        RespWriter out = c.out();
        if (withScores && out.resp3()) out.array(2);
        out.bulk(member);
        if (withScores) out.dbl(score);
    }
}
