package io.basalt.server.commands;

import io.basalt.data.HashValue;
import io.basalt.data.Keyspace;
import io.basalt.data.ListValue;
import io.basalt.data.SetValue;
import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.data.ZSetValue;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * SORT and SORT_RO, following Redis 7.0's sortCommandGeneric step by step (option parsing order,
 * LIMIT clamping, the BY-nosort shortcuts for lists and sorted sets, numeric/ALPHA comparison).
 *
 * Locking: the Dispatcher locks the source key and the STORE destination (our KeyFinder). BY and
 * GET patterns read keys nobody declared; for those the handler releases the shards it was given,
 * locks every shard in index order (the only order anyone acquires several shards in, so no
 * deadlock), does the whole command under that, then unlocks all and re-takes the given shards
 * in ascending order so the Dispatcher's unlock stays balanced. Nothing is read before the
 * global lock is held, so the command is still atomic.
 */
public final class SortCommand {
    private SortCommand() {}

    private static final String CONVERSION = "ERR One or more scores can't be converted into double";

    public static void register(CommandTable t) {
        t.register("sort", (c, a) -> sort(c, a, false));
        t.register("sort_ro", (c, a) -> sort(c, a, true));
        t.keys("sort", new io.basalt.server.command.KeyFinder() {
            @Override
            public int keys(RespRequest a, int[] out) { return SortCommand.keys(a, out, false); }

            /** sortGetKeys: the source RO|ACCESS (spec 0), the STORE destination OW|UPDATE (spec 2). */
            @Override
            public int spec(int i, int n) { return i == 0 ? 0 : 2; }
        });
        t.keys("sort_ro", (a, out) -> keys(a, out, true));
    }

    /**
     * Redis's sortGetKeys (also what COMMAND GETKEYS shows): the source key and the last STORE
     * destination found by its loose scan, which skips LIMIT/GET/BY arguments but not STORE's.
     * In odd argument lists ("STORE limit STORE d") this is not the key the parser stores to;
     * the handler then notices it does not hold that key's shard and takes the global lock.
     */
    private static int keys(RespRequest a, int[] out, boolean readonly) {
        if (a.argc() < 2) return -1;
        out[0] = 1;
        if (readonly) return 1;
        int store = -1;
        for (int i = 2; i < a.argc(); i++) {
            if (a.is(i, "limit")) {
                i += 2;
            } else if (a.is(i, "get") || a.is(i, "by")) {
                i += 1;
            } else if (a.is(i, "store") && i + 1 < a.argc()) {
                store = i + 1;
            }
        }
        if (store < 0 || out.length < 2) return 1;
        out[1] = store;
        return 2;
    }

    /** One element being sorted: the element, and its weight (numeric) or comparison bytes (ALPHA BY). */
    private static final class Item {
        final byte[] obj;
        double score;
        byte[] cmp;

        Item(byte[] obj) { this.obj = obj; }
    }

    static void sort(Client c, RespRequest a, boolean readonly) {
        boolean desc = false, alpha = false, dontsort = false;
        long limitStart = 0, limitCount = -1;
        byte[] sortby = null, storekey = null;
        List<byte[]> gets = new ArrayList<>();
        int j = 2;
        while (j < a.argc()) {
            int left = a.argc() - j - 1;
            if (a.is(j, "asc")) {
                desc = false;
            } else if (a.is(j, "desc")) {
                desc = true;
            } else if (a.is(j, "alpha")) {
                alpha = true;
            } else if (a.is(j, "limit") && left >= 2) {
                Long s = Generic.longArg(c, a, j + 1);
                if (s == null) return;
                Long n = Generic.longArg(c, a, j + 2);
                if (n == null) return;
                limitStart = s;
                limitCount = n;
                j += 2;
            } else if (!readonly && a.is(j, "store") && left >= 1) {
                storekey = a.bytes(j + 1);
                j++;
            } else if (a.is(j, "by") && left >= 1) {
                sortby = a.bytes(j + 1);
                // a BY pattern without '*' means "don't sort" (Redis looks with strchr)
                dontsort = indexOf(sortby, 0, (byte) '*') < 0;
                j++;
            } else if (a.is(j, "get") && left >= 1) {
                gets.add(a.bytes(j + 1));
                j++;
            } else {
                c.error("ERR syntax error");
                return;
            }
            j++;
        }

        boolean patterns = (sortby != null && !dontsort);
        for (byte[] g : gets) if (!isHash(g) && indexOf(g, 0, (byte) '*') >= 0) patterns = true;
        Keyspace ks = c.server().keyspace();
        // the destination the Dispatcher locked (sortGetKeys's) may differ in odd argument lists
        if (storekey != null && !ks.shardOf(storekey).heldByCurrentThread()) patterns = true;
        if (!patterns) {
            run(c, a, desc, alpha, dontsort, limitStart, limitCount, sortby, storekey, gets);
            return;
        }
        int count = ks.shardCount();
        boolean[] held = new boolean[count];
        boolean all = true;
        for (int i = 0; i < count; i++) {
            held[i] = ks.shard(i).heldByCurrentThread();
            all &= held[i];
        }
        if (all) {
            run(c, a, desc, alpha, dontsort, limitStart, limitCount, sortby, storekey, gets);
            return;
        }
        for (int i = count - 1; i >= 0; i--) if (held[i]) ks.shard(i).unlock();
        ks.lockAll();
        try {
            run(c, a, desc, alpha, dontsort, limitStart, limitCount, sortby, storekey, gets);
        } finally {
            ks.unlockAll();
            for (int i = 0; i < count; i++) if (held[i]) ks.shard(i).lock();
        }
    }

    private static void run(Client c, RespRequest a, boolean desc, boolean alpha, boolean dontsort,
                            long limitStart, long limitCount, byte[] sortby, byte[] storekey,
                            List<byte[]> gets) {
        byte[] key = a.bytes(1);
        Object src = Generic.lookupRead(c, key);
        if (src != null && !(src instanceof ListValue) && !(src instanceof SetValue) && !(src instanceof ZSetValue)) {
            c.error(Generic.WRONGTYPE);
            return;
        }
        // a set has no native order: when storing, Redis sorts it (ALPHA) so replicas agree
        if (dontsort && src instanceof SetValue && storekey != null) {
            dontsort = false;
            alpha = true;
            sortby = null;
        }
        long vectorlen = src == null ? 0
                : src instanceof ListValue ? ((ListValue) src).size()
                : src instanceof SetValue ? ((SetValue) src).size()
                : ((ZSetValue) src).size();
        long start = limitStart < 0 ? 0 : limitStart;
        // start + count - 1 as if without overflow: that is how redis-server's build behaves
        long end = limitCount < 0 ? vectorlen - 1
                : limitCount > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + limitCount - 1;
        if (start >= vectorlen) {
            start = vectorlen - 1;
            end = vectorlen - 2;
        }
        if (end >= vectorlen) end = vectorlen - 1;

        List<Item> vector = new ArrayList<>();
        if (src instanceof ListValue && dontsort) {
            ListValue l = (ListValue) src;
            if (end >= start) {
                // only the LIMIT range, in list order (from the tail for DESC)
                int from = desc ? (int) (l.size() - 1 - end) : (int) start;
                int to = desc ? (int) (l.size() - 1 - start) : (int) end;
                // an edit even to read: with list-compress-depth set, a read may deflate nodes
                try (Shard.Edit ed = Generic.edit(c, key, l)) {
                    l.forEach(from, to, desc, ed.limits(), (buf, off, len) -> {
                        vector.add(new Item(Arrays.copyOfRange(buf, off, off + len)));
                        return true;
                    });
                }
                end -= start;
                start = 0;
            }
        } else if (src instanceof ListValue) {
            ListValue l = (ListValue) src;
            if (l.size() > 0) {
                try (Shard.Edit ed = Generic.edit(c, key, l)) { // a read may deflate nodes (above)
                    l.forEach(0, l.size() - 1, false, ed.limits(), (buf, off, len) -> {
                        vector.add(new Item(Arrays.copyOfRange(buf, off, off + len)));
                        return true;
                    });
                }
            }
        } else if (src instanceof SetValue) {
            ((SetValue) src).forEachMember(m -> vector.add(new Item(m)));
        } else if (src instanceof ZSetValue && dontsort) {
            ZSetValue z = (ZSetValue) src;
            if (end >= start) {
                int from = desc ? (int) (z.size() - 1 - end) : (int) start;
                int to = desc ? (int) (z.size() - 1 - start) : (int) end;
                z.walk(from, to, desc, (m, s) -> vector.add(new Item(m.clone())));
            }
            end -= start;
            start = 0;
        } else if (src instanceof ZSetValue) {
            ZSetValue z = (ZSetValue) src;
            if (z.size() > 0) z.walk(0, z.size() - 1, false, (m, s) -> vector.add(new Item(m.clone())));
        }

        boolean conversionError = false;
        if (!dontsort) {
            double[] d = new double[1];
            for (Item it : vector) {
                byte[] byval;
                if (sortby != null) {
                    byval = lookupByPattern(c, sortby, it.obj);
                    if (byval == null) continue;
                } else {
                    byval = it.obj;
                }
                if (alpha) {
                    if (sortby != null) it.cmp = byval;
                } else {
                    // C's strtod over a C string: must consume everything up to the first NUL
                    int stop = indexOf(byval, 0, (byte) 0);
                    if (stop < 0) stop = byval.length;
                    int e = ZSetParsing.strtod(byval, 0, stop, d);
                    it.score = d[0];
                    if (e != stop || Double.isNaN(d[0]) || erange(byval, 0, e, d[0])) conversionError = true;
                }
            }
            vector.sort(comparator(alpha, sortby != null, storekey != null, desc));
        }

        long outputlen = gets.isEmpty() ? end - start + 1 : gets.size() * (end - start + 1);
        if (conversionError) {
            c.error(CONVERSION);
        } else if (storekey == null) {
            c.out().array((int) outputlen);
            for (long i = start; i <= end; i++) {
                Item it = vector.get((int) i);
                if (gets.isEmpty()) c.out().bulk(it.obj);
                for (byte[] g : gets) {
                    byte[] v = lookupByPattern(c, g, it.obj);
                    if (v == null) c.out().nullBulk();
                    else c.out().bulk(v);
                }
            }
        } else {
            ListValue out = new ListValue(storekey);
            for (long i = start; i <= end; i++) {
                Item it = vector.get((int) i);
                if (gets.isEmpty()) {
                    out.pushTail(it.obj, Generic.limits(c));
                } else {
                    for (byte[] g : gets) {
                        byte[] v = lookupByPattern(c, g, it.obj);
                        out.pushTail(v == null ? new byte[0] : v, Generic.limits(c));
                    }
                }
            }
            Shard s = c.server().keyspace().shardOf(storekey);
            if (outputlen > 0) {
                // Redis's setKey looks the key up: an expired one is reaped, the key is then new
                boolean existed = Generic.lookupWrite(c, storekey) != null;
                s.remove(c.db(), storekey);
                s.put(c.db(), storekey, out);
                if (!existed) Generic.added(c, storekey);
                Generic.changed(c, KeyspaceEvents.LIST, "sortstore", storekey);
            } else if (s.remove(c.db(), storekey) != null) {
                Generic.changed(c, KeyspaceEvents.GENERIC, "del", storekey);
            }
            c.out().integer(outputlen);
        }
    }

    /** strtod's ERANGE: overflow to infinity from a finite literal, underflow to 0 or to an inexact subnormal. */
    private static boolean erange(byte[] b, int off, int end, double v) {
        if (Double.isInfinite(v)) {
            for (int i = off; i < end; i++) if (b[i] == 'i' || b[i] == 'I') return false;
            return true;
        }
        if (v != 0 && Math.abs(v) < Double.MIN_NORMAL) {
            // glibc reports ERANGE for a subnormal result only when it is inexact
            String text = new String(b, off, end - off, java.nio.charset.StandardCharsets.ISO_8859_1).trim();
            if (text.contains("x") || text.contains("X")) return false;
            try {
                return new java.math.BigDecimal(v).compareTo(new java.math.BigDecimal(text)) != 0;
            } catch (NumberFormatException e) {
                return true;
            }
        }
        if (v == 0) {
            boolean hex = false;
            for (int i = off; i < end; i++) {
                byte ch = b[i];
                if (ch == 'x' || ch == 'X') { hex = true; continue; }
                if (ch == 'e' || ch == 'E' || ch == 'p' || ch == 'P') { if (!hex || ch == 'p' || ch == 'P') break; }
                if (ch >= '1' && ch <= '9') return true;
                if (hex && ((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) return true;
            }
        }
        return false;
    }

    private static Comparator<Item> comparator(boolean alpha, boolean bypattern, boolean store, boolean desc) {
        Comparator<Item> cmp;
        if (!alpha) {
            cmp = (x, y) -> {
                if (x.score > y.score) return 1;
                if (x.score < y.score) return -1;
                // equal weights: Redis falls back to the elements' bytes so the result is deterministic
                return Arrays.compareUnsigned(x.obj, y.obj);
            };
        } else if (bypattern) {
            cmp = (x, y) -> {
                if (x.cmp == null || y.cmp == null) {
                    if (x.cmp == y.cmp) return 0;
                    return x.cmp == null ? -1 : 1;
                }
                return store ? Arrays.compareUnsigned(x.cmp, y.cmp) : cstrcmp(x.cmp, y.cmp);
            };
        } else {
            cmp = (x, y) -> store ? Arrays.compareUnsigned(x.obj, y.obj) : cstrcmp(x.obj, y.obj);
        }
        return desc ? cmp.reversed() : cmp;
    }

    /** strcoll in the C locale: byte order over C strings (stops at the first NUL). */
    private static int cstrcmp(byte[] x, byte[] y) {
        int xl = indexOf(x, 0, (byte) 0), yl = indexOf(y, 0, (byte) 0);
        if (xl < 0) xl = x.length;
        if (yl < 0) yl = y.length;
        return Arrays.compareUnsigned(x, 0, xl, y, 0, yl);
    }

    private static boolean isHash(byte[] p) {
        return p.length >= 1 && p[0] == '#' && (p.length == 1 || p[1] == 0);
    }

    /** Redis's lookupKeyByPattern: '#' is the element; "*" substituted, "->field" reads a hash field. */
    private static byte[] lookupByPattern(Client c, byte[] pattern, byte[] subst) {
        if (isHash(pattern)) return subst;
        // C string semantics: the pattern ends at its first NUL for strchr/strstr
        int clen = indexOf(pattern, 0, (byte) 0);
        if (clen < 0) clen = pattern.length;
        int p = -1;
        for (int i = 0; i < clen; i++) if (pattern[i] == '*') { p = i; break; }
        if (p < 0) return null;
        int f = -1;
        for (int i = p + 1; i + 1 < clen; i++) {
            if (pattern[i] == '-' && pattern[i + 1] == '>') { f = i; break; }
        }
        byte[] field = null;
        int fieldlen = 0;
        if (f >= 0 && f + 2 < clen) {
            fieldlen = pattern.length - f - 2;
            field = Arrays.copyOfRange(pattern, f + 2, pattern.length);
        }
        int postfix = pattern.length - (p + 1) - (field != null ? fieldlen + 2 : 0);
        byte[] k = new byte[p + subst.length + postfix];
        System.arraycopy(pattern, 0, k, 0, p);
        System.arraycopy(subst, 0, k, p, subst.length);
        System.arraycopy(pattern, p + 1, k, p + subst.length, postfix);
        Object o = Generic.lookupRead(c, k);
        if (o == null) return null;
        if (field != null) {
            if (!(o instanceof HashValue)) return null;
            return ((HashValue) o).get(field);
        }
        if (!(o instanceof byte[])) return null;
        return StringRecord.value((byte[]) o);
    }

    private static int indexOf(byte[] b, int from, byte v) {
        for (int i = from; i < b.length; i++) if (b[i] == v) return i;
        return -1;
    }
}
