package io.basalt.server.commands;

import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Generic key commands: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX MOVE COPY TOUCH
 * EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST OBJECT SWAPDB.
 *
 * <p>Keyed commands run with their keys' shards already locked by the Dispatcher; KEYS, SCAN,
 * RANDOMKEY and SWAPDB lock shards themselves. Each handler follows the order of checks of the
 * Redis 7.0 function it mirrors, so that the first error Redis would reply is the one replied.
 */
public final class KeyCommands {
    private KeyCommands() {}

    static final String NO_SUCH_KEY = "ERR no such key";
    static final String SAME_OBJECT = "ERR source and destination objects are the same";
    static final String DB_OUT_OF_RANGE = "ERR DB index is out of range";

    static void register(CommandTable t) {
        t.register("del", KeyCommands::del);
        t.register("unlink", KeyCommands::del);
        t.register("exists", KeyCommands::exists);
        t.register("touch", KeyCommands::touch);
        t.register("type", KeyCommands::type);
        t.register("keys", KeyCommands::keys);
        t.register("scan", KeyScan::scan);
        t.register("randomkey", KeyCommands::randomkey);
        t.register("rename", (c, a) -> rename(c, a, false));
        t.register("renamenx", (c, a) -> rename(c, a, true));
        t.register("move", KeyCommands::move);
        t.register("copy", KeyCommands::copy);
        t.register("swapdb", KeyCommands::swapdb);
        t.register("expire", (c, a) -> KeyExpire.expire(c, a, System.currentTimeMillis(), true));
        t.register("pexpire", (c, a) -> KeyExpire.expire(c, a, System.currentTimeMillis(), false));
        t.register("expireat", (c, a) -> KeyExpire.expire(c, a, 0, true));
        t.register("pexpireat", (c, a) -> KeyExpire.expire(c, a, 0, false));
        t.register("ttl", (c, a) -> KeyExpire.ttl(c, a, false, false));
        t.register("pttl", (c, a) -> KeyExpire.ttl(c, a, true, false));
        t.register("expiretime", (c, a) -> KeyExpire.ttl(c, a, false, true));
        t.register("pexpiretime", (c, a) -> KeyExpire.ttl(c, a, true, true));
        t.register("persist", KeyExpire::persist);
        t.register("object|encoding", KeyObject::encoding);
        t.register("object|refcount", KeyObject::refcount);
        t.register("object|idletime", KeyObject::idletime);
        t.register("object|freq", KeyObject::freq);
        t.register("object|help", KeyObject::help);
    }

    // ---------------------------------------------------------------- lookups

    /**
     * Redis's {@code lookupKey} on an explicit database: deletes the key if it has expired,
     * counts keyspace hits/misses when {@code stats}, and updates the access clock when
     * {@code touch} (and the client has not set CLIENT NO-TOUCH). The key's shard must be locked.
     */
    static Object lookup(Client c, int db, byte[] key, boolean stats, boolean touch) {
        return lookup(c, db, key, stats, touch, stats);
    }

    /**
     * {@link #lookup} that says whether a miss publishes a "keymiss" event: Redis's read lookups
     * do unless called with {@code LOOKUP_NONOTIFY} (OBJECT) or for a write.
     */
    static Object lookup(Client c, int db, byte[] key, boolean stats, boolean touch, boolean notifyMiss) {
        Shard s = c.server().keyspace().shardOf(key);
        assert s.heldByCurrentThread() : "the Dispatcher locks the shards of a command's keys";
        Object e = s.get(db, key, c.lookupTime());
        if (e == null) {
            if (stats) c.server().stats().keyspaceMisses.increment();
            if (notifyMiss) c.server().events().notify(KeyspaceEvents.KEY_MISS, "keymiss", key, db);
        } else {
            if (stats) c.server().stats().keyspaceHits.increment();
            if (touch && !c.noTouch()) c.server().keyspace().eviction().touch(e);
        }
        return e;
    }

    /**
     * Redis's {@code getIntFromObjectOrReply} without a custom message: integer parse error, then
     * the int range error. Returns null after replying the error.
     */
    static Integer intArg(Client c, RespRequest a, int i) {
        Long v = Generic.longArg(c, a, i);
        if (v == null) return null;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            c.error("ERR value is out of range, value must between -2147483648 and 2147483647");
            return null;
        }
        return (int) (long) v;
    }

    /** {@code getIntFromObjectOrReply} with a custom message for every failure (SWAPDB). */
    static Integer intArg(Client c, RespRequest a, int i, String message) {
        long v;
        try {
            v = Generic.parseLong(a, i);
        } catch (NumberFormatException e) {
            c.error(message);
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            c.error(message);
            return null;
        }
        return (int) v;
    }

    static boolean clusterEnabled(Client c) {
        return c.server().config().param("cluster-enabled") != null && c.server().config().getBool("cluster-enabled");
    }

    // ---------------------------------------------------------------- DEL UNLINK EXISTS TOUCH TYPE

    /** DEL / UNLINK: an expired key is reaped (and counted as expired), not counted as deleted. */
    static void del(Client c, RespRequest a) {
        int db = c.db();
        long now = c.lookupTime();
        Keyspace ks = c.server().keyspace();
        long n = 0;
        for (int i = 1; i < a.argc(); i++) {
            byte[] key = a.bytes(i);
            Shard s = ks.shardOf(key);
            assert s.heldByCurrentThread();
            if (s.get(db, key, now) != null) {
                s.remove(db, key);
                Generic.changed(c, KeyspaceEvents.GENERIC, "del", key);
                n++;
            }
        }
        c.out().integer(n);
    }

    /** EXISTS counts a key once per time it is named. */
    static void exists(Client c, RespRequest a) {
        long n = 0;
        for (int i = 1; i < a.argc(); i++) {
            if (lookup(c, c.db(), a.bytes(i), true, false) != null) n++;
        }
        c.out().integer(n);
    }

    /** TOUCH updates the access clock even for a CLIENT NO-TOUCH client: that is its purpose. */
    static void touch(Client c, RespRequest a) {
        long n = 0;
        for (int i = 1; i < a.argc(); i++) {
            Object e = lookup(c, c.db(), a.bytes(i), true, false);
            if (e != null) {
                c.server().keyspace().eviction().touch(e);
                n++;
            }
        }
        c.out().integer(n);
    }

    static void type(Client c, RespRequest a) {
        Object e = lookup(c, c.db(), a.bytes(1), true, false);
        c.out().simple(e == null ? "none" : Entries.typeName(e));
    }

    // ---------------------------------------------------------------- KEYS RANDOMKEY

    /**
     * KEYS: shard by shard, each under its own lock only while it is walked, so a large keyspace
     * never stalls every other command at once. Like Redis, expired keys are skipped, not reaped.
     */
    static void keys(Client c, RespRequest a) {
        byte[] pattern = a.bytes(1);
        boolean all = pattern.length == 1 && pattern[0] == '*';
        Keyspace ks = c.server().keyspace();
        int db = c.db();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < ks.shardCount(); i++) {
            Shard s = ks.shard(i);
            if (s.size(db) == 0) continue;
            long now = System.currentTimeMillis();
            s.lock();
            try {
                s.forEach(db, e -> {
                    if (!all && !Entries.keyMatches(e, pattern, false)) return;
                    long at = Entries.expireAt(e);
                    if (at >= 0 && at <= now) return;
                    out.add(Entries.key(e));
                });
            } finally {
                s.unlock();
            }
        }
        c.out().array(out.size());
        for (byte[] k : out) c.out().bulk(k);
    }

    /**
     * RANDOMKEY: a shard chosen with probability proportional to its size, then a uniform entry
     * of it; an expired pick is reaped and another drawn, as Redis does.
     */
    static void randomkey(Client c, RespRequest a) {
        Keyspace ks = c.server().keyspace();
        int db = c.db();
        java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
        while (true) {
            long total = ks.size(db);
            if (total <= 0) {
                c.out().nullBulk();
                return;
            }
            long pick = rnd.nextLong(total);
            int idx = 0;
            for (; idx < ks.shardCount() - 1; idx++) {
                long sz = ks.shard(idx).size(db);
                if (pick < sz) break;
                pick -= sz;
            }
            Shard s = ks.shard(idx);
            byte[] key = null;
            s.lock();
            try {
                Object e = s.random(db);
                if (e != null) {
                    byte[] k = Entries.key(e);
                    // lazy expiry: an expired pick is deleted here and drawn again
                    if (s.get(db, k, c.lookupTime()) != null) key = k;
                }
            } finally {
                s.unlock();
            }
            if (key != null) {
                c.out().bulk(key);
                return;
            }
        }
    }

    // ---------------------------------------------------------------- RENAME MOVE COPY SWAPDB

    /** RENAME / RENAMENX; the Dispatcher holds both keys' shards. */
    static void rename(Client c, RespRequest a, boolean nx) {
        int db = c.db();
        byte[] src = a.bytes(1);
        byte[] dst = a.bytes(2);
        boolean same = Arrays.equals(src, dst);
        Object o = lookup(c, db, src, false, true);
        if (o == null) {
            c.error(NO_SUCH_KEY);
            return;
        }
        if (same) {
            if (nx) c.out().integer(0);
            else c.out().ok();
            return;
        }
        Keyspace ks = c.server().keyspace();
        if (lookup(c, db, dst, false, true) != null) {
            if (nx) {
                c.out().integer(0);
                return;
            }
            ks.shardOf(dst).remove(db, dst);
        }
        Object moved = Entries.withKey(o, dst);
        ks.shardOf(src).remove(db, src);
        ks.shardOf(dst).put(db, dst, moved);
        Generic.added(c, dst);
        c.signalModified(src);
        c.signalModified(dst);
        c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "rename_from", src);
        c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "rename_to", dst);
        if (nx) c.out().integer(1);
        else c.out().ok();
    }

    /** MOVE key db: the target database lives in the same shard, so the key's lock covers it. */
    static void move(Client c, RespRequest a) {
        if (clusterEnabled(c)) {
            c.error("ERR MOVE is not allowed in cluster mode");
            return;
        }
        int src = c.db();
        Integer dst = intArg(c, a, 2);
        if (dst == null) return;
        if (dst < 0 || dst >= c.server().keyspace().databases()) {
            c.error(DB_OUT_OF_RANGE);
            return;
        }
        if (dst == src) {
            c.error(SAME_OBJECT);
            return;
        }
        byte[] key = a.bytes(1);
        Object o = lookup(c, src, key, false, true);
        if (o == null) {
            c.out().integer(0);
            return;
        }
        if (lookup(c, dst, key, false, true) != null) {
            c.out().integer(0);
            return;
        }
        Shard s = c.server().keyspace().shardOf(key);
        s.remove(src, key);
        s.put(dst, key, o);
        KeyspaceEvents ev = c.server().events();
        ev.added(dst, key);
        ev.modified(c, src, key);
        ev.modified(c, dst, key);
        ev.notify(KeyspaceEvents.GENERIC, "move_from", key, src);
        ev.notify(KeyspaceEvents.GENERIC, "move_to", key, dst);
        c.out().integer(1);
    }

    /** COPY source destination [DB db] [REPLACE]. */
    static void copy(Client c, RespRequest a) {
        int srcDb = c.db();
        int dstDb = srcDb;
        boolean replace = false;
        for (int j = 3; j < a.argc(); j++) {
            int additional = a.argc() - j - 1;
            if (a.is(j, "REPLACE")) {
                replace = true;
            } else if (a.is(j, "DB") && additional >= 1) {
                Integer d = intArg(c, a, j + 1);
                if (d == null) return;
                if (d < 0 || d >= c.server().keyspace().databases()) {
                    c.error(DB_OUT_OF_RANGE);
                    return;
                }
                dstDb = d;
                j++;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        if (clusterEnabled(c) && (srcDb != 0 || dstDb != 0)) {
            c.error("ERR Copying to another database is not allowed in cluster mode");
            return;
        }
        byte[] key = a.bytes(1);
        byte[] newKey = a.bytes(2);
        if (srcDb == dstDb && Arrays.equals(key, newKey)) {
            c.error(SAME_OBJECT);
            return;
        }
        Object o = lookup(c, srcDb, key, true, true);
        if (o == null) {
            c.out().integer(0);
            return;
        }
        Keyspace ks = c.server().keyspace();
        if (lookup(c, dstDb, newKey, false, true) != null) {
            if (!replace) {
                c.out().integer(0);
                return;
            }
            ks.shardOf(newKey).remove(dstDb, newKey);
        }
        ks.shardOf(newKey).put(dstDb, newKey, Entries.copyAs(o, newKey));
        KeyspaceEvents ev = c.server().events();
        ev.added(dstDb, newKey);
        ev.modified(c, dstDb, newKey);
        ev.notify(KeyspaceEvents.GENERIC, "copy_to", newKey, dstDb);
        c.out().integer(1);
    }

    /** SWAPDB index1 index2: atomic for every other command (all shards locked for the swap). */
    static void swapdb(Client c, RespRequest a) {
        if (clusterEnabled(c)) {
            c.error("ERR SWAPDB is not allowed in cluster mode");
            return;
        }
        Integer id1 = intArg(c, a, 1, "ERR invalid first DB index");
        if (id1 == null) return;
        Integer id2 = intArg(c, a, 2, "ERR invalid second DB index");
        if (id2 == null) return;
        int n = c.server().keyspace().databases();
        if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) {
            c.error(DB_OUT_OF_RANGE);
            return;
        }
        if (!id1.equals(id2)) {
            Keyspace ks = c.server().keyspace();
            ks.lockAll();
            try {
                // the watches of keys in either database break (touchAllWatchedKeysInDb both ways)
                c.server().events().swapping(id1, id2);
                ks.swap(id1, id2);
                c.server().events().swapped(id1, id2);
            } finally {
                ks.unlockAll();
            }
        }
        c.out().ok();
    }

    // ---------------------------------------------------------------- shared reply helpers

    /** Redis's {@code addReplyHelp}: the header line, the lines given, then HELP's own entry. */
    static void help(Client c, String command, String... lines) {
        c.out().array(lines.length + 3);
        c.out().simple(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String l : lines) c.out().simple(l);
        c.out().simple("HELP");
        c.out().simple("    Prints this help.");
    }
}
