package io.basalt.server.commands;

import io.basalt.data.Entries;
import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;
import io.basalt.server.command.Handler;

import java.math.BigDecimal;

/**
 * String commands, following Redis 7.0's t_string.c: the same order of checks (so the same error
 * wins when several apply), the same replies and the same resulting encodings (int / embstr /
 * raw, visible through OBJECT ENCODING).
 *
 * <p>Values live inside {@link StringRecord}s; a command that changes a value builds the new
 * record directly (one copy of the argument bytes out of the request buffer), and keeps the TTL
 * unless Redis would drop it (SET, GETSET, MSET and SETEX replace the whole key).
 */
public final class StringCommands {
    private StringCommands() {}

    static void register(CommandTable t) {
        t.register("get", StringCommands::get);
        t.register("set", StringCommands::set);
        t.register("setnx", StringCommands::setnx);
        t.register("setex", StringCommands::setex);
        t.register("psetex", StringCommands::psetex);
        t.register("getset", StringCommands::getset);
        t.register("getdel", StringCommands::getdel);
        t.register("getex", StringCommands::getex);
        t.register("mget", StringCommands::mget);
        t.register("mset", StringCommands::mset);
        t.register("msetnx", StringCommands::msetnx);
        t.register("append", guarded(StringCommands::append));
        t.register("strlen", StringCommands::strlen);
        t.register("getrange", StringCommands::getrange);
        t.register("substr", StringCommands::getrange);
        t.register("setrange", guarded(StringCommands::setrange));
        t.register("incr", StringCommands::incr);
        t.register("decr", StringCommands::decr);
        t.register("incrby", StringCommands::incrby);
        t.register("decrby", StringCommands::decrby);
        t.register("incrbyfloat", StringCommands::incrbyfloat);
        t.register("lcs", guarded(StringCommands::lcs));
    }

    static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";

    /**
     * Wraps a command that may allocate a string as large as proto-max-bulk-len (512MB by
     * default): when the JVM heap cannot hold it, the client gets Redis's OOM error instead of
     * losing its connection. The allocation happens before anything is stored or replied.
     */
    static Handler guarded(Handler h) {
        return (c, a) -> {
            try {
                h.execute(c, a);
            } catch (OutOfMemoryError e) {
                c.error(OOM);
            }
        };
    }

    static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    private static final byte[] EMPTY = new byte[0];

    // ---------------------------------------------------------------- shared helpers

    /**
     * A record for {@code key} holding argument {@code i}, copied once from the request buffer,
     * with the encoding Redis's {@code tryObjectEncoding} would give it.
     */
    static byte[] recordFromArg(byte[] key, RespRequest a, int i, long expireAt) {
        int len = a.length(i);
        byte[] r = StringRecord.allocate(key, len, expireAt, StringRecord.ENC_RAW);
        int vOff = r.length - len;
        a.buffer().getBytes(a.offset(i), r, vOff, len);
        StringRecord.encoding(r, StringRecord.encodingFor(r, vOff, len));
        return r;
    }

    /**
     * Replaces the value of an existing record of the same layout in place (the shard lock is
     * held, and no reply still refers to the old bytes: replies are copied into the output
     * buffer when written).
     */
    static void overwrite(byte[] r, RespRequest a, int i, long expireAt) {
        int len = a.length(i);
        int vOff = r.length - len;
        a.buffer().getBytes(a.offset(i), r, vOff, len);
        StringRecord.encoding(r, StringRecord.encodingFor(r, vOff, len));
        if (expireAt >= 0) StringRecord.expireInPlace(r, expireAt);
    }

    /**
     * Writes the value of a string record as a bulk reply, straight from the record (a
     * compressed one is decompressed first: the only extra cost a small value never pays).
     */
    static void replyValue(Client c, byte[] r) {
        if (StringRecord.isCompressed(r)) {
            c.out().bulk(StringRecord.value(r));
            return;
        }
        int off = StringRecord.valueOffset(r);
        c.out().bulk(r, off, r.length - off);
    }

    /**
     * Redis {@code checkStringLength}: whether a string of size + append bytes may exist; replies
     * the error if not. Java arrays add their own ceiling, reported with the same error.
     */
    static boolean checkStringLength(Client c, long size, long append, int keyLen) {
        long total = size + append;
        if (total > c.server().protoMaxBulkLen() || total < size || total < append
                || total + StringRecord.overhead(keyLen, true) > Integer.MAX_VALUE - 16) {
            c.error(STRING_TOO_LONG);
            return false;
        }
        return true;
    }

    private static Shard shard(Client c, byte[] key) {
        return Generic.shard(c, key);
    }

    // ---------------------------------------------------------------- GET / SET family

    static void get(Client c, RespRequest a) {
        replyGet(c, a.bytes(1));
    }

    /**
     * GET's reply for {@code key} (the value, or null), shared by GET, GETSET, GETDEL and SET ... GET.
     * Returns the record (null when missing), or after replying WRONGTYPE what
     * {@link Generic#failed} recognizes.
     */
    private static byte[] replyGet(Client c, byte[] key) {
        byte[] r = Generic.read(c, key, byte[].class);
        if (r == null) c.out().nullBulk();
        else if (!Generic.failed(r)) replyValue(c, r);
        return r;
    }

    // flags of parseExtendedStringArgumentsOrReply
    private static final int F_NX = 1;
    private static final int F_XX = 2;
    private static final int F_GET = 4;
    private static final int F_KEEPTTL = 8;
    private static final int F_PERSIST = 16;
    private static final int F_EX = 32;
    private static final int F_PX = 64;
    private static final int F_EXAT = 128;
    private static final int F_PXAT = 256;
    private static final int F_ERROR = -1;

    /**
     * Redis {@code parseExtendedStringArgumentsOrReply} over arguments from index 3 (SET) or 2
     * (GETEX). Returns the flags with the index of the expire argument in the bits above 16, or
     * {@link #F_ERROR} after replying a syntax error. Conflicting options are syntax errors; a
     * repeated expire option (EX 1 EX 2) is accepted and the last one wins, as in Redis.
     */
    private static int parseOptions(Client c, RespRequest a, int from, boolean set) {
        int f = 0;
        int expireArg = 0;
        int argc = a.argc();
        for (int j = from; j < argc; j++) {
            boolean next = j < argc - 1;
            if (set && a.is(j, "NX") && (f & F_XX) == 0) {
                f |= F_NX;
            } else if (set && a.is(j, "XX") && (f & F_NX) == 0) {
                f |= F_XX;
            } else if (set && a.is(j, "GET")) {
                f |= F_GET;
            } else if (set && a.is(j, "KEEPTTL") && (f & (F_PERSIST | F_EX | F_EXAT | F_PX | F_PXAT)) == 0) {
                f |= F_KEEPTTL;
            } else if (!set && a.is(j, "PERSIST") && (f & (F_EX | F_EXAT | F_PX | F_PXAT | F_KEEPTTL)) == 0) {
                f |= F_PERSIST;
            } else if (a.is(j, "EX") && (f & (F_KEEPTTL | F_PERSIST | F_EXAT | F_PX | F_PXAT)) == 0 && next) {
                f |= F_EX;
                expireArg = ++j;
            } else if (a.is(j, "PX") && (f & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PXAT)) == 0 && next) {
                f |= F_PX;
                expireArg = ++j;
            } else if (a.is(j, "EXAT") && (f & (F_KEEPTTL | F_PERSIST | F_EX | F_PX | F_PXAT)) == 0 && next) {
                f |= F_EXAT;
                expireArg = ++j;
            } else if (a.is(j, "PXAT") && (f & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PX)) == 0 && next) {
                f |= F_PXAT;
                expireArg = ++j;
            } else {
                c.error(Generic.SYNTAX);
                return F_ERROR;
            }
        }
        return f | (expireArg << 16);
    }

    /**
     * Redis {@code getExpireMillisecondsOrReply}: the absolute expiry in ms for argument i, or
     * Long.MIN_VALUE after replying the error. Relative times are added to the current time;
     * a result that is not positive (including overflow) is an invalid expire time.
     */
    private static long expireMillis(Client c, RespRequest a, int i, int flags, String cmd) {
        long ms;
        try {
            ms = Generic.parseLong(a, i);
        } catch (NumberFormatException e) {
            c.error(Generic.NOT_INTEGER);
            return Long.MIN_VALUE;
        }
        boolean seconds = (flags & (F_EX | F_EXAT)) != 0;
        if (ms <= 0 || (seconds && ms > Long.MAX_VALUE / 1000)) {
            c.error("ERR invalid expire time in '" + cmd + "' command");
            return Long.MIN_VALUE;
        }
        if (seconds) ms *= 1000;
        if ((flags & (F_EX | F_PX)) != 0) ms += System.currentTimeMillis(); // wraps like C on overflow
        if (ms <= 0) {
            c.error("ERR invalid expire time in '" + cmd + "' command");
            return Long.MIN_VALUE;
        }
        return ms;
    }

    static void set(Client c, RespRequest a) {
        int f = 0;
        if (a.argc() > 3) {
            f = parseOptions(c, a, 3, true);
            if (f == F_ERROR) return;
        }
        setGeneric(c, a, f & 0xffff, 2, f >>> 16, false, "set");
    }

    static void setnx(Client c, RespRequest a) { setGeneric(c, a, F_NX, 2, 0, true, "setnx"); }

    static void setex(Client c, RespRequest a) { setGeneric(c, a, F_EX, 3, 2, false, "setex"); }

    static void psetex(Client c, RespRequest a) { setGeneric(c, a, F_PX, 3, 2, false, "psetex"); }

    /**
     * Redis {@code setGenericCommand}: validates the expire, replies the old value for GET, applies
     * NX/XX, stores the value (dropping or keeping the TTL) and replies OK, or 1/0 for SETNX.
     */
    private static void setGeneric(Client c, RespRequest a, int flags, int valArg, int expireArg,
                                   boolean intReply, String cmd) {
        long expireAt = -1;
        if (expireArg > 0) {
            expireAt = expireMillis(c, a, expireArg, flags, cmd);
            if (expireAt == Long.MIN_VALUE) return;
        }
        byte[] key = a.bytes(1);
        Object old = null;
        boolean looked = false;
        if ((flags & F_GET) != 0) {
            old = replyGet(c, key);
            if (Generic.failed(old)) return;
            looked = true;
        }
        if ((flags & (F_NX | F_XX | F_KEEPTTL)) != 0) {
            if (!looked) old = Generic.lookupWrite(c, key);
            boolean found = old != null;
            if (((flags & F_NX) != 0 && found) || ((flags & F_XX) != 0 && !found)) {
                if ((flags & F_GET) == 0) {
                    if (intReply) c.out().integer(0);
                    else c.out().nullBulk();
                }
                return;
            }
            if ((flags & F_KEEPTTL) != 0 && found) expireAt = Entries.expireAt(old);
            looked = true;
        }
        // (also counts an expired key that SET replaces in expired_keys, as Redis's lookup does)
        if (!looked) old = Generic.lookupWrite(c, key);
        // (a value that may be stored compressed goes through Shard.put, which compresses it)
        if (old instanceof byte[] r && StringRecord.fitsInPlace(r, a.length(valArg), expireAt)
                && !c.server().keyspace().mayCompress(a.length(valArg))) {
            overwrite(r, a, valArg, expireAt);
            // a new value starts with a fresh LRU clock; under LFU it keeps the counter (dbOverwrite)
            if (!c.server().keyspace().eviction().lfu()) StringRecord.clock(r, Generic.lruClock());
        } else {
            shard(c, key).put(c.db(), key, recordFromArg(key, a, valArg, expireAt));
        }
        if (old == null) Generic.added(c, key);
        Generic.changed(c, KeyspaceEvents.STRING, "set", key);
        if (expireArg > 0) c.notifyKeyspaceEvent(KeyspaceEvents.GENERIC, "expire", key);
        // AOF: a relative or second-based expiry is logged as the absolute time it became
        // (Redis's setGenericCommand rewrites to SET key value PXAT <ms>)
        if (expireArg > 0 && (flags & F_PXAT) == 0) {
            c.propagate(Propagate.SET, key, a.bytes(valArg), Propagate.PXAT, Propagate.number(expireAt));
        }
        if ((flags & F_GET) == 0) {
            if (intReply) c.out().integer(1);
            else c.out().ok();
        }
    }

    static void getset(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        byte[] old = replyGet(c, key);
        if (Generic.failed(old)) return;
        shard(c, key).put(c.db(), key, recordFromArg(key, a, 2, -1));
        if (old == null) Generic.added(c, key);
        Generic.changed(c, KeyspaceEvents.STRING, "set", key);
    }

    static void getdel(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        byte[] r = replyGet(c, key);
        if (r != null && !Generic.failed(r)) {
            shard(c, key).remove(c.db(), key);
            Generic.changed(c, KeyspaceEvents.GENERIC, "del", key);
            // AOF: as Redis, a DEL (UNLINK with lazyfree-lazy-user-del)
            c.propagate(c.server().config().getBool("lazyfree-lazy-user-del") ? Propagate.UNLINK : Propagate.DEL, key);
        }
    }

    /**
     * GETEX: a missing key replies null before the options' values are even validated; an
     * absolute time in the past deletes the key (after replying its value), like Redis.
     */
    static void getex(Client c, RespRequest a) {
        int f = 0;
        if (a.argc() > 2) {
            f = parseOptions(c, a, 2, false);
            if (f == F_ERROR) return;
        }
        int flags = f & 0xffff;
        int expireArg = f >>> 16;
        byte[] key = a.bytes(1);
        byte[] r = Generic.read(c, key, byte[].class);
        if (Generic.failed(r)) return;
        if (r == null) {
            c.out().nullBulk();
            return;
        }
        long at = 0;
        if (expireArg > 0) {
            at = expireMillis(c, a, expireArg, flags, "getex");
            if (at == Long.MIN_VALUE) return;
        }
        replyValue(c, r);
        Shard s = shard(c, key);
        // AOF: logged as Redis's getexCommand rewrites it (DEL, PEXPIREAT <ms>, PERSIST)
        if ((flags & (F_PXAT | F_EXAT)) != 0 && at <= System.currentTimeMillis()) {
            s.remove(c.db(), key);
            Generic.changed(c, KeyspaceEvents.GENERIC, "del", key);
            c.propagate(Propagate.delForExpire(c), key);
        } else if (expireArg > 0) {
            s.put(c.db(), key, StringRecord.withExpire(r, at));
            Generic.changed(c, KeyspaceEvents.GENERIC, "expire", key);
            c.propagate(Propagate.PEXPIREAT, key, Propagate.number(at));
        } else if ((flags & F_PERSIST) != 0 && StringRecord.hasExpire(r)) {
            s.put(c.db(), key, StringRecord.withExpire(r, -1));
            Generic.changed(c, KeyspaceEvents.GENERIC, "persist", key);
            c.propagate(Propagate.PERSIST, key);
        }
    }

    // ---------------------------------------------------------------- multi-key

    /** MGET: a key that is missing or not a string is a null element, never an error. */
    static void mget(Client c, RespRequest a) {
        int n = a.argc() - 1;
        c.out().array(n);
        for (int i = 1; i <= n; i++) {
            Object e = Generic.lookupRead(c, a.bytes(i));
            if (e instanceof byte[] r) replyValue(c, r);
            else c.out().nullBulk();
        }
    }

    static void mset(Client c, RespRequest a) {
        if (a.argc() % 2 == 0) {
            c.error("ERR wrong number of arguments for 'mset' command");
            return;
        }
        msetAll(c, a);
        c.out().ok();
    }

    static void msetnx(Client c, RespRequest a) {
        if (a.argc() % 2 == 0) {
            c.error("ERR wrong number of arguments for 'msetnx' command");
            return;
        }
        for (int i = 1; i < a.argc(); i += 2) {
            if (Generic.lookupWrite(c, a.bytes(i)) != null) {
                c.out().integer(0);
                return;
            }
        }
        msetAll(c, a);
        c.out().integer(1);
    }

    private static void msetAll(Client c, RespRequest a) {
        for (int i = 1; i < a.argc(); i += 2) {
            byte[] key = a.bytes(i);
            // Redis's setKey looks the key up first: an expired one is reaped ("expired") and
            // the new value is then a new key
            boolean existed = Generic.lookupWrite(c, key) != null;
            shard(c, key).put(c.db(), key, recordFromArg(key, a, i + 1, -1));
            if (!existed) Generic.added(c, key);
            Generic.changed(c, KeyspaceEvents.STRING, "set", key);
        }
    }

    // ---------------------------------------------------------------- APPEND STRLEN GETRANGE SETRANGE

    static void append(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        byte[] stored = Generic.write(c, key, byte[].class);
        if (Generic.failed(stored)) return;
        if (stored == null) {
            // a new key gets the argument as SET would store it (int / embstr / raw)
            shard(c, key).put(c.db(), key, recordFromArg(key, a, 2, -1));
            Generic.added(c, key);
            Generic.changed(c, KeyspaceEvents.STRING, "append", key);
            c.out().integer(a.length(2));
            return;
        }
        // APPEND always builds a new record (and Shard.put recompresses it when eligible), so a
        // compressed value costs one decompression more, not a lost in-place path
        byte[] r = StringRecord.plain(stored);
        int oldLen = StringRecord.valueLength(r);
        int add = a.length(2);
        if (!checkStringLength(c, oldLen, add, key.length)) return;
        byte[] nr = java.util.Arrays.copyOf(r, r.length + add);
        a.buffer().getBytes(a.offset(2), nr, r.length, add);
        StringRecord.encoding(nr, StringRecord.ENC_RAW); // Redis unshares into a raw sds
        shard(c, key).put(c.db(), key, nr);
        Generic.changed(c, KeyspaceEvents.STRING, "append", key);
        c.out().integer(oldLen + (long) add);
    }

    static void strlen(Client c, RespRequest a) {
        byte[] r = Generic.read(c, a.bytes(1), byte[].class);
        if (Generic.failed(r)) return;
        c.out().integer(r == null ? 0 : StringRecord.valueLength(r));
    }

    /** GETRANGE / SUBSTR: indexes are parsed before the key is looked up, as in Redis. */
    static void getrange(Client c, RespRequest a) {
        Long start = Generic.longArg(c, a, 2);
        if (start == null) return;
        Long end = Generic.longArg(c, a, 3);
        if (end == null) return;
        byte[] stored = Generic.read(c, a.bytes(1), byte[].class);
        if (Generic.failed(stored)) return;
        if (stored == null) {
            c.out().bulk(EMPTY);
            return;
        }
        byte[] r = StringRecord.plain(stored);
        long s = start;
        long t = end;
        int vOff = StringRecord.valueOffset(r);
        long len = r.length - vOff;
        if (s < 0 && t < 0 && s > t) {
            c.out().bulk(EMPTY);
            return;
        }
        if (s < 0) s = len + s;
        if (t < 0) t = len + t;
        if (s < 0) s = 0;
        if (t < 0) t = 0;
        if (t >= len) t = len - 1;
        if (s > t || len == 0) {
            c.out().bulk(EMPTY);
        } else {
            c.out().bulk(r, vOff + (int) s, (int) (t - s + 1));
        }
    }

    static void setrange(Client c, RespRequest a) {
        Long offsetArg = Generic.longArg(c, a, 2);
        if (offsetArg == null) return;
        long offset = offsetArg;
        if (offset < 0) {
            c.error("ERR offset is out of range");
            return;
        }
        byte[] key = a.bytes(1);
        int vLen = a.length(3);
        Shard s = shard(c, key);
        byte[] r = Generic.write(c, key, byte[].class);
        if (Generic.failed(r)) return;
        if (r == null) {
            if (vLen == 0) {
                c.out().integer(0);
                return;
            }
            if (!checkStringLength(c, offset, vLen, key.length)) return;
            byte[] n = StringRecord.allocate(key, (int) offset + vLen, -1, StringRecord.ENC_RAW);
            a.buffer().getBytes(a.offset(3), n, n.length - vLen, vLen);
            s.put(c.db(), key, n);
            Generic.added(c, key);
            Generic.changed(c, KeyspaceEvents.STRING, "setrange", key);
            c.out().integer(offset + vLen);
            return;
        }
        int oldLen = StringRecord.valueLength(r);
        if (vLen == 0) {
            c.out().integer(oldLen);
            return;
        }
        if (!checkStringLength(c, offset, vLen, key.length)) return;
        int newLen = (int) Math.max(oldLen, offset + vLen);
        byte[] nr = StringRecord.grow(r, newLen);
        a.buffer().getBytes(a.offset(3), nr, StringRecord.valueOffset(nr) + (int) offset, vLen);
        StringRecord.encoding(nr, StringRecord.ENC_RAW);
        if (nr != r) s.put(c.db(), key, nr); // same length and not compressed: changed in place
        Generic.changed(c, KeyspaceEvents.STRING, "setrange", key);
        c.out().integer(newLen);
    }

    // ---------------------------------------------------------------- counters

    static void incr(Client c, RespRequest a) { incrDecr(c, a.bytes(1), 1); }

    static void decr(Client c, RespRequest a) { incrDecr(c, a.bytes(1), -1); }

    static void incrby(Client c, RespRequest a) {
        Long by = Generic.longArg(c, a, 2);
        if (by == null) return;
        incrDecr(c, a.bytes(1), by);
    }

    static void decrby(Client c, RespRequest a) {
        Long by = Generic.longArg(c, a, 2);
        if (by == null) return;
        if (by == Long.MIN_VALUE) {
            c.error("ERR decrement would overflow");
            return;
        }
        incrDecr(c, a.bytes(1), -by);
    }

    /** Redis {@code incrDecrCommand}: the result is an int-encoded string that keeps the key's TTL. */
    private static void incrDecr(Client c, byte[] key, long incr) {
        byte[] stored = Generic.write(c, key, byte[].class);
        if (Generic.failed(stored)) return;
        long value = 0;
        long expireAt = -1;
        if (stored != null) {
            byte[] r = StringRecord.plain(stored);
            int off = StringRecord.valueOffset(r);
            try {
                value = Numbers.parseLong(r, off, r.length - off);
            } catch (NumberFormatException ex) {
                c.error(Generic.NOT_INTEGER);
                return;
            }
            expireAt = StringRecord.expireAt(r);
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            c.error("ERR increment or decrement would overflow");
            return;
        }
        value += incr;
        int digits = Numbers.digits(value);
        byte[] nr = StringRecord.allocate(key, digits, expireAt, StringRecord.ENC_INT);
        Numbers.writeDigits(value, nr, nr.length - digits, digits);
        shard(c, key).put(c.db(), key, nr);
        if (stored == null) Generic.added(c, key);
        Generic.changed(c, KeyspaceEvents.STRING, "incrby", key);
        c.out().integer(value);
    }

    /**
     * INCRBYFLOAT in long double arithmetic (see {@link StringLongDouble}); the result is a new
     * embstr (or raw, when long) string that keeps the key's TTL.
     */
    static void incrbyfloat(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        byte[] stored = Generic.write(c, key, byte[].class);
        if (Generic.failed(stored)) return;
        BigDecimal value = BigDecimal.ZERO;
        long expireAt = -1;
        if (stored != null) {
            byte[] r = StringRecord.plain(stored);
            int off = StringRecord.valueOffset(r);
            value = StringLongDouble.parse(r, off, r.length - off);
            if (value == null) {
                c.error(Generic.NOT_FLOAT);
                return;
            }
            expireAt = StringRecord.expireAt(r);
        }
        BigDecimal incr = StringLongDouble.parse(a.bytes(2), 0, a.length(2));
        if (incr == null) {
            c.error(Generic.NOT_FLOAT);
            return;
        }
        BigDecimal sum = StringLongDouble.isInfinite(value) || StringLongDouble.isInfinite(incr)
                ? null : StringLongDouble.add(value, incr);
        if (sum == null) {
            c.error("ERR increment would produce NaN or Infinity");
            return;
        }
        byte[] text = StringLongDouble.format(sum);
        int enc = text.length <= StringRecord.EMBSTR_LIMIT ? StringRecord.ENC_EMBSTR : StringRecord.ENC_RAW;
        shard(c, key).put(c.db(), key, StringRecord.create(key, text, expireAt, enc));
        if (stored == null) Generic.added(c, key);
        Generic.changed(c, KeyspaceEvents.STRING, "incrbyfloat", key);
        // AOF: the result, not the float arithmetic (Redis: SET key value KEEPTTL)
        c.propagate(Propagate.SET, key, text, Propagate.KEEPTTL);
        c.out().bulk(text);
    }

    // ---------------------------------------------------------------- LCS

    /**
     * LCS with Redis's dynamic-programming table and its exact backtracking, so ties between
     * equally long subsequences resolve to the same string and the same IDX ranges.
     */
    static void lcs(Client c, RespRequest a) {
        Object ea = Generic.lookupRead(c, a.bytes(1));
        Object eb = Generic.lookupRead(c, a.bytes(2));
        if ((ea != null && !(ea instanceof byte[])) || (eb != null && !(eb instanceof byte[]))) {
            c.error("ERR The specified keys must contain string values");
            return;
        }
        byte[] ra = ea == null ? null : StringRecord.plain((byte[]) ea);
        byte[] rb = eb == null ? null : StringRecord.plain((byte[]) eb);
        boolean getLen = false;
        boolean getIdx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < a.argc(); j++) {
            int more = a.argc() - 1 - j;
            if (a.is(j, "IDX")) {
                getIdx = true;
            } else if (a.is(j, "LEN")) {
                getLen = true;
            } else if (a.is(j, "WITHMATCHLEN")) {
                withMatchLen = true;
            } else if (a.is(j, "MINMATCHLEN") && more > 0) {
                Long v = Generic.longArg(c, a, j + 1);
                if (v == null) return;
                minMatchLen = Math.max(v, 0);
                j++;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        if (getIdx && getLen) {
            c.error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        int aOff = ra == null ? 0 : StringRecord.valueOffset(ra);
        int alen = ra == null ? 0 : ra.length - aOff;
        int bOff = rb == null ? 0 : StringRecord.valueOffset(rb);
        int blen = rb == null ? 0 : rb.length - bOff;
        byte[] av = ra == null ? EMPTY : ra;
        byte[] bv = rb == null ? EMPTY : rb;

        long cells = (long) (alen + 1) * (blen + 1);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (cells > Integer.MAX_VALUE - 16 || cells * 4 > free / 2) {
            c.error("ERR Insufficient memory, failed allocating transient memory for LCS");
            return;
        }
        int w = blen + 1;
        int[] t = new int[(int) cells];
        for (int i = 1; i <= alen; i++) {
            byte ai = av[aOff + i - 1];
            int row = i * w;
            int prev = row - w;
            for (int j = 1; j <= blen; j++) {
                if (ai == bv[bOff + j - 1]) {
                    t[row + j] = t[prev + j - 1] + 1;
                } else {
                    int l1 = t[prev + j];
                    int l2 = t[row + j - 1];
                    t[row + j] = Math.max(l1, l2);
                }
            }
        }
        int total = t[alen * w + blen];
        boolean computeLcs = getIdx || !getLen;
        if (!computeLcs) {
            c.out().integer(total);
            return;
        }
        byte[] result = new byte[total];
        // the ranges are collected first: RESP needs the array length before the elements
        long[] ranges = getIdx ? new long[16] : null;
        int nranges = 0;
        int idx = total;
        int aStart = alen, aEnd = 0, bStart = 0, bEnd = 0; // aStart == alen: no range open
        int i = alen;
        int j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (av[aOff + i - 1] == bv[bOff + j - 1]) {
                result[idx - 1] = av[aOff + i - 1];
                if (aStart == alen) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--;
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) emit = true;
                idx--;
                i--;
                j--;
            } else {
                int l1 = t[(i - 1) * w + j];
                int l2 = t[i * w + j - 1];
                if (l1 > l2) i--;
                else j--;
                if (aStart != alen) emit = true;
            }
            int matchLen = aEnd - aStart + 1;
            if (emit) {
                if ((minMatchLen == 0 || matchLen >= minMatchLen) && ranges != null) {
                    if (nranges * 5 + 5 > ranges.length) ranges = java.util.Arrays.copyOf(ranges, ranges.length * 2);
                    ranges[nranges * 5] = aStart;
                    ranges[nranges * 5 + 1] = aEnd;
                    ranges[nranges * 5 + 2] = bStart;
                    ranges[nranges * 5 + 3] = bEnd;
                    ranges[nranges * 5 + 4] = matchLen;
                    nranges++;
                }
                aStart = alen;
            }
        }
        if (!getIdx) {
            c.out().bulk(result);
            return;
        }
        c.out().map(2);
        c.out().bulk(MATCHES);
        c.out().array(nranges);
        for (int k = 0; k < nranges; k++) {
            c.out().array(withMatchLen ? 3 : 2);
            c.out().array(2);
            c.out().integer(ranges[k * 5]);
            c.out().integer(ranges[k * 5 + 1]);
            c.out().array(2);
            c.out().integer(ranges[k * 5 + 2]);
            c.out().integer(ranges[k * 5 + 3]);
            if (withMatchLen) c.out().integer(ranges[k * 5 + 4]);
        }
        c.out().bulk(LEN);
        c.out().integer(total);
    }

    private static final byte[] MATCHES = {'m', 'a', 't', 'c', 'h', 'e', 's'};
    private static final byte[] LEN = {'l', 'e', 'n'};
}
