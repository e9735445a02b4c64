package io.basalt.server.commands;

import io.basalt.data.ListValue;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;

/**
 * List commands (non-blocking), following Redis 7.0's t_list.c: the same order of argument
 * parsing and key lookup (so the same error or reply wins when several apply), the same reply
 * shapes in RESP2 and RESP3, and the key is deleted when its list becomes empty.
 *
 * <p>Keyed commands run with their keys' shards already locked by the Dispatcher (for LMOVE,
 * RPOPLPUSH and LMPOP that is every key of the command).
 */
public final class ListCommands {
    private ListCommands() {}

    static void register(CommandTable t) {
        t.register("lpush", (c, a) -> push(c, a, true, false));
        t.register("rpush", (c, a) -> push(c, a, false, false));
        t.register("lpushx", (c, a) -> push(c, a, true, true));
        t.register("rpushx", (c, a) -> push(c, a, false, true));
        t.register("lpop", (c, a) -> pop(c, a, true));
        t.register("rpop", (c, a) -> pop(c, a, false));
        t.register("llen", ListCommands::llen);
        t.register("lindex", ListCommands::lindex);
        t.register("lset", ListCommands::lset);
        t.register("lrange", ListCommands::lrange);
        t.register("ltrim", ListCommands::ltrim);
        t.register("lrem", ListCommands::lrem);
        t.register("linsert", ListCommands::linsert);
        t.register("lpos", ListCommands::lpos);
        t.register("lmove", ListCommands::lmove);
        t.register("rpoplpush", ListCommands::rpoplpush);
        t.register("lmpop", ListCommands::lmpop);
    }

    private static final String OUT_OF_RANGE_POSITIVE = "ERR value is out of range, must be positive";

    // ---------------------------------------------------------------- helpers

    /**
     * Redis's getRangeLongFromObjectOrReply: when {@code error} is given it is the reply both for
     * a non-integer and for an out-of-range value; returns null after replying.
     */
    private static Long rangeArg(Client c, RespRequest a, int i, long min, long max, String error) {
        long v;
        try {
            v = Generic.parseLong(a, i);
        } catch (NumberFormatException e) {
            c.error(error != null ? error : Generic.NOT_INTEGER);
            return null;
        }
        if (v < min || v > max) {
            c.error(error != null ? error
                    : "ERR value is out of range, value must between " + min + " and " + max);
            return null;
        }
        return v;
    }

    /** LEFT / RIGHT as Redis's getListPositionFromObjectOrReply: true for LEFT (the head). */
    private static Boolean where(Client c, RespRequest a, int i) {
        if (a.is(i, "LEFT")) return Boolean.TRUE;
        if (a.is(i, "RIGHT")) return Boolean.FALSE;
        c.error(Generic.SYNTAX);
        return null;
    }

    /**
     * Redis's {@code listElementsRemoved}: "lpop"/"rpop", then "del" if the list was emptied
     * (and deleted), then signalModifiedKey.
     */
    static void elementsRemoved(Client c, byte[] key, boolean head, boolean deleted) {
        c.notifyKeyspaceEvent(KeyspaceEvents.LIST, head ? "lpop" : "rpop", key);
        if (deleted) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        c.signalModified(key);
    }

    // ---------------------------------------------------------------- push / pop

    private static void push(Client c, RespRequest a, boolean head, boolean onlyExisting) {
        byte[] key = a.bytes(1);
        ListValue l = Generic.write(c, key, ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            if (onlyExisting) {
                c.out().integer(0);
                return;
            }
        }
        boolean created = l == null;
        try (Shard.Edit ed = Generic.edit(c, key, l)) {
            if (created) l = ed.insert(new ListValue(key));
            for (int i = 2; i < a.argc(); i++) l.push(a.bytes(i), head, ed.limits());
        }
        if (created) Generic.added(c, key);
        c.out().integer(l.size());
        Generic.changed(c, KeyspaceEvents.LIST, head ? "lpush" : "rpush", key);
    }

    private static void pop(Client c, RespRequest a, boolean head) {
        boolean hasCount = a.argc() == 3;
        if (a.argc() > 3) {
            c.error("ERR wrong number of arguments for '" + a.lowerString(0) + "' command");
            return;
        }
        long count = 0;
        if (hasCount) {
            Long n = rangeArg(c, a, 2, 0, Long.MAX_VALUE, OUT_OF_RANGE_POSITIVE);
            if (n == null) return;
            count = n;
        }
        byte[] key = a.bytes(1);
        ListValue l = Generic.write(c, key, ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            if (hasCount) c.out().nullArray(); else c.out().nullBulk();
            return;
        }
        if (hasCount && count == 0) {
            c.out().array(0);
            return;
        }
        try (Shard.Edit ed = Generic.edit(c, key, l)) {
            if (!hasCount) {
                c.out().bulk(l.pop(head, ed.limits()));
            } else {
                int n = (int) Math.min(count, l.size());
                c.out().array(n);
                for (int i = 0; i < n; i++) c.out().bulk(l.pop(head, ed.limits()));
            }
        }
        elementsRemoved(c, key, head, l.size() == 0); // (emptied: deleted by the edit)
    }

    // ---------------------------------------------------------------- reads

    private static void llen(Client c, RespRequest a) {
        ListValue l = Generic.read(c, a.bytes(1), ListValue.class);
        if (Generic.failed(l)) return;
        c.out().integer(l == null ? 0 : l.size());
    }

    private static void lindex(Client c, RespRequest a) {
        ListValue l = Generic.read(c, a.bytes(1), ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            c.out().nullBulk();
            return;
        }
        Long index = Generic.longArg(c, a, 2);
        if (index == null) return;
        long i = index < 0 ? l.size() + index : index;
        if (i < 0 || i >= l.size()) c.out().nullBulk();
        else {
            // an edit even to read: with list-compress-depth set, reaching a raw interior node
            // deflates it, so a read may change the list's size
            try (Shard.Edit ed = Generic.edit(c, a.bytes(1), l)) {
                c.out().bulk(l.get((int) i, ed.limits()));
            }
        }
    }

    private static void lrange(Client c, RespRequest a) {
        Long start = Generic.longArg(c, a, 2);
        if (start == null) return;
        Long end = Generic.longArg(c, a, 3);
        if (end == null) return;
        ListValue l = Generic.read(c, a.bytes(1), ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            c.out().array(0);
            return;
        }
        long len = l.size();
        long s = start < 0 ? len + start : start;
        long t = end < 0 ? len + end : end;
        if (s < 0) s = 0;
        if (s > t || s >= len) {
            c.out().array(0);
            return;
        }
        if (t >= len) t = len - 1;
        RespWriter out = c.out();
        out.array((int) (t - s + 1));
        try (Shard.Edit ed = Generic.edit(c, a.bytes(1), l)) { // a read may deflate nodes (LINDEX)
            l.forEach((int) s, (int) t, false, ed.limits(), (b, off, n) -> {
                out.bulk(b, off, n);
                return true;
            });
        }
    }

    private static void lpos(Client c, RespRequest a) {
        long rank = 1, count = -1, maxlen = 0;
        for (int j = 3; j < a.argc(); j++) {
            boolean more = a.argc() - 1 - j > 0;
            if (a.is(j, "RANK") && more) {
                j++;
                // 7.0.15 accepts any long here (LONG_MIN included, which negates to itself)
                Long r = Generic.longArg(c, a, j);
                if (r == null) return;
                if (r == 0) {
                    c.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                            + "or use negative to start from the end of the list");
                    return;
                }
                rank = r;
            } else if (a.is(j, "COUNT") && more) {
                j++;
                Long n = rangeArg(c, a, j, 0, Long.MAX_VALUE, "ERR COUNT can't be negative");
                if (n == null) return;
                count = n;
            } else if (a.is(j, "MAXLEN") && more) {
                j++;
                Long n = rangeArg(c, a, j, 0, Long.MAX_VALUE, "ERR MAXLEN can't be negative");
                if (n == null) return;
                maxlen = n;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        boolean fromTail = false;
        if (rank < 0) {
            rank = -rank;
            fromTail = true;
        }
        ListValue l = Generic.read(c, a.bytes(1), ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            if (count != -1) c.out().array(0); else c.out().nullBulk();
            return;
        }
        byte[] ele = a.bytes(2);
        int len = l.size();
        if (len == 0) { // never stored empty, but the walk below needs an element
            if (count != -1) c.out().array(0); else c.out().nullBulk();
            return;
        }
        // matched positions when COUNT is given: no more than COUNT, MAXLEN or the length allow
        long cap = Math.min(len, maxlen == 0 ? len : maxlen);
        int[] found = count != -1 ? new int[(int) Math.min(cap, count == 0 ? cap : count)] : null;
        final long wantRank = rank, wantCount = count, limit = maxlen;
        final boolean tail = fromTail;
        long[] state = {0, 0, -1, 0}; // index, matches, single match, found count
        try (Shard.Edit ed = Generic.edit(c, a.bytes(1), l)) { // a read may deflate nodes (LINDEX)
            l.forEach(0, len - 1, fromTail, ed.limits(), (b, off, n) -> {
                long index = state[0]++;
                if (limit != 0 && index >= limit) return false;
                if (!java.util.Arrays.equals(b, off, off + n, ele, 0, ele.length)) return true;
                long pos = tail ? len - 1 - index : index;
                if (++state[1] < wantRank) return true;
                if (found == null) {
                    state[2] = pos;
                    return false;
                }
                found[(int) state[3]++] = (int) pos;
                return wantCount == 0 || state[3] < wantCount;
            });
        }
        int nfound = (int) state[3];
        long single = state[2];
        if (found != null) {
            c.out().array(nfound);
            for (int i = 0; i < nfound; i++) c.out().integer(found[i]);
        } else if (single != -1) {
            c.out().integer(single);
        } else {
            c.out().nullBulk();
        }
    }

    // ---------------------------------------------------------------- in-place writes

    private static void lset(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        ListValue l = Generic.write(c, key, ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            c.error("ERR no such key");
            return;
        }
        Long index = Generic.longArg(c, a, 2);
        if (index == null) return;
        long i = index < 0 ? l.size() + index : index;
        if (i < 0 || i >= l.size()) {
            c.error("ERR index out of range");
            return;
        }
        try (Shard.Edit ed = Generic.edit(c, key, l)) {
            l.set((int) i, a.bytes(3), ed.limits());
        }
        c.out().ok();
        Generic.changed(c, KeyspaceEvents.LIST, "lset", key);
    }

    private static void ltrim(Client c, RespRequest a) {
        Long start = Generic.longArg(c, a, 2);
        if (start == null) return;
        Long end = Generic.longArg(c, a, 3);
        if (end == null) return;
        byte[] key = a.bytes(1);
        ListValue l = Generic.write(c, key, ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            c.out().ok();
            return;
        }
        long len = l.size();
        long s = start < 0 ? len + start : start;
        long t = end < 0 ? len + end : end;
        if (s < 0) s = 0;
        long ltrim, rtrim;
        if (s > t || s >= len) {
            ltrim = len;
            rtrim = 0;
        } else {
            if (t >= len) t = len - 1;
            ltrim = s;
            rtrim = len - t - 1;
        }
        try (Shard.Edit ed = Generic.edit(c, key, l)) {
            l.trim(ltrim, rtrim, ed.limits());
        }
        boolean deleted = l.size() == 0; // (by the edit)
        c.notifyKeyspaceEvent(KeyspaceEvents.LIST, "ltrim", key);
        if (deleted) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        c.signalModified(key);
        c.out().ok();
    }

    private static void lrem(Client c, RespRequest a) {
        Long count = Generic.longArg(c, a, 2);
        if (count == null) return;
        byte[] key = a.bytes(1);
        ListValue l = Generic.write(c, key, ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            c.out().integer(0);
            return;
        }
        // count < 0 removes from the tail; Math.abs of LONG_MIN stays negative, so negate safely
        long limit = count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(count);
        long removed;
        try (Shard.Edit ed = Generic.edit(c, key, l)) {
            removed = l.removeMatching(a.bytes(3), limit, count < 0, ed.limits());
        }
        boolean deleted = l.size() == 0; // (by the edit)
        if (removed > 0) Generic.changed(c, KeyspaceEvents.LIST, "lrem", key);
        if (deleted) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        c.out().integer(removed);
    }

    private static void linsert(Client c, RespRequest a) {
        boolean after;
        if (a.is(2, "AFTER")) after = true;
        else if (a.is(2, "BEFORE")) after = false;
        else {
            c.error(Generic.SYNTAX);
            return;
        }
        byte[] key = a.bytes(1);
        ListValue l = Generic.write(c, key, ListValue.class);
        if (Generic.failed(l)) return;
        if (l == null) {
            c.out().integer(0);
            return;
        }
        try (Shard.Edit ed = Generic.edit(c, key, l)) {
            int pivot = l.indexOf(a.bytes(3), ed.limits());
            if (pivot < 0) {
                c.out().integer(-1);
                return;
            }
            l.insert(after ? pivot + 1 : pivot, a.bytes(4), ed.limits());
        }
        Generic.changed(c, KeyspaceEvents.LIST, "linsert", key);
        c.out().integer(l.size());
    }

    // ---------------------------------------------------------------- multi-key

    private static void lmove(Client c, RespRequest a) {
        Boolean from = where(c, a, 3);
        if (from == null) return;
        Boolean to = where(c, a, 4);
        if (to == null) return;
        move(c, a.bytes(1), a.bytes(2), from, to);
    }

    private static void rpoplpush(Client c, RespRequest a) {
        move(c, a.bytes(1), a.bytes(2), false, true);
    }

    /** Redis's lmoveGenericCommand: pops from {@code src} and pushes onto {@code dst}. */
    private static void move(Client c, byte[] src, byte[] dst, boolean fromHead, boolean toHead) {
        ListValue sl = Generic.write(c, src, ListValue.class);
        if (Generic.failed(sl)) return;
        if (sl == null) {
            c.out().nullBulk();
            return;
        }
        ListValue dl = Generic.write(c, dst, ListValue.class);
        if (Generic.failed(dl)) return;
        c.out().bulk(moveElement(c, src, sl, dst, dl, fromHead, toHead));
        elementsRemoved(c, src, fromHead, sl.size() == 0); // (emptied: deleted by its edit)
    }

    /**
     * The move of LMOVE/RPOPLPUSH and their blocking forms once both keys are checked: pops from
     * the non-empty {@code sl}, pushes onto {@code dl} (created when null), and signals the push
     * (Redis's lmoveHandlePush: its event before the reply; the pop's events on the source come
     * after it, from the caller). Returns the element. dst == src is a rotation, which the
     * source's edit accounts whole.
     */
    static byte[] moveElement(Client c, byte[] src, ListValue sl, byte[] dst, ListValue dl, boolean fromHead, boolean toHead) {
        boolean created = dl == null;
        byte[] v;
        try (Shard.Edit se = Generic.edit(c, src, sl)) {
            v = sl.pop(fromHead, se.limits());
            try (Shard.Edit de = Generic.edit(c, dst, dl)) {
                if (created) dl = de.insert(new ListValue(dst));
                dl.push(v, toHead, de.limits());
            }
            if (created) Generic.added(c, dst);
            Generic.changed(c, KeyspaceEvents.LIST, toHead ? "lpush" : "rpush", dst);
        }
        return v;
    }

    private static void lmpop(Client c, RespRequest a) {
        Long numkeys = rangeArg(c, a, 1, 1, Long.MAX_VALUE, "ERR numkeys should be greater than 0");
        if (numkeys == null) return;
        // LEFT|RIGHT follows the keys; compared without computing 2 + numkeys, which may overflow
        if (numkeys > a.argc() - 3) {
            c.error(Generic.SYNTAX);
            return;
        }
        int wi = (int) (numkeys + 2);
        Boolean head = where(c, a, wi);
        if (head == null) return;
        long count = -1;
        for (int j = wi + 1; j < a.argc(); j++) {
            boolean more = a.argc() - 1 - j > 0;
            if (count == -1 && a.is(j, "COUNT") && more) {
                j++;
                Long n = rangeArg(c, a, j, 1, Long.MAX_VALUE, "ERR count should be greater than 0");
                if (n == null) return;
                count = n;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        if (count == -1) count = 1;
        for (int k = 2; k < wi; k++) {
            byte[] key = a.bytes(k);
            ListValue l = Generic.write(c, key, ListValue.class);
            if (Generic.failed(l)) return;
            if (l == null) continue;
            if (l.size() == 0) continue;
            int n = (int) Math.min(count, l.size());
            RespWriter out = c.out();
            out.array(2);
            out.bulk(key);
            out.array(n);
            try (Shard.Edit ed = Generic.edit(c, key, l)) {
                for (int i = 0; i < n; i++) out.bulk(l.pop(head, ed.limits()));
            }
            elementsRemoved(c, key, head, l.size() == 0); // (emptied: deleted by the edit)
            return;
        }
        c.out().nullArray();
    }
}
