package io.basalt.server.commands;

import io.basalt.data.ZSetSource;
import io.basalt.data.ZSetValue;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ZUNION/ZINTER/ZDIFF, their STORE forms and ZINTERCARD (Redis's zunionInterDiffGenericCommand):
 * same argument order and errors, same float rules (weight * score and sums that give NaN become
 * 0), results ordered by (score, member) as Redis's temporary skiplist orders them.
 */
final class ZSetAlgebra {
    private ZSetAlgebra() {}

    static final int UNION = 0, INTER = 1, DIFF = 2;
    private static final int SUM = 0, MIN = 1, MAX = 2;

    /**
     * One input and its weight: a sorted set, a plain set (every member scored 1, as Redis
     * reads sets here), or neither when the key is missing.
     */
    private static final class Src {
        ZSetValue z;
        ZSetSource set;
        double weight = 1;

        int size() { return z != null ? z.size() : set != null ? set.memberCount() : 0; }

        /** The member's score in this input, or null. */
        Double score(byte[] m) {
            if (z != null) return z.score(m);
            if (set != null) return set.hasMember(m) ? 1.0 : null;
            return null;
        }

        void forEach(ZSetValue.Visitor v) {
            if (z != null) {
                if (z.size() > 0) z.walk(0, z.size() - 1, false, v);
            } else if (set != null) {
                set.forEachMember(m -> v.visit(m, 1.0));
            }
        }

        boolean sameAs(Src o) { return (z != null && z == o.z) || (set != null && set == o.set); }
    }

    /**
     * @param numIdx  index of numkeys (1, or 2 for the STORE forms)
     * @param dst     destination for the STORE forms, else null
     * @param card    ZINTERCARD
     */
    static void run(Client c, RespRequest a, int numIdx, byte[] dst, int op, boolean card, String name) {
        Long n = Generic.longArg(c, a, numIdx);
        if (n == null) return;
        long setnum = n;
        if (setnum < 1) {
            c.error("ERR at least 1 input key is needed for '" + name + "' command");
            return;
        }
        if (setnum > a.argc() - (numIdx + 1)) {
            c.error(Generic.SYNTAX);
            return;
        }
        Src[] src = new Src[(int) setnum];
        int j = numIdx + 1;
        for (int i = 0; i < setnum; i++, j++) {
            byte[] key = a.bytes(j);
            // the STORE forms too read their sources with lookupKeyRead (misses, "keymiss"), as Redis 7.0
            Object e = Generic.lookupRead(c, key);
            src[i] = new Src();
            if (e instanceof ZSetValue) {
                src[i].z = (ZSetValue) e;
            } else if (e instanceof ZSetSource) {
                src[i].set = (ZSetSource) e;
            } else if (e != null) {
                c.error(Generic.WRONGTYPE);
                return;
            }
        }
        int aggregate = SUM;
        boolean withScores = false;
        long limit = 0;
        int remaining = a.argc() - j;
        while (remaining > 0) {
            if (op != DIFF && !card && remaining >= setnum + 1 && a.is(j, "WEIGHTS")) {
                j++;
                remaining--;
                for (int i = 0; i < setnum; i++, j++, remaining--) {
                    Double w = ZSetParsing.parseScore(a.bytes(j));
                    if (w == null) {
                        c.error("ERR weight value is not a float");
                        return;
                    }
                    src[i].weight = w;
                }
            } else if (op != DIFF && !card && remaining >= 2 && a.is(j, "AGGREGATE")) {
                j++;
                remaining--;
                if (a.is(j, "SUM")) aggregate = SUM;
                else if (a.is(j, "MIN")) aggregate = MIN;
                else if (a.is(j, "MAX")) aggregate = MAX;
                else {
                    c.error(Generic.SYNTAX);
                    return;
                }
                j++;
                remaining--;
            } else if (remaining >= 1 && dst == null && !card && a.is(j, "WITHSCORES")) {
                j++;
                remaining--;
                withScores = true;
            } else if (card && remaining >= 2 && a.is(j, "LIMIT")) {
                j++;
                remaining--;
                long l;
                try {
                    l = Generic.parseLong(a, j);
                } catch (NumberFormatException e) {
                    l = -1;
                }
                if (l < 0) {
                    c.error("ERR LIMIT can't be negative");
                    return;
                }
                limit = l;
                j++;
                remaining--;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }

        Map<ByteBuffer, double[]> result = new LinkedHashMap<>();
        if (op == UNION || op == INTER) {
            // smallest first, as Redis sorts its inputs (a stable sort, like glibc's qsort here)
            Arrays.sort(src, Comparator.comparingInt(Src::size));
        }
        if (op == INTER) {
            if (src[0].size() > 0) {
                long[] found = {0};
                final int agg = aggregate;
                final long lim = limit;
                src[0].forEach((m, s) -> {
                    if (card && lim > 0 && found[0] >= lim) return;
                    double score = src[0].weight * s;
                    if (Double.isNaN(score)) score = 0;
                    for (int k = 1; k < src.length; k++) {
                        Double v = src[k].sameAs(src[0]) ? (Double) s : src[k].score(m);
                        if (v == null) return;
                        score = aggregate(score, v * src[k].weight, agg);
                    }
                    found[0]++;
                    if (!card) result.put(ByteBuffer.wrap(m), new double[]{score});
                });
                if (card) {
                    c.out().integer(found[0]);
                    return;
                }
            } else if (card) {
                c.out().integer(0);
                return;
            }
        } else if (op == UNION) {
            final int agg = aggregate;
            for (Src s : src) {
                if (s.size() == 0) continue;
                s.forEach((m, sc) -> {
                    double score = s.weight * sc;
                    if (Double.isNaN(score)) score = 0;
                    double[] cur = result.get(ByteBuffer.wrap(m));
                    if (cur == null) result.put(ByteBuffer.wrap(m), new double[]{score});
                    else cur[0] = aggregate(cur[0], score, agg);
                });
            }
        } else if (src[0].size() > 0) {
            src[0].forEach((m, s) -> {
                for (int k = 1; k < src.length; k++) {
                    if (src[k].score(m) != null) return;
                }
                result.put(ByteBuffer.wrap(m), new double[]{s});
            });
        }

        // order by (score, member bytes), as the skiplist Redis builds the result in
        List<Map.Entry<ByteBuffer, double[]>> sorted = new ArrayList<>(result.entrySet());
        sorted.sort((x, y) -> {
            int cmp = Double.compare(x.getValue()[0], y.getValue()[0]);
            if (x.getValue()[0] == y.getValue()[0]) cmp = 0; // -0.0 and 0.0 tie, as in C
            if (cmp != 0) return cmp;
            return Arrays.compareUnsigned(x.getKey().array(), y.getKey().array());
        });
        List<byte[]> members = new ArrayList<>(sorted.size());
        List<Double> scores = new ArrayList<>(sorted.size());
        for (Map.Entry<ByteBuffer, double[]> e : sorted) {
            members.add(e.getKey().array());
            scores.add(e.getValue()[0]);
        }
        if (dst == null) {
            ZSetCommands.replyEntries(c, members, scores, withScores);
        } else {
            ZSetRange.store(c, dst, members, scores, name);
        }
    }

    /** Redis zunionInterAggregate (MIN/MAX keep the target when val is NaN, as C compares). */
    private static double aggregate(double target, double val, int aggregate) {
        switch (aggregate) {
            case SUM:
                double s = target + val;
                return Double.isNaN(s) ? 0.0 : s;
            case MIN:
                return val < target ? val : target;
            default:
                return val > target ? val : target;
        }
    }
}
