package io.basalt.server.commands;

import io.basalt.data.Glob;
import io.basalt.data.ZSetValue;
import io.basalt.resp.Doubles;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** ZRANDMEMBER and ZSCAN. */
final class ZSetRandom {
    private ZSetRandom() {}

    static void zrandmember(Client c, RespRequest a) {
        if (a.argc() >= 3) {
            long l;
            try {
                l = Numbers.parseLong(a.buffer(), a.offset(2), a.length(2));
            } catch (NumberFormatException e) {
                c.error(Generic.NOT_INTEGER);
                return;
            }
            if (l == Long.MIN_VALUE) {
                c.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
                return;
            }
            boolean withScores = false;
            if (a.argc() > 4 || (a.argc() == 4 && !a.is(3, "WITHSCORES"))) {
                c.error(Generic.SYNTAX);
                return;
            } else if (a.argc() == 4) {
                withScores = true;
                // the reply would hold 2*count entries
                if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
                    c.error("ERR value is out of range");
                    return;
                }
            }
            withCount(c, a, l, withScores);
            return;
        }
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        if (z == null) {
            c.out().nullBulk();
            return;
        }
        int r = ThreadLocalRandom.current().nextInt(z.size());
        z.walk(r, r, false, (m, s) -> c.out().bulk(m));
    }

    private static void withCount(Client c, RespRequest a, long l, boolean withScores) {
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        if (z == null || l == 0) {
            c.out().array(0);
            return;
        }
        int size = z.size();
        List<byte[]> members = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (l < 0) {
            // repetitions allowed: -count independent picks
            long count = -l;
            RespWriter out = c.out();
            if (withScores && !out.resp3()) out.array(count * 2 > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) (count * 2));
            else out.array((int) Math.min(count, Integer.MAX_VALUE));
            for (long k = 0; k < count; k++) {
                int r = rnd.nextInt(size);
                z.walk(r, r, false, (m, s) -> {
                    if (withScores && out.resp3()) out.array(2);
                    out.bulk(m);
                    if (withScores) out.dbl(s);
                });
            }
            return;
        }
        if (l >= size) {
            // the whole set, highest first: Redis 7.0 serves this case with a reversed
            // by-score range
            z.walk(0, size - 1, true, (m, s) -> {
                members.add(m);
                scores.add(s);
            });
        } else {
            // a random subset of distinct ranks: partial Fisher-Yates over the rank indexes
            int count = (int) l;
            int[] ranks = new int[size];
            for (int i = 0; i < size; i++) ranks[i] = i;
            for (int i = 0; i < count; i++) {
                int k = i + rnd.nextInt(size - i);
                int t = ranks[i];
                ranks[i] = ranks[k];
                ranks[k] = t;
            }
            // in set order, as Redis samples listpacks (the skiplist case has no defined order)
            Arrays.sort(ranks, 0, count);
            for (int i = 0; i < count; i++) {
                z.walk(ranks[i], ranks[i], false, (m, s) -> {
                    members.add(m);
                    scores.add(s);
                });
            }
        }
        ZSetCommands.replyEntries(c, members, scores, withScores);
    }

    static void zscan(Client c, RespRequest a) {
        try {
            KeyScan.parseCursor(a.bytes(2));
        } catch (NumberFormatException e) {
            c.error("ERR invalid cursor");
            return;
        }
        ZSetValue z = Generic.read(c, a.bytes(1), ZSetValue.class);
        if (Generic.failed(z)) return;
        if (z == null) {
            c.out().array(2);
            c.out().bulk("0");
            c.out().array(0);
            return;
        }
        ScanOptions o = ScanOptions.parse(c, a, 3, false);
        if (o == null) return;
        byte[] pattern = o.pattern;
        // The whole set in one reply, cursor 0: always within SCAN's guarantees (every member
        // present throughout is returned, none twice), and what Redis does for listpacks.
        List<byte[]> members = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        final byte[] pat = pattern;
        if (z.size() > 0) {
            z.walk(0, z.size() - 1, false, (m, s) -> {
                if (pat != null && !Glob.match(pat, m, false)) return;
                members.add(m);
                scores.add(s);
            });
        }
        RespWriter out = c.out();
        out.array(2);
        out.bulk("0");
        out.array(members.size() * 2);
        for (int i = 0; i < members.size(); i++) {
            out.bulk(members.get(i));
            // scores as Redis's d2string text, a bulk string even in RESP3
            out.bulk(Doubles.format17g(scores.get(i)).getBytes(StandardCharsets.US_ASCII));
        }
    }
}
