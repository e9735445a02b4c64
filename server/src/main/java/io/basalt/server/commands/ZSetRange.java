package io.basalt.server.commands;

import io.basalt.data.Shard;
import io.basalt.data.ZSetValue;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;

import java.util.ArrayList;
import java.util.List;

/**
 * Range reads and removals: Redis's zrangeGenericCommand (ZRANGE and its legacy spellings,
 * ZRANGESTORE), ZREMRANGEBY*, ZPOPMIN/ZPOPMAX and ZMPOP. Every range is turned into an interval
 * of ranks, then walked in either direction.
 */
final class ZSetRange {
    private ZSetRange() {}

    static final int AUTO = 0, RANK = 1, SCORE = 2, LEX = 3;

    /**
     * @param keyIdx  index of the source key (1, or 2 for ZRANGESTORE)
     * @param dst     ZRANGESTORE's destination, null otherwise
     * @param type    AUTO for ZRANGE/ZRANGESTORE (BYSCORE/BYLEX allowed), else fixed
     * @param rev     null when REV may be given (ZRANGE), else the command's fixed direction
     */
    static void range(Client c, RespRequest a, int keyIdx, byte[] dst, int type, Boolean rev) {
        int minIdx = keyIdx + 1, maxIdx = keyIdx + 2;
        boolean withScores = false;
        long offset = 0, limit = -1;
        boolean reverse = rev != null && rev;
        boolean dirGiven = rev != null;
        for (int j = keyIdx + 3; j < a.argc(); j++) {
            int left = a.argc() - j - 1;
            if (dst == null && a.is(j, "WITHSCORES")) {
                withScores = true;
            } else if (a.is(j, "LIMIT") && left >= 2) {
                Long o = Generic.longArg(c, a, j + 1);
                if (o == null) return;
                Long l = Generic.longArg(c, a, j + 2);
                if (l == null) return;
                offset = o;
                limit = l;
                j += 2;
            } else if (!dirGiven && a.is(j, "REV")) {
                dirGiven = true;
                reverse = true;
            } else if (type == AUTO && a.is(j, "BYLEX")) {
                type = LEX;
            } else if (type == AUTO && a.is(j, "BYSCORE")) {
                type = SCORE;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        if (type == AUTO) type = RANK;
        if (limit != -1 && type == RANK) {
            c.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
            return;
        }
        if (withScores && type == LEX) {
            c.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
            return;
        }
        if (reverse && type != RANK) {
            // the range is given as max, min
            int t = minIdx;
            minIdx = maxIdx;
            maxIdx = t;
        }
        long start = 0, end = 0;
        ZSetParsing.ScoreRange sr = null;
        ZSetParsing.LexRange lr = null;
        if (type == RANK) {
            Long s = Generic.longArg(c, a, minIdx);
            if (s == null) return;
            Long e = Generic.longArg(c, a, maxIdx);
            if (e == null) return;
            start = s;
            end = e;
        } else if (type == SCORE) {
            sr = ZSetParsing.parseRange(a.bytes(minIdx), a.bytes(maxIdx));
            if (sr == null) {
                c.error("ERR min or max is not a float");
                return;
            }
        } else {
            lr = ZSetParsing.parseLexRange(a.bytes(minIdx), a.bytes(maxIdx));
            if (lr == null) {
                c.error("ERR min or max not valid string range item");
                return;
            }
        }
        byte[] key = a.bytes(keyIdx);
        ZSetValue z = Generic.read(c, key, ZSetValue.class);
        if (Generic.failed(z)) return;

        int first = 0, last = -1;
        if (z != null) {
            if (type == RANK) {
                long len = z.size();
                if (start < 0) start += len;
                if (end < 0) end += len;
                if (start < 0) start = 0;
                if (start > end || start >= len) {
                    first = 0;
                    last = -1;
                } else {
                    if (end >= len) end = len - 1;
                    if (reverse) {
                        first = (int) (len - 1 - end);
                        last = (int) (len - 1 - start);
                    } else {
                        first = (int) start;
                        last = (int) end;
                    }
                }
            } else {
                int[] span = type == SCORE ? ZSetCommands.scoreSpan(z, sr) : ZSetCommands.lexSpan(z, lr);
                first = span[0];
                last = span[1];
                // LIMIT: a negative offset matches nothing, a negative count means all
                if (offset < 0) {
                    last = first - 1;
                } else if (first <= last) {
                    long count = (long) last - first + 1;
                    long skip = Math.min(offset, count);
                    long take = limit < 0 ? count - skip : Math.min(limit, count - skip);
                    if (reverse) {
                        last = (int) (last - skip);
                        first = (int) (last - take + 1);
                    } else {
                        first = (int) (first + skip);
                        last = (int) (first + take - 1);
                    }
                }
            }
        }
        if (dst == null) {
            // the size is known: members go straight from the tree to the reply
            boolean ws = withScores;
            ZSetCommands.entriesHeader(c, Math.max(0, last - first + 1), ws);
            if (first <= last) z.walk(first, last, reverse, (m, s) -> ZSetCommands.entry(c, m, s, ws));
            return;
        }
        List<byte[]> members = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        if (first <= last) {
            z.walk(first, last, reverse, (m, s) -> {
                members.add(m);
                scores.add(s);
            });
        }
        store(c, dst, members, scores, "zrangestore");
    }

    /**
     * Writes a computed result to dst (replacing whatever is there), or deletes dst if empty, and
     * replies its size; notifies {@code event} (or "del" when an existing dst is deleted) after
     * the reply, as Redis's STORE forms (a RESP3 client subscribed to its own events sees the
     * same order).
     */
    static void store(Client c, byte[] dst, List<byte[]> members, List<Double> scores, String event) {
        store(c, dst, members, scores, event, false);
    }

    /**
     * {@link #store}, with the events before the reply when {@code eventsFirst} (GEORADIUS's and
     * GEOSEARCHSTORE's order in Redis 7.0: they notify, then reply).
     */
    static void store(Client c, byte[] dst, List<byte[]> members, List<Double> scores, String event,
                      boolean eventsFirst) {
        Shard s = c.server().keyspace().shardOf(dst);
        if (members.isEmpty()) {
            if (!eventsFirst) c.out().integer(0);
            // Redis's dbDelete: even an expired dst is deleted (a "del", not an expiry)
            if (s.remove(c.db(), dst) != null) Generic.changed(c, KeyspaceEvents.GENERIC, "del", dst);
            if (eventsFirst) c.out().integer(0);
            return;
        }
        // Redis's setKey looks dst up: an expired one is reaped first, and dst is then new
        boolean existed = Generic.lookupWrite(c, dst) != null;
        long maxLen = 0;
        for (byte[] m : members) maxLen = Math.max(maxLen, m.length);
        ZSetValue z = ZSetValue.create(dst, members.size(), maxLen, Generic.limits(c));
        for (int i = 0; i < members.size(); i++) z.put(members.get(i).clone(), scores.get(i), Generic.limits(c));
        s.put(c.db(), dst, z);
        if (!existed) Generic.added(c, dst);
        c.signalModified(dst);
        if (!eventsFirst) c.out().integer(members.size());
        c.notifyKeyspaceEvent(KeyspaceEvents.ZSET, event, dst);
        if (eventsFirst) c.out().integer(members.size());
    }

    // ------------------------------------------------------------------ ZREMRANGEBY*

    static void remRange(Client c, RespRequest a, int type) {
        long start = 0, end = 0;
        ZSetParsing.ScoreRange sr = null;
        ZSetParsing.LexRange lr = null;
        if (type == RANK) {
            Long s = Generic.longArg(c, a, 2);
            if (s == null) return;
            Long e = Generic.longArg(c, a, 3);
            if (e == null) return;
            start = s;
            end = e;
        } else if (type == SCORE) {
            sr = ZSetParsing.parseRange(a.bytes(2), a.bytes(3));
            if (sr == null) {
                c.error("ERR min or max is not a float");
                return;
            }
        } else {
            lr = ZSetParsing.parseLexRange(a.bytes(2), a.bytes(3));
            if (lr == null) {
                c.error("ERR min or max not valid string range item");
                return;
            }
        }
        byte[] key = a.bytes(1);
        ZSetValue z = Generic.write(c, key, ZSetValue.class);
        if (Generic.failed(z)) return;
        if (z == null) {
            c.out().integer(0);
            return;
        }
        int first, last;
        if (type == RANK) {
            long len = z.size();
            if (start < 0) start += len;
            if (end < 0) end += len;
            if (start < 0) start = 0;
            if (start > end || start >= len) {
                c.out().integer(0);
                return;
            }
            if (end >= len) end = len - 1;
            first = (int) start;
            last = (int) end;
        } else {
            int[] span = type == SCORE ? ZSetCommands.scoreSpan(z, sr) : ZSetCommands.lexSpan(z, lr);
            first = span[0];
            last = span[1];
        }
        if (first > last) {
            c.out().integer(0);
            return;
        }
        int removed;
        try (Shard.Edit ed = Generic.edit(c, key, z)) {
            removed = z.removeRange(first, last);
        }
        if (removed > 0) {
            Generic.changed(c, KeyspaceEvents.ZSET,
                    type == RANK ? "zremrangebyrank" : type == SCORE ? "zremrangebyscore" : "zremrangebylex", key);
            if (z.size() == 0) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        }
        c.out().integer(removed);
    }

    // ------------------------------------------------------------------ ZPOPMIN / ZPOPMAX / ZMPOP

    static void zpop(Client c, RespRequest a, boolean max) {
        if (a.argc() > 3) {
            c.error(Generic.SYNTAX);
            return;
        }
        long count = 1;
        if (a.argc() == 3) {
            long n;
            try {
                n = Numbers.parseLong(a.buffer(), a.offset(2), a.length(2));
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0) {
                c.error("ERR value is out of range, must be positive");
                return;
            }
            count = n;
        }
        byte[] key = a.bytes(1);
        ZSetValue z = Generic.write(c, key, ZSetValue.class);
        if (Generic.failed(z)) return;
        if (z == null || count == 0) {
            c.out().array(0);
            return;
        }
        List<byte[]> members = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        pop(c, key, z, max, count, members, scores);
        RespWriter out = c.out();
        int n = members.size();
        // Redis 7.0 writes the array header, then notifies, then the elements
        if (a.argc() == 3 && out.resp3()) out.array(n);
        else out.array(n * 2);
        popEvent(c, key, max);
        for (int i = 0; i < n; i++) {
            // with COUNT in RESP3 each pair nests; without COUNT the reply stays flat
            if (a.argc() == 3 && out.resp3()) out.array(2);
            out.bulk(members.get(i));
            out.dbl(scores.get(i));
        }
        emptied(c, key, z);
    }

    /** The "zpopmin"/"zpopmax" event and signal of a pop (see {@link #pop}). */
    static void popEvent(Client c, byte[] key, boolean max) {
        Generic.changed(c, KeyspaceEvents.ZSET, max ? "zpopmax" : "zpopmin", key);
    }

    /** The "del" event of a pop that emptied (and so deleted) the set. */
    static void emptied(Client c, byte[] key, ZSetValue z) {
        if (z.size() == 0) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
    }

    /**
     * Pops up to count entries from one end, dropping the key if it empties. The caller notifies
     * with {@link #popEvent} and {@link #emptied} where Redis does, around its reply.
     */
    static void pop(Client c, byte[] key, ZSetValue z, boolean max, long count,
                    List<byte[]> members, List<Double> scores) {
        int size = z.size();
        int take = (int) Math.min(count, size);
        if (max) z.walk(size - take, size - 1, true, (m, s) -> { members.add(m); scores.add(s); });
        else z.walk(0, take - 1, false, (m, s) -> { members.add(m); scores.add(s); });
        try (Shard.Edit ed = Generic.edit(c, key, z)) {
            if (max) z.removeRange(size - take, size - 1);
            else z.removeRange(0, take - 1);
        }
    }

    static void zmpop(Client c, RespRequest a) {
        long numkeys;
        try {
            numkeys = Generic.parseLong(a, 1);
        } catch (NumberFormatException e) {
            numkeys = 0; // Redis gives the range message for non-numbers too
        }
        if (numkeys < 1) {
            c.error("ERR numkeys should be greater than 0");
            return;
        }
        // (compared before adding, so a huge numkeys cannot overflow)
        if (numkeys >= a.argc() || 1 + numkeys + 1 >= a.argc()) {
            c.error(Generic.SYNTAX);
            return;
        }
        long whereIdx = 1 + numkeys + 1;
        boolean max;
        if (a.is((int) whereIdx, "MIN")) max = false;
        else if (a.is((int) whereIdx, "MAX")) max = true;
        else {
            c.error(Generic.SYNTAX);
            return;
        }
        long count = -1;
        for (int j = (int) whereIdx + 1; j < a.argc(); j++) {
            int more = a.argc() - 1 - j;
            if (count == -1 && a.is(j, "COUNT") && more > 0) {
                j++;
                long n;
                try {
                    n = Generic.parseLong(a, j);
                } catch (NumberFormatException e) {
                    n = 0; // Redis gives the range message for non-numbers too
                }
                if (n < 1) {
                    c.error("ERR count should be greater than 0");
                    return;
                }
                count = n;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        if (count == -1) count = 1;
        for (int i = 2; i < whereIdx; i++) {
            byte[] key = a.bytes(i);
            ZSetValue z = Generic.write(c, key, ZSetValue.class);
            if (Generic.failed(z)) return;
            if (z == null) continue;
            List<byte[]> members = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            pop(c, key, z, max, count, members, scores);
            RespWriter out = c.out();
            out.array(2);
            out.bulk(key);
            out.array(members.size());
            popEvent(c, key, max);
            for (int k = 0; k < members.size(); k++) {
                out.array(2);
                out.bulk(members.get(k));
                out.dbl(scores.get(k));
            }
            emptied(c, key, z);
            return;
        }
        c.out().nullArray();
    }
}
