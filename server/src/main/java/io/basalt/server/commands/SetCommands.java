package io.basalt.server.commands;

import io.basalt.data.Glob;
import io.basalt.data.SetValue;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Set commands, following Redis 7.0's t_set.c: the same order of checks (every key's type is
 * checked before any work, SPOP/SRANDMEMBER parse their count before the lookup), the same reply
 * shapes in RESP2/RESP3 (sets where Redis replies a set, arrays for SRANDMEMBER and SMISMEMBER),
 * and results built the way Redis builds them (a fresh intset that converts as members arrive),
 * so a result's encoding, and hence its iteration order, match Redis's.
 */
public final class SetCommands {
    private SetCommands() {}

    static void register(CommandTable t) {
        t.register("sadd", SetCommands::sadd);
        t.register("srem", SetCommands::srem);
        t.register("smembers", SetCommands::smembers);
        t.register("sismember", SetCommands::sismember);
        t.register("smismember", SetCommands::smismember);
        t.register("scard", SetCommands::scard);
        t.register("spop", SetCommands::spop);
        t.register("srandmember", SetCommands::srandmember);
        t.register("smove", SetCommands::smove);
        t.register("sinter", SetCommands::sinter);
        t.register("sintercard", SetCommands::sintercard);
        t.register("sinterstore", SetCommands::sinterstore);
        t.register("sunion", (c, a) -> unionDiff(c, a, 1, null, false));
        t.register("sunionstore", (c, a) -> unionDiff(c, a, 2, a.bytes(1), false));
        t.register("sdiff", (c, a) -> unionDiff(c, a, 1, null, true));
        t.register("sdiffstore", (c, a) -> unionDiff(c, a, 2, a.bytes(1), true));
        t.register("sscan", SetCommands::sscan);
    }

    private static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    private static final String RANGE = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

    private static Shard shard(Client c, byte[] key) { return Generic.shard(c, key); }

    private static void member(RespWriter out, SetValue s, int i) {
        if (s.isIntset()) out.bulk(s.intAt(i));
        else out.bulk(s.get(i));
    }

    /** Replies the whole set as a RESP3 set / RESP2 array, in its iteration order. */
    private static void replyMembers(Client c, SetValue s) {
        RespWriter out = c.out();
        int n = s.size();
        out.set(n);
        for (int i = 0; i < n; i++) member(out, s, i);
    }

    // ---------------------------------------------------------------- single-key commands

    static void sadd(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        SetValue s = Generic.write(c, key, SetValue.class);
        if (Generic.failed(s)) return;
        boolean created = s == null;
        int added = 0;
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            if (created) s = ed.insert(SetValue.createFor(key, a.bytes(2)));
            for (int i = 2; i < a.argc(); i++) if (s.add(a.bytes(i), ed.limits())) added++;
        }
        if (created) Generic.added(c, key);
        if (added > 0) Generic.changed(c, KeyspaceEvents.SET, "sadd", key);
        c.out().integer(added);
    }

    static void srem(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        SetValue s = Generic.write(c, key, SetValue.class);
        if (Generic.failed(s)) return;
        if (s == null) {
            c.out().integer(0);
            return;
        }
        int removed = 0;
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            for (int i = 2; i < a.argc() && s.size() > 0; i++) if (s.remove(a.bytes(i))) removed++;
        }
        if (removed > 0) {
            Generic.changed(c, KeyspaceEvents.SET, "srem", key);
            if (s.size() == 0) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        }
        c.out().integer(removed);
    }

    static void smembers(Client c, RespRequest a) {
        SetValue s = Generic.read(c, a.bytes(1), SetValue.class);
        if (Generic.failed(s)) return;
        if (s == null) c.out().set(0);
        else replyMembers(c, s);
    }

    static void sismember(Client c, RespRequest a) {
        SetValue s = Generic.read(c, a.bytes(1), SetValue.class);
        if (Generic.failed(s)) return;
        c.out().integer(s != null && s.contains(a.bytes(2)) ? 1 : 0);
    }

    static void smismember(Client c, RespRequest a) {
        SetValue s = Generic.read(c, a.bytes(1), SetValue.class);
        if (Generic.failed(s)) return;
        RespWriter out = c.out();
        out.array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) out.integer(s != null && s.contains(a.bytes(i)) ? 1 : 0);
    }

    static void scard(Client c, RespRequest a) {
        SetValue s = Generic.read(c, a.bytes(1), SetValue.class);
        if (Generic.failed(s)) return;
        c.out().integer(s == null ? 0 : s.size());
    }

    static void spop(Client c, RespRequest a) {
        if (a.argc() > 3) {
            c.error(Generic.SYNTAX);
            return;
        }
        byte[] key = a.bytes(1);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (a.argc() == 2) {
            SetValue s = Generic.write(c, key, SetValue.class);
            if (Generic.failed(s)) return;
            if (s == null) {
                c.out().nullBulk();
                return;
            }
            byte[] m;
            try (Shard.Edit ed = Generic.edit(c, key, s)) {
                m = s.removeAt(rnd.nextInt(s.size()));
            }
            // Redis: "spop", the reply, then "del" if emptied
            c.notifyKeyspaceEvent(KeyspaceEvents.SET, "spop", key);
            c.out().bulk(m);
            c.propagate(Propagate.SREM, key, m); // AOF: which member went, not a random pick
            popped(c, key, s.size() == 0);
            return;
        }
        long count;
        try {
            count = Generic.parseLong(a, 2);
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 0) {
            c.error(NOT_POSITIVE);
            return;
        }
        SetValue s = Generic.write(c, key, SetValue.class);
        if (Generic.failed(s)) return;
        if (s == null || count == 0) {
            c.out().set(0);
            return;
        }
        RespWriter out = c.out();
        if (count >= s.size()) {
            // Redis replies the set as SUNION would (a rebuilt copy), then deletes the key
            SetValue copy = SetValue.createIntset(key);
            for (int i = 0; i < s.size(); i++) copy.add(s.get(i), Generic.limits(c));
            shard(c, key).remove(c.db(), key);
            c.notifyKeyspaceEvent(KeyspaceEvents.SET, "spop", key);
            replyMembers(c, copy);
            c.propagate(Propagate.delForServer(c), key); // AOF: the whole set went (Redis: DEL/UNLINK)
            popped(c, key, true);
            return;
        }
        c.notifyKeyspaceEvent(KeyspaceEvents.SET, "spop", key);
        int n = (int) count;
        out.set(n);
        // AOF: the members that went, as SREM commands of up to 1024 members (Redis's batches)
        java.util.List<byte[]> gone = new java.util.ArrayList<>(n);
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            for (int i = 0; i < n; i++) {
                byte[] m = s.removeAt(rnd.nextInt(s.size()));
                out.bulk(m);
                gone.add(m);
            }
        }
        for (int i = 0; i < n; i += 1024) {
            int k = Math.min(1024, n - i);
            byte[][] argv = new byte[2 + k][];
            argv[0] = Propagate.SREM;
            argv[1] = key;
            for (int j = 0; j < k; j++) argv[2 + j] = gone.get(i + j);
            c.propagate(argv);
        }
        popped(c, key, false);
    }

    /**
     * The end of SPOP, after its "spop" event and its reply (Redis's order): "del" when the set
     * was emptied, then signalModifiedKey.
     */
    private static void popped(Client c, byte[] key, boolean deleted) {
        if (deleted) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", key);
        c.signalModified(key);
    }

    static void srandmember(Client c, RespRequest a) {
        if (a.argc() > 3) {
            c.error(Generic.SYNTAX);
            return;
        }
        byte[] key = a.bytes(1);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (a.argc() == 2) {
            SetValue s = Generic.read(c, key, SetValue.class);
            if (Generic.failed(s)) return;
            if (s == null) c.out().nullBulk();
            else member(c.out(), s, rnd.nextInt(s.size()));
            return;
        }
        Long l = Generic.longArg(c, a, 2);
        if (l == null) return;
        if (l == Long.MIN_VALUE) {
            c.error(RANGE);
            return;
        }
        SetValue s = Generic.read(c, key, SetValue.class);
        if (Generic.failed(s)) return;
        RespWriter out = c.out();
        if (s == null || l == 0) {
            out.array(0);
            return;
        }
        int size = s.size();
        if (l < 0) {
            // negative count: that many independent draws, duplicates allowed
            long n = -l;
            out.array((int) Math.min(n, Integer.MAX_VALUE));
            for (long i = 0; i < n && i < Integer.MAX_VALUE; i++) member(out, s, rnd.nextInt(size));
            return;
        }
        if (l >= size) {
            replyAsArray(c, s);
            return;
        }
        int n = (int) (long) l;
        if ((long) n * 3 <= size) {
            // few members of a big set: random positions, redrawn on repeats (Redis's case 4)
            java.util.HashSet<Integer> picked = new java.util.HashSet<>();
            out.array(n);
            while (picked.size() < n) {
                int p = rnd.nextInt(size);
                if (picked.add(p)) member(out, s, p);
            }
            return;
        }
        // distinct members: a partial Fisher-Yates shuffle over positions
        int[] pos = new int[size];
        for (int i = 0; i < size; i++) pos[i] = i;
        out.array(n);
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(size - i);
            int t = pos[i];
            pos[i] = pos[j];
            pos[j] = t;
            member(out, s, pos[i]);
        }
    }

    private static void replyAsArray(Client c, SetValue s) {
        RespWriter out = c.out();
        out.array(s.size());
        for (int i = 0; i < s.size(); i++) member(out, s, i);
    }

    static void smove(Client c, RespRequest a) {
        byte[] src = a.bytes(1);
        byte[] dst = a.bytes(2);
        byte[] m = a.bytes(3);
        Object so = Generic.lookupWrite(c, src);
        Object dob = Generic.lookupWrite(c, dst);
        if (so == null) {
            c.out().integer(0);
            return;
        }
        SetValue s = Generic.as(c, so, SetValue.class);
        if (Generic.failed(s)) return;
        SetValue d = Generic.as(c, dob, SetValue.class);
        if (Generic.failed(d)) return;
        if (so == dob) {
            c.out().integer(s.contains(m) ? 1 : 0);
            return;
        }
        try (Shard.Edit ed = Generic.edit(c, src, s)) {
            if (!s.remove(m)) {
                c.out().integer(0);
                return;
            }
        }
        c.notifyKeyspaceEvent(KeyspaceEvents.SET, "srem", src);
        if (s.size() == 0) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "del", src);
        boolean created = d == null;
        boolean added;
        try (Shard.Edit ed = Generic.edit(c, dst, d)) {
            if (created) d = ed.insert(SetValue.createFor(dst, m));
            added = d.add(m, ed.limits());
        }
        if (created) Generic.added(c, dst);
        c.signalModified(src);
        // an extra key changed only when the member was new to dst
        if (added) Generic.changed(c, KeyspaceEvents.SET, "sadd", dst);
        c.out().integer(1);
    }

    // ---------------------------------------------------------------- multi-key commands

    /**
     * Looks up keys [from, to) of the request; null entries for missing keys. Returns null after
     * replying WRONGTYPE if any key holds another type (Redis checks them all first).
     */
    private static SetValue[] lookupAll(Client c, RespRequest a, int from, int to, boolean write) {
        SetValue[] sets = new SetValue[to - from];
        for (int i = from; i < to; i++) {
            SetValue s = write ? Generic.write(c, a.bytes(i), SetValue.class) : Generic.read(c, a.bytes(i), SetValue.class);
            if (Generic.failed(s)) return null;
            sets[i - from] = s;
        }
        return sets;
    }

    static void sinter(Client c, RespRequest a) {
        inter(c, a, 1, a.argc(), null, false, 0);
    }

    static void sinterstore(Client c, RespRequest a) {
        inter(c, a, 2, a.argc(), a.bytes(1), false, 0);
    }

    static void sintercard(Client c, RespRequest a) {
        long numkeys;
        try {
            numkeys = Generic.parseLong(a, 1);
        } catch (NumberFormatException e) {
            numkeys = 0;
        }
        if (numkeys < 1) {
            c.error("ERR numkeys should be greater than 0");
            return;
        }
        if (numkeys > a.argc() - 2) {
            c.error("ERR Number of keys can't be greater than number of args");
            return;
        }
        long limit = 0;
        for (int j = 2 + (int) numkeys; j < a.argc(); j++) {
            boolean more = a.argc() - 1 - j > 0;
            if (a.is(j, "LIMIT") && more) {
                j++;
                try {
                    limit = Generic.parseLong(a, j);
                } catch (NumberFormatException e) {
                    limit = -1;
                }
                if (limit < 0) {
                    c.error("ERR LIMIT can't be negative");
                    return;
                }
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        inter(c, a, 2, 2 + (int) numkeys, null, true, limit);
    }

    /** SINTER / SINTERSTORE / SINTERCARD over keys [from, to). */
    private static void inter(Client c, RespRequest a, int from, int to, byte[] dst, boolean cardOnly, long limit) {
        // the STORE forms too read their sources with lookupKeyRead (misses, "keymiss"), as Redis 7.0
        SetValue[] sets = lookupAll(c, a, from, to, false);
        if (sets == null) return;
        boolean empty = false;
        for (SetValue s : sets) if (s == null) empty = true;
        if (empty) {
            // a missing key is an empty set, so the intersection is empty
            if (dst != null) {
                if (shard(c, dst).remove(c.db(), dst) != null) Generic.changed(c, KeyspaceEvents.GENERIC, "del", dst);
                c.out().integer(0);
            } else if (cardOnly) {
                c.out().integer(0);
            } else {
                c.out().set(0);
            }
            return;
        }
        // iterate the smallest set, probing the others, as Redis does
        SetValue[] sorted = sets.clone();
        Arrays.sort(sorted, Comparator.comparingInt(SetValue::size));
        SetValue first = sorted[0];
        List<byte[]> result = new ArrayList<>();
        long card = 0;
        for (int i = 0; i < first.size(); i++) {
            byte[] m = first.get(i);
            boolean all = true;
            for (int j = 1; j < sorted.length; j++) {
                if (sorted[j] == first) continue;
                if (!sorted[j].contains(m)) {
                    all = false;
                    break;
                }
            }
            if (!all) continue;
            if (cardOnly) {
                card++;
                if (limit > 0 && card >= limit) break;
            } else {
                result.add(m);
            }
        }
        if (cardOnly) {
            c.out().integer(card);
            return;
        }
        if (dst == null) {
            RespWriter out = c.out();
            out.set(result.size());
            for (byte[] m : result) out.bulk(m);
            return;
        }
        SetValue d = SetValue.createIntset(dst);
        for (byte[] m : result) d.add(m, Generic.limits(c));
        store(c, dst, d, "sinterstore");
    }

    /**
     * Stores a *STORE result, replacing whatever dst held, or deletes dst for an empty result;
     * notifies {@code event}, or "del" when an existing dst was deleted.
     */
    private static void store(Client c, byte[] dst, SetValue d, String event) {
        Shard sh = shard(c, dst);
        if (d.size() > 0) {
            // Redis's setKey looks dst up: an expired one is reaped first, and dst is then new
            boolean existed = Generic.lookupWrite(c, dst) != null;
            sh.put(c.db(), dst, d);
            if (!existed) Generic.added(c, dst);
            c.signalModified(dst);
            c.out().integer(d.size());
            c.notifyKeyspaceEvent(KeyspaceEvents.SET, event, dst);
            return;
        }
        // (reply first, then the delete's event, as Redis)
        c.out().integer(0);
        if (sh.remove(c.db(), dst) != null) Generic.changed(c, KeyspaceEvents.GENERIC, "del", dst);
    }

    /** SUNION / SUNIONSTORE / SDIFF / SDIFFSTORE over keys [from, argc). */
    private static void unionDiff(Client c, RespRequest a, int from, byte[] dst, boolean diff) {
        // the STORE forms too read their sources with lookupKeyRead (misses, "keymiss"), as Redis 7.0
        SetValue[] sets = lookupAll(c, a, from, a.argc(), false);
        if (sets == null) return;
        SetValue d = SetValue.createIntset(dst != null ? dst : new byte[0]);
        if (!diff) {
            for (SetValue s : sets) {
                if (s == null) continue;
                for (int i = 0; i < s.size(); i++) d.add(s.get(i), Generic.limits(c));
            }
        } else if (sets[0] != null && sets[0].size() > 0) {
            // Redis 7.0 picks one of two algorithms by estimated work; the second fills the
            // result with the whole first set before removing, which can leave it hashtable-
            // encoded where the first would not: pick the same one so the encoding matches.
            SetValue first = sets[0];
            long one = 0;
            long two = 0;
            for (SetValue s : sets) {
                if (s == null) continue;
                one += first.size();
                two += s.size();
            }
            if (one / 2 <= two) {
                for (int i = 0; i < first.size(); i++) {
                    byte[] m = first.get(i);
                    boolean keep = true;
                    for (int j = 1; j < sets.length; j++) {
                        if (sets[j] != null && (sets[j] == first || sets[j].contains(m))) {
                            keep = false;
                            break;
                        }
                    }
                    if (keep) d.add(m, Generic.limits(c));
                }
            } else {
                for (int i = 0; i < first.size(); i++) d.add(first.get(i), Generic.limits(c));
                for (int j = 1; j < sets.length && d.size() > 0; j++) {
                    SetValue s = sets[j];
                    if (s == null) continue;
                    for (int i = 0; i < s.size(); i++) d.remove(s.get(i));
                }
            }
        }
        if (dst == null) replyMembers(c, d);
        else store(c, dst, d, diff ? "sdiffstore" : "sunionstore");
    }

    // ---------------------------------------------------------------- SSCAN

    static void sscan(Client c, RespRequest a) {
        long cursor;
        try {
            cursor = KeyScan.parseCursor(a.bytes(2));
        } catch (NumberFormatException e) {
            c.error("ERR invalid cursor");
            return;
        }
        SetValue s = Generic.read(c, a.bytes(1), SetValue.class);
        if (Generic.failed(s)) return;
        RespWriter out = c.out();
        if (s == null) {
            out.array(2);
            out.bulk(0);
            out.array(0);
            return;
        }
        ScanOptions o = ScanOptions.parse(c, a, 3, false);
        if (o == null) return;
        long count = o.count;
        byte[] pattern = o.pattern;
        int size = s.size();
        int hi;
        int lo;
        if (s.isIntset()) {
            // like Redis: a compact encoding is returned whole in one call
            hi = size;
            lo = 0;
        } else {
            // Slots are walked from the top down: a removal moves the last (already visited)
            // member into the freed slot, so members present throughout are never skipped.
            hi = cursor == 0 || cursor < 0 || cursor > size ? size : (int) cursor;
            lo = (int) Math.max(0, hi - count);
        }
        List<byte[]> found = new ArrayList<>();
        for (int i = hi - 1; i >= lo; i--) {
            byte[] m = s.get(i);
            if (pattern == null || Glob.match(pattern, m, false)) found.add(m);
        }
        out.array(2);
        out.bulk(lo == 0 ? 0 : lo);
        out.array(found.size());
        if (s.isIntset()) {
            // ascending, as Redis replies an intset
            for (int i = found.size() - 1; i >= 0; i--) out.bulk(found.get(i));
        } else {
            for (byte[] m : found) out.bulk(m);
        }
    }
}
