package io.basalt.persistence;

import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.Snapshot;
import io.basalt.data.StringRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Writes a point-in-time RDB (version 10) of a live {@link Keyspace} without stopping it: the
 * snapshot instant is taken under all shard locks, then entries are encoded shard by shard by the
 * calling thread while writers run (writers encode the entries they are about to change first, see
 * {@link Snapshot}); their chunks queue up and are written out in between steps. Databases may
 * appear more than once in the file (a SELECTDB before each switch), which Redis loads fine.
 */
public final class RdbWriter {
    private RdbWriter() {}

    /** What to record besides the data. */
    public static final class Options {
        public boolean compress = true;
        public boolean checksum = true;
        public String redisVersion = "7.0.15";
        public long usedMem;
        /**
         * Replication info (Redis's rdbSaveInfo): the stream's database, replication id and
         * offset the image stands at, written as the repl-stream-db / repl-id / repl-offset aux
         * fields when {@code replId} is set (a full sync's image; an RDB a restart may partially
         * resync from). The values may be filled in by {@link #atInstant}, which runs first.
         */
        public int replStreamDb;
        public String replId;
        public long replOffset;
        /** aof-base aux field: 1 when the file is the base of a multi-part AOF. */
        public boolean aofBase;
        /** RDB_OPCODE_IDLE (LRU policies) or RDB_OPCODE_FREQ (LFU policies) per key, as Redis. */
        public LruMode lruMode = LruMode.NONE;
        /**
         * Slab slots encoded per lock hold by the snapshot walk: a command on the shard being
         * walked waits for at most one step (GET p99 while snapshots of 1M keys run back to back:
         * 2.4x idle with 1024, 1.8-2.0x with 256 and 512, no better with 128).
         */
        public int stepSlots = 256;
        /**
         * Runs under all shard locks at the snapshot instant (the AOF rewrite's switch to a new
         * incremental file, a backup's cut of the AOF; see {@link Keyspace#beginSnapshot(Snapshot.Sink,
         * Runnable)}); a failure there fails the write before anything is written.
         */
        public AtInstant atInstant;
        /**
         * Held around the snapshot instant, taken before the shard locks (a replica's lock on
         * applying its master's stream, so the image and its offset agree); null for none.
         */
        public java.util.concurrent.locks.Lock instantLock;
        /**
         * Redis's hidden rdb-key-save-delay: microseconds to sleep per key written (negative: 1 us
         * once in -n keys), for tests that need a save or rewrite still running.
         */
        public int keySaveDelay;
        /** No keys, only the header and aux fields (a replica's REPLCONF rdb-filter-only). */
        public boolean excludeData;
        /**
         * The function libraries' codes, read at the snapshot instant (under every shard lock, as
         * a FUNCTION LOAD that propagates changes them) and written after the aux fields
         * (RDB_OPCODE_FUNCTION2).
         */
        public java.util.function.Supplier<java.util.List<byte[]>> functions = java.util.List::of;
        /** Checked between steps: true stops the write with an IOException (shutdown). */
        public java.util.function.BooleanSupplier cancelled;
    }

    /** Work done at the snapshot instant. */
    @FunctionalInterface
    public interface AtInstant {
        void run() throws IOException;
    }

    public enum LruMode { NONE, IDLE, FREQ }

    public record Result(long keys, long bytes) {}

    private record Chunk(int db, byte[] bytes) {}

    private static final class CrcOut {
        final OutputStream out;
        final boolean checksum;
        long crc;
        long bytes;

        CrcOut(OutputStream out, boolean checksum) {
            this.out = out;
            this.checksum = checksum;
        }

        void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            if (checksum) crc = Crc64.update(crc, b, off, len);
            bytes += len;
        }
    }

    /**
     * Writes a snapshot of {@code ks} as a complete RDB file to {@code out} (not closed). Waits for
     * a snapshot already in progress to end first. Returns keys written and bytes.
     */
    public static Result write(OutputStream out, Keyspace ks, Options o) throws IOException {
        ConcurrentLinkedQueue<Chunk> queue = new ConcurrentLinkedQueue<>();
        ThreadLocal<RdbEncoder> encoders = ThreadLocal.withInitial(() -> new RdbEncoder(o.compress, ks.limits()));
        // The walk (this thread) encodes every entry of a step into one reused buffer, noting
        // where the database changes; only entries that writers serialize before changing them
        // go through the queue. A chunk array, a queue node and a copy per key would be ~3 objects
        // and the encoded size again of garbage per key: for a million keys, enough young
        // collections to make G1 grow the heap by half while the snapshot runs.
        Thread walker = Thread.currentThread();
        StepBuffer step = new StepBuffer(new RdbEncoder(o.compress, ks.limits()));
        long[] keys = new long[1];
        int clockNow = (int) ((System.currentTimeMillis() / 1000) & 0xffffff);
        Snapshot.Sink sink = (db, e) -> {
            if (o.excludeData) return;
            boolean walk = Thread.currentThread() == walker;
            if (walk && o.keySaveDelay != 0) KeyspaceLoader.debugDelay(o.keySaveDelay);
            RdbEncoder enc = walk ? step.enc : encoders.get();
            if (walk) step.db(db);
            else enc.reset();
            long idle = -1;
            int freq = -1;
            int clock = Entries.clock(e);
            if (o.lruMode == LruMode.IDLE) idle = (clockNow - clock) & 0xffffff;
            else if (o.lruMode == LruMode.FREQ) freq = clock & 0xff;
            if (e instanceof byte[] r) { // a string record: its key is written from the record, uncopied
                enc.writeKeyValue(e, r, StringRecord.keyOffset(r), StringRecord.keyLength(r), StringRecord.expireAt(r), idle, freq);
            } else {
                enc.writeKeyValue(e, Entries.key(e), Entries.expireAt(e), idle, freq);
            }
            if (!walk) queue.add(new Chunk(db, enc.toByteArray()));
        };
        Snapshot snap;
        java.util.concurrent.atomic.AtomicReference<java.util.List<byte[]>> functions = new java.util.concurrent.atomic.AtomicReference<>();
        Runnable at = () -> {
            functions.set(o.functions.get());
            if (o.atInstant == null) return;
            try {
                o.atInstant.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        while (true) {
            if (o.instantLock != null) o.instantLock.lock();
            try {
                snap = ks.beginSnapshot(sink, at);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            } finally {
                if (o.instantLock != null) o.instantLock.unlock();
            }
            if (snap != null) break;
            if (o.cancelled != null && o.cancelled.getAsBoolean()) throw new IOException("cancelled");
            try {
                Thread.sleep(5);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for a snapshot in progress");
            }
        }
        CrcOut co = new CrcOut(out, o.checksum);
        try {
            RdbEncoder h = new RdbEncoder(o.compress, ks.limits());
            h.write("REDIS0010".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 9);
            h.writeAux("redis-ver", o.redisVersion);
            h.writeAux("redis-bits", 64);
            h.writeAux("ctime", System.currentTimeMillis() / 1000);
            h.writeAux("used-mem", o.usedMem);
            if (o.replId != null) {
                h.writeAux("repl-stream-db", o.replStreamDb);
                h.writeAux("repl-id", o.replId);
                h.writeAux("repl-offset", o.replOffset);
            }
            h.writeAux("aof-base", o.aofBase ? 1 : 0);
            for (byte[] code : functions.get()) h.writeFunction(code);
            co.write(h.array(), 0, h.size());
            int[] curDb = {-1};
            boolean[] seen = new boolean[ks.databases()];
            RdbEncoder sel = new RdbEncoder(false, ks.limits());
            boolean more = true;
            while (more) {
                if (o.cancelled != null && o.cancelled.getAsBoolean()) throw new IOException("cancelled");
                more = snap.step(o.stepSlots);
                // the walk's entries, one run per database
                for (int i = 0; i < step.runs; i++) {
                    int from = step.starts[i];
                    int to = i + 1 < step.runs ? step.starts[i + 1] : step.enc.size();
                    selectDb(co, sel, snap, seen, curDb, step.dbs[i]);
                    co.write(step.enc.array(), from, to - from);
                }
                keys[0] += step.entries;
                step.clear();
                Chunk c;
                while ((c = queue.poll()) != null) {
                    selectDb(co, sel, snap, seen, curDb, c.db);
                    co.write(c.bytes, 0, c.bytes.length);
                    keys[0]++;
                }
            }
            byte[] eof = {(byte) Rdb.OPCODE_EOF};
            co.write(eof, 0, 1);
            long crc = o.checksum ? co.crc : 0;
            byte[] tail = new byte[8];
            for (int i = 0; i < 8; i++) tail[i] = (byte) (crc >> (8 * i));
            co.write(tail, 0, 8);
            out.flush();
        } catch (IOException | RuntimeException ex) {
            snap.abort();
            throw ex;
        }
        return new Result(keys[0], co.bytes);
    }

    /** SELECTDB (and RESIZEDB the first time) when the next entries belong to another database. */
    private static void selectDb(CrcOut co, RdbEncoder sel, Snapshot snap, boolean[] seen, int[] curDb, int db)
            throws IOException {
        if (db == curDb[0]) return;
        sel.reset();
        sel.write(Rdb.OPCODE_SELECTDB);
        sel.writeLen(db);
        if (!seen[db]) {
            seen[db] = true;
            sel.write(Rdb.OPCODE_RESIZEDB);
            sel.writeLen(snap.size(db));
            sel.writeLen(snap.expires(db));
        }
        co.write(sel.array(), 0, sel.size());
        curDb[0] = db;
    }

    /** The entries the walk encoded in one step: one buffer, and where each database's run starts. */
    private static final class StepBuffer {
        final RdbEncoder enc;
        int[] starts = new int[4];
        int[] dbs = new int[4];
        int runs;
        long entries;

        StepBuffer(RdbEncoder enc) { this.enc = enc; }

        /** Called before each entry of database {@code db} is appended. */
        void db(int db) {
            entries++;
            if (runs > 0 && dbs[runs - 1] == db) return;
            if (runs == starts.length) {
                starts = java.util.Arrays.copyOf(starts, runs * 2);
                dbs = java.util.Arrays.copyOf(dbs, runs * 2);
            }
            starts[runs] = enc.size();
            dbs[runs++] = db;
        }

        void clear() {
            enc.reset();
            runs = 0;
            entries = 0;
        }
    }
}
