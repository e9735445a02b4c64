package io.basalt.server.commands;

import io.basalt.data.HyperLogLog;
import io.basalt.data.StringRecord;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, following Redis 7.0's
 * hyperloglog.c check for check. An HLL is an ordinary string value in Redis's own format
 * ({@link HyperLogLog}), so what redis-server wrote is read here and the other way round.
 *
 * <p>A command works on the key's string record: dense register updates and the cached
 * cardinality are written into the stored record in place; when the HLL changes length (a
 * sparse update, the conversion to dense) or the record is stored compressed, a new record with
 * the same key and expiry is stored. Like Redis's {@code dbUnshareStringValue}, every command
 * that opens an existing HLL leaves the string "raw" (OBJECT ENCODING).
 */
public final class HyperLogLogCommands {
    private HyperLogLogCommands() {}

    static void register(CommandTable t) {
        // a corrupted sparse HLL may be as long as any string: its working copy is guarded
        t.register("pfadd", StringCommands.guarded(HyperLogLogCommands::pfadd));
        t.register("pfcount", StringCommands.guarded(HyperLogLogCommands::pfcount));
        t.register("pfmerge", StringCommands.guarded(HyperLogLogCommands::pfmerge));
        t.register("pfdebug", StringCommands.guarded(HyperLogLogCommands::pfdebug));
        t.register("pfselftest", HyperLogLogCommands::pfselftest);
    }

    /** Redis replies this (its own code, not ERR) for a string that is not an HLL. */
    static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
    static final String CORRUPTED = "INVALIDOBJ Corrupted HLL object detected";

    // ---------------------------------------------------------------- opening and storing

    /** An existing HLL opened for a command: the stored record, its plain form and the view. */
    private static final class Opened {
        final byte[] stored;
        final byte[] record;
        final HyperLogLog hll;
        /** The record's encoding tag was changed to raw (it must be stored if it is a copy). */
        final boolean retagged;

        Opened(byte[] stored, byte[] record, HyperLogLog hll, boolean retagged) {
            this.stored = stored;
            this.record = record;
            this.hll = hll;
            this.retagged = retagged;
        }
    }

    private static final Opened FAILED = new Opened(null, null, null, false);

    /**
     * Redis's {@code isHLLObjectOrReply} on an entry already looked up: null for a missing key,
     * {@link #FAILED} after replying WRONGTYPE (another type, or a string that is not an HLL),
     * else the HLL viewed in place. With {@code unshare} ({@code dbUnshareStringValue}: the
     * commands that may write the value) its record is tagged raw; inputs that are only read
     * keep their encoding.
     */
    private static Opened open(Client c, Object entry, boolean unshare) {
        byte[] stored = Generic.as(c, entry, byte[].class);
        if (Generic.failed(stored)) return FAILED;
        if (stored == null) return null;
        HyperLogLog h = view(stored);
        if (h == null) {
            c.error(NOT_HLL);
            return FAILED;
        }
        byte[] r = h.buffer();
        boolean retag = unshare && StringRecord.encoding(r) != StringRecord.ENC_RAW;
        if (retag) StringRecord.encoding(r, StringRecord.ENC_RAW);
        return new Opened(stored, r, h, retag);
    }

    /** The HLL in a string record (its plain form), or null when the string is not an HLL. */
    private static HyperLogLog view(byte[] stored) {
        // an int-encoded string is never an HLL (Redis: not sds-encoded), whatever its digits
        if (StringRecord.encoding(stored) == StringRecord.ENC_INT) return null;
        byte[] r = StringRecord.plain(stored);
        int vOff = StringRecord.valueOffset(r);
        if (!HyperLogLog.isValid(r, vOff, r.length - vOff)) return null;
        return HyperLogLog.wrap(r, vOff, r.length - vOff);
    }

    /**
     * Stores what the command did to an opened HLL: a new record when it moved to an array of
     * its own, the plain copy of a compressed record when it changed; nothing when it was
     * changed in place in the stored record.
     */
    private static void store(Client c, byte[] key, Opened o) {
        HyperLogLog h = o.hll;
        if (!h.inPlace()) {
            storeNew(c, key, h, StringRecord.expireAt(o.record));
        } else if (o.record != o.stored && (h.modified() || o.retagged)) {
            Generic.shard(c, key).put(c.db(), key, o.record);
        }
    }

    /** Stores the HLL as a new raw string record of {@code key}. */
    private static void storeNew(Client c, byte[] key, HyperLogLog h, long expireAt) {
        int n = h.length();
        byte[] r = StringRecord.allocate(key, n, expireAt, StringRecord.ENC_RAW);
        System.arraycopy(h.buffer(), h.offset(), r, r.length - n, n);
        Generic.shard(c, key).put(c.db(), key, r);
    }

    private static long sparseMaxBytes(Client c) {
        return Generic.limits(c).hllSparseMaxBytes;
    }

    // ---------------------------------------------------------------- PFADD

    static void pfadd(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        Object e = Generic.lookupWrite(c, key);
        HyperLogLog h;
        Opened o = null;
        int updated = 0;
        if (e == null) {
            h = HyperLogLog.empty();
            // Redis's dbAdd comes first: the "new" event precedes "pfadd"
            Generic.added(c, key);
            updated++;
        } else {
            o = open(c, e, true);
            if (o == FAILED) return;
            h = o.hll;
        }
        long max = sparseMaxBytes(c);
        ByteBuf buf = a.buffer();
        byte[] scratch = null;
        int result = 0;
        for (int j = 2; j < a.argc(); j++) {
            int len = a.length(j);
            if (buf.hasArray()) {
                result = h.add(buf.array(), buf.arrayOffset() + a.offset(j), len, max);
            } else {
                // an element read into a direct buffer (32 KB or more) may be as long as any argument
                if (scratch == null || scratch.length < len) scratch = io.basalt.data.HeapGuard.bytes(len);
                buf.getBytes(a.offset(j), scratch, 0, len);
                result = h.add(scratch, 0, len, max);
            }
            if (result < 0) break;
            updated += result;
        }
        // registers raised before a corrupted part was found stay raised, as in Redis; only a
        // complete PFADD signals, invalidates the cache and counts as a change
        if (result >= 0 && updated > 0) h.invalidateCache();
        if (o == null) storeNew(c, key, h, -1);
        else store(c, key, o);
        if (result < 0) {
            c.error(CORRUPTED);
            return;
        }
        if (updated > 0) Generic.changed(c, KeyspaceEvents.STRING, "pfadd", key);
        c.out().integer(updated > 0 ? 1 : 0);
    }

    // ---------------------------------------------------------------- PFCOUNT

    static void pfcount(Client c, RespRequest a) {
        if (a.argc() > 2) {
            // the cardinality of the union: registers merged one per byte, nothing stored
            byte[] max = new byte[HyperLogLog.REGISTERS];
            for (int j = 1; j < a.argc(); j++) {
                Object e = Generic.lookupRead(c, a.bytes(j));
                if (e == null) continue;
                Opened o = open(c, e, false);
                if (o == FAILED) return;
                if (!o.hll.mergeInto(max)) {
                    c.error(CORRUPTED);
                    return;
                }
            }
            c.out().integer(HyperLogLog.countRegisters(max));
            return;
        }
        byte[] key = a.bytes(1);
        Object e = Generic.lookupRead(c, key);
        if (e == null) {
            c.out().integer(0);
            return;
        }
        Opened o = open(c, e, true);
        if (o == FAILED) return;
        HyperLogLog h = o.hll;
        if (h.cacheValid()) {
            store(c, key, o);
            c.out().integer(h.cachedCardinality());
            return;
        }
        java.util.OptionalLong counted = h.count();
        if (counted.isEmpty()) {
            store(c, key, o);
            c.error(CORRUPTED);
            return;
        }
        long card = counted.getAsLong();
        h.cacheCardinality(card);
        store(c, key, o);
        // a read-only command that changed the value: Redis propagates it (server.dirty++), so
        // replicas and the AOF hold the same bytes
        c.signalModified(key);
        c.propagate(requestArgs(a));
        c.out().integer(card);
    }

    private static byte[][] requestArgs(RespRequest a) {
        byte[][] argv = new byte[a.argc()][];
        for (int i = 0; i < argv.length; i++) argv[i] = a.bytes(i);
        return argv;
    }

    // ---------------------------------------------------------------- PFMERGE

    static void pfmerge(Client c, RespRequest a) {
        byte[] max = new byte[HyperLogLog.REGISTERS];
        boolean useDense = false;
        // the destination is the first of the inputs
        for (int j = 1; j < a.argc(); j++) {
            Object e = Generic.lookupRead(c, a.bytes(j));
            if (e == null) continue;
            Opened o = open(c, e, false);
            if (o == FAILED) return;
            if (o.hll.encoding() == HyperLogLog.DENSE) useDense = true;
            if (!o.hll.mergeInto(max)) {
                c.error(CORRUPTED);
                return;
            }
        }
        byte[] dest = a.bytes(1);
        Object e = Generic.lookupWrite(c, dest);
        Opened o = null;
        HyperLogLog h;
        if (e == null) {
            h = HyperLogLog.empty();
            Generic.added(c, dest);
        } else {
            // checked as an input above
            o = open(c, e, true);
            h = o.hll;
        }
        // a dense input makes the destination dense at once, saving the conversion on the way
        if (useDense && !h.toDense()) {
            c.error(CORRUPTED);
            return;
        }
        h.setAll(max, sparseMaxBytes(c));
        if (o == null) storeNew(c, dest, h, -1);
        else store(c, dest, o);
        // PFMERGE is a mass add: Redis publishes "pfadd" for it
        Generic.changed(c, KeyspaceEvents.STRING, "pfadd", dest);
        c.out().ok();
    }

    // ---------------------------------------------------------------- PFDEBUG PFSELFTEST

    static void pfdebug(Client c, RespRequest a) {
        byte[] key = a.bytes(2);
        Object e = Generic.lookupWrite(c, key);
        if (e == null) {
            c.error("ERR The specified key does not exist");
            return;
        }
        Opened o = open(c, e, true);
        if (o == FAILED) return;
        HyperLogLog h = o.hll;
        if (a.is(1, "GETREG")) {
            if (h.encoding() == HyperLogLog.SPARSE) {
                if (!h.toDense()) {
                    store(c, key, o);
                    c.error(CORRUPTED);
                    return;
                }
                // the conversion is not signalled, but propagated (Redis: server.dirty++)
                c.dirty();
            }
            store(c, key, o);
            c.out().array(HyperLogLog.REGISTERS);
            for (int j = 0; j < HyperLogLog.REGISTERS; j++) c.out().integer(h.register(j));
        } else if (a.is(1, "DECODE")) {
            store(c, key, o);
            if (h.encoding() != HyperLogLog.SPARSE) {
                c.error("ERR HLL encoding is not sparse");
                return;
            }
            long n = h.decode(null);
            // a corrupted HLL may decode to more than an array holds: refused like a string
            // past what the heap can take
            if (n > Integer.MAX_VALUE - 16) throw new OutOfMemoryError("PFDEBUG DECODE reply of " + n + " bytes");
            byte[] out = io.basalt.data.HeapGuard.bytes((int) n);
            h.decode(out);
            c.out().bulk(out);
        } else if (a.is(1, "ENCODING")) {
            store(c, key, o);
            c.out().simple(h.encoding() == HyperLogLog.DENSE ? "dense" : "sparse");
        } else if (a.is(1, "TODENSE")) {
            boolean converted = false;
            if (h.encoding() == HyperLogLog.SPARSE) {
                if (!h.toDense()) {
                    store(c, key, o);
                    c.error(CORRUPTED);
                    return;
                }
                converted = true;
                c.dirty();
            }
            store(c, key, o);
            c.out().integer(converted ? 1 : 0);
        } else {
            store(c, key, o);
            byte[] sub = a.bytes(1);
            byte[] prefix = "ERR Unknown PFDEBUG subcommand '".getBytes(StandardCharsets.US_ASCII);
            byte[] msg = new byte[prefix.length + sub.length + 1];
            System.arraycopy(prefix, 0, msg, 0, prefix.length);
            System.arraycopy(sub, 0, msg, prefix.length, sub.length);
            msg[msg.length - 1] = '\'';
            c.error(msg);
        }
    }

    static void pfselftest(Client c, RespRequest a) {
        String failed = HyperLogLog.selfTest(sparseMaxBytes(c), new java.util.Random());
        if (failed == null) c.out().ok();
        else c.error("ERR " + failed);
    }
}
