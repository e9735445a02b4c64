package io.basalt.server.commands;

import io.basalt.data.Entries;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;

/**
 * EXPIRE PEXPIRE EXPIREAT PEXPIREAT (with NX XX GT LT), TTL PTTL EXPIRETIME PEXPIRETIME and
 * PERSIST, mirroring Redis 7.0's {@code expireGenericCommand} and {@code ttlGenericCommand}.
 * The Dispatcher holds the key's shard lock.
 */
final class KeyExpire {
    private KeyExpire() {}

    private static final int NX = 1;
    private static final int XX = 2;
    private static final int GT = 4;
    private static final int LT = 8;

    /**
     * @param basetime ms added to the argument (now for EXPIRE/PEXPIRE, 0 for the *AT forms)
     * @param seconds whether the argument is in seconds
     */
    static void expire(Client c, RespRequest a, long basetime, boolean seconds) {
        // options are parsed before the time, so a bad option wins over a bad number (as in Redis)
        int flags = 0;
        for (int j = 3; j < a.argc(); j++) {
            if (a.is(j, "NX")) flags |= NX;
            else if (a.is(j, "XX")) flags |= XX;
            else if (a.is(j, "GT")) flags |= GT;
            else if (a.is(j, "LT")) flags |= LT;
            else {
                c.error("ERR Unsupported option " + a.string(j));
                return;
            }
        }
        if ((flags & NX) != 0 && (flags & (XX | GT | LT)) != 0) {
            c.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if ((flags & GT) != 0 && (flags & LT) != 0) {
            c.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        Long arg = Generic.longArg(c, a, 2);
        if (arg == null) return;
        long when = arg;
        // negative times are allowed (they delete the key); only overflow is an error
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                invalidExpireTime(c, a);
                return;
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - basetime) {
            invalidExpireTime(c, a);
            return;
        }
        when += basetime;

        int db = c.db();
        byte[] key = a.bytes(1);
        Object e = KeyCommands.lookup(c, db, key, false, true);
        if (e == null) {
            c.out().integer(0);
            return;
        }
        if (flags != 0) {
            long current = Entries.expireAt(e);
            if ((flags & NX) != 0 && current != -1) {
                c.out().integer(0);
                return;
            }
            if ((flags & XX) != 0 && current == -1) {
                c.out().integer(0);
                return;
            }
            // no TTL counts as an infinite one: GT never passes, LT always does
            if ((flags & GT) != 0 && (when <= current || current == -1)) {
                c.out().integer(0);
                return;
            }
            if ((flags & LT) != 0 && current != -1 && when >= current) {
                c.out().integer(0);
                return;
            }
        }
        Shard s = c.server().keyspace().shardOf(key);
        // Redis's checkAlreadyExpired. The relative forms compare with the time they were based
        // on: one clock read per command, as Redis within one millisecond (a second read could
        // tick past PEXPIRE k 1 and delete the key). The AOF replay and a master link never
        // delete here: the key waits for the explicit DEL that follows it in their stream.
        long now = basetime != 0 ? basetime : System.currentTimeMillis();
        if (when <= now && !c.kind().obeys()) {
            // already in the past: the key is deleted (a DEL, not an expiry, in Redis's stats)
            s.remove(db, key);
            Generic.changed(c, KeyspaceEvents.GENERIC, "del", key);
            c.propagate(Propagate.delForExpire(c), key); // AOF: as Redis, a DEL (UNLINK)
            c.out().integer(1);
        } else {
            s.setExpire(db, e, when);
            // AOF: the absolute time, the NX/XX/GT/LT flags kept (Redis rewrites argv[0] and argv[2])
            byte[][] argv = new byte[a.argc()][];
            argv[0] = Propagate.PEXPIREAT;
            argv[1] = key;
            argv[2] = Propagate.number(when);
            for (int i = 3; i < argv.length; i++) argv[i] = a.bytes(i);
            c.propagate(argv);
            // (Redis replies before notifying here, and after for the deletion above)
            c.out().integer(1);
            Generic.changed(c, KeyspaceEvents.GENERIC, "expire", key);
        }
    }

    private static void invalidExpireTime(Client c, RespRequest a) {
        c.error("ERR invalid expire time in '" + a.lowerString(0) + "' command");
    }

    /**
     * TTL PTTL EXPIRETIME PEXPIRETIME: -2 for a missing key, -1 without TTL; relative times are
     * rounded to the nearest second by the second-resolution forms, relative and absolute alike.
     */
    static void ttl(Client c, RespRequest a, boolean ms, boolean absolute) {
        Object e = KeyCommands.lookup(c, c.db(), a.bytes(1), true, false);
        if (e == null) {
            c.out().integer(-2);
            return;
        }
        long at = Entries.expireAt(e);
        if (at == -1) {
            c.out().integer(-1);
            return;
        }
        long t = absolute ? at : at - System.currentTimeMillis();
        if (t < 0) t = 0;
        // (t + 500) / 1000 without overflowing near Long.MAX_VALUE (PEXPIREAT k 9223372036854775807)
        c.out().integer(ms ? t : t / 1000 + (t % 1000 + 500) / 1000);
    }

    static void persist(Client c, RespRequest a) {
        int db = c.db();
        byte[] key = a.bytes(1);
        Object e = KeyCommands.lookup(c, db, key, false, true);
        if (e == null || Entries.expireAt(e) == -1) {
            c.out().integer(0);
            return;
        }
        c.server().keyspace().shardOf(key).setExpire(db, e, -1);
        Generic.changed(c, KeyspaceEvents.GENERIC, "persist", key);
        c.out().integer(1);
    }
}
