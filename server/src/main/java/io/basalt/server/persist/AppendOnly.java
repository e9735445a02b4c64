package io.basalt.server.persist;

import io.basalt.data.Entries;
import io.basalt.data.HashValue;
import io.basalt.data.Keyspace;
import io.basalt.data.ListValue;
import io.basalt.data.SetValue;
import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.data.ZSetValue;
import io.basalt.persistence.aof.AofException;
import io.basalt.persistence.aof.AofLoader;
import io.basalt.persistence.aof.AofLog;
import io.basalt.persistence.aof.AofManifest;
import io.basalt.persistence.aof.RdbStreamLoader;
import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;
import io.basalt.server.client.ClientKind;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.config.ConfigException;
import io.basalt.server.exec.Effect;
import io.basalt.server.exec.EffectSink;
import io.basalt.server.exec.EffectStream;
import io.basalt.server.exec.Propagation;
import io.basalt.server.exec.Watermark;
import io.basalt.server.module.ServerModule;
import io.basalt.server.util.Log;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's side of the append-only file: a sink of the {@link EffectStream} while appendonly
 * is on (what each write propagates is decided by {@link Propagation}), loading at startup
 * through a client of kind {@link ClientKind#AOF_LOADER}, BGREWRITEAOF without fork, and the
 * INFO persistence aof_* fields.
 *
 * <p>A rewrite is point-in-time without a snapshot: with every shard locked for an instant a new
 * incremental file is opened, then each shard is written to the new base before its first change
 * after that instant (by the writer touching it, under its lock) or by the rewrite thread, whichever
 * comes first. So the base holds exactly the state the new incremental file starts from, even for
 * non-idempotent commands (INCR, LPUSH), and a writer waits at most for one shard's serialization.
 */
public final class AppendOnly implements EffectSink, ServerModule {
    private static final int ITEMS_PER_CMD = 64; // Redis's AOF_REWRITE_ITEMS_PER_CMD

    private final BasaltServer server;
    private volatile AofLog log;
    private volatile RdbStreamLoader rdbLoader;
    private volatile boolean loading;

    // rewrite state
    private final Object rewriteLock = new Object();
    private volatile boolean rewriting;
    private volatile boolean scheduled;
    private boolean[] dumped; // guarded by baseLock
    private final Object baseLock = new Object();
    private OutputStream base; // guarded by baseLock
    private volatile long rewriteStartMillis = -1;
    private volatile long lastRewriteSeconds = -1;
    private volatile boolean lastRewriteOk = true;
    private volatile long rewrites;
    private volatile long consecutiveFailures;

    public AppendOnly(BasaltServer server) {
        this.server = server;
    }

    /** The RDB reader, for base files with an RDB preamble (plugged in by the RDB code). */
    public void rdbLoader(RdbStreamLoader loader) { this.rdbLoader = loader; }

    public boolean enabled() { return log != null; }

    public boolean loading() { return loading; }

    AofLog log() { return log; }

    private static AofLog.Fsync fsync(String v) {
        return switch (v) {
            case "always" -> AofLog.Fsync.ALWAYS;
            case "no" -> AofLog.Fsync.NO;
            default -> AofLog.Fsync.EVERYSEC;
        };
    }

    private Path aofDir() {
        return Path.of(server.config().get("dir")).resolve(server.config().get("appenddirname"));
    }

    private AofLog newLog() {
        return new AofLog(aofDir(), server.config().get("appendfilename"), fsync(server.config().get("appendfsync")),
                server.config().getBool("aof-timestamp-enabled"), Log::notice, Log::warning);
    }

    // ---------------------------------------------------------------- startup

    /**
     * With appendonly yes: loads the files of the manifest (Redis's loadAppendOnlyFiles) and opens
     * the log for appending. Throws with the message to print when the files cannot be used.
     */
    public void startup() throws AofException, IOException {
        if (!server.config().getBool("appendonly")) return;
        AofLog l = newLog();
        AofManifest m = upgradeOldAof(l, l.readManifest());
        if (m != null) {
            loading = true;
            long start = System.nanoTime();
            try {
                load(l.dir(), m);
            } finally {
                loading = false;
            }
            Log.notice(String.format("DB loaded from append only file: %.3f seconds", (System.nanoTime() - start) / 1e9));
        }
        // a fresh start writes a base of the (empty) keyspace at once, as Redis does, so the
        // directory always holds a complete layout; an RDB one with aof-use-rdb-preamble
        boolean rdb = preamble();
        l.open(m, rdb, rdb ? this::writeRdbBase : null);
        log = l;
        server.effects().subscribe(this);
    }

    /**
     * Redis 7.0's upgrade from a pre-7.0 single-file AOF (loadAppendOnlyFiles, aofUpgradePrepare):
     * when {@code appendfilename} exists in {@code dir} and the append-only directory has no
     * layout yet (no directory, no manifest, or only the manifest such an upgrade writes, naming
     * that file as base, the file not yet moved), the file becomes base number 1: a manifest
     * saying so is written into the directory, then the file is moved there. So the data of an
     * old AOF is loaded, not replaced by an empty dataset, and an interrupted upgrade finishes.
     */
    private AofManifest upgradeOldAof(AofLog l, AofManifest m) throws IOException {
        String name = server.config().get("appendfilename");
        Path old = Path.of(server.config().get("dir")).resolve(name);
        if (!java.nio.file.Files.isRegularFile(old)) return m;
        Path dir = aofDir();
        boolean upgrade = !java.nio.file.Files.isDirectory(dir) || m == null
                || (m.base == null && m.incr.isEmpty())
                || (m.base != null && m.incr.isEmpty() && m.base.name().equals(name)
                    && !java.nio.file.Files.exists(dir.resolve(name)));
        if (!upgrade) return m;
        java.nio.file.Files.createDirectories(dir);
        AofManifest up = m == null ? new AofManifest() : m.copy();
        up.base = new AofManifest.Entry(name, 1, 'b');
        up.currBaseSeq = 1;
        up.persist(dir, l.manifestName());
        java.nio.file.Files.move(old, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Log.notice("Successfully migrated an old-style AOF into the AOF directory (" + server.config().get("appenddirname") + ").");
        return up;
    }

    private void load(Path dir, AofManifest m) throws AofException, IOException {
        List<AofManifest.Entry> files = new ArrayList<>();
        if (m.base != null) files.add(m.base);
        files.addAll(m.incr);
        boolean truncate = server.config().getBool("aof-load-truncated");
        // Redis's fake client with CLIENT_ID_AOF (UINT64_MAX): never listed, never a real id
        Client fake = new Client(server, server.events(), new io.netty.channel.embedded.EmbeddedChannel(), -1, ClientKind.AOF_LOADER);
        fake.out().target(io.netty.buffer.Unpooled.buffer(256));
        AofLoader loader = new AofLoader(Log::warning, rdbLoader);
        try {
            for (int i = 0; i < files.size(); i++) {
                AofManifest.Entry e = files.get(i);
                Path p = dir.resolve(e.name());
                if (!java.nio.file.Files.exists(p)) {
                    throw new AofException("The AOF file " + e.name() + " doesn't exist");
                }
                long start = System.nanoTime();
                AofLoader.Status st = loader.load(p, argv -> replay(fake, argv, e.name()), truncate, i == files.size() - 1);
                if (st != AofLoader.Status.EMPTY) {
                    Log.notice(String.format("DB loaded from %s file %s: %.3f seconds", e.type() == 'b' ? "base" : "incr",
                            e.name(), (System.nanoTime() - start) / 1e9));
                }
            }
        } finally {
            fake.out().target().release();
        }
    }

    private void replay(Client fake, byte[][] argv, String file) throws AofException {
        RespRequest req = RespRequest.of(argv);
        CommandSpec spec = server.commands().lookup(req, 0);
        if (spec == null) {
            throw new AofException("Unknown command '" + new String(argv[0], StandardCharsets.ISO_8859_1)
                    + "' reading the append only file " + file);
        }
        fake.beginReply();
        server.dispatcher().dispatch(fake, req);
        fake.out().target().clear();
    }

    // ---------------------------------------------------------------- the effect-stream sink

    /**
     * A unit of the effect stream, under the writes' shard locks: appended to the log buffer
     * (the writer thread writes and fsyncs it by appendfsync).
     */
    @Override
    public void accept(long seq, List<Effect> rs) {
        AofLog l = log;
        if (l == null) return;
        int i = 0;
        // consecutive records of one database go in one call (one SELECT at most); what only
        // replicas get (a standalone PUBLISH) is left out, as Redis's PROPAGATE_REPL
        while (i < rs.size()) {
            if (rs.get(i).replicasOnly()) {
                i++;
                continue;
            }
            int db = rs.get(i).db();
            List<byte[][]> group = new ArrayList<>();
            for (; i < rs.size() && (rs.get(i).db() == db || rs.get(i).db() == -1); i++) {
                if (!rs.get(i).replicasOnly()) group.add(rs.get(i).argv());
            }
            l.append(db, group);
        }
    }

    /** With appendfsync always, replies wait for the fsync of everything appended before them. */
    @Override
    public Watermark durability() {
        AofLog l = log;
        if (l == null || l.fsync() != AofLog.Fsync.ALWAYS) return null;
        return durable;
    }

    /** The log's fsynced offset as a {@link Watermark} (the log may be switched off meanwhile). */
    private final Watermark durable = new Watermark() {
        @Override
        public long position() {
            AofLog l = log;
            return l == null ? 0 : l.appendedOffset();
        }

        @Override
        public long reached() {
            AofLog l = log;
            return l == null ? Long.MAX_VALUE : l.durableOffset();
        }

        @Override
        public void whenReached(long position, Runnable action) {
            AofLog l = log;
            if (l == null) action.run();
            else l.whenDurable(position, action);
        }
    };

    /** Redis's writeCommandsDeniedByDiskError for the AOF: the MISCONF error, or null. */
    public String writeDenied() {
        AofLog l = log;
        if (l == null || l.writeOk()) return null;
        return "MISCONF Errors writing to the AOF file: " + l.writeError();
    }

    // ---------------------------------------------------------------- config

    @Override
    public void bind(io.basalt.server.config.Config config) {
        config.bind("appendonly", this::appendonly);
        config.bind("appendfsync", this::fsyncPolicy);
        config.bind("aof-timestamp-enabled", this::timestamps);
    }

    /** CONFIG SET appendonly: yes starts logging with a rewrite (as Redis), no stops it. */
    void appendonly(String v) throws ConfigException {
        boolean on = v.equals("yes");
        if (!server.listening()) return; // at startup, startup() opens the log
        if (on && log == null) {
            AofLog l = newLog();
            try {
                // files left from an earlier run are not this keyspace: a fresh manifest (numbered
                // after theirs) lists only the new incremental file until the rewrite adds the base
                AofManifest old = null;
                try {
                    old = l.readManifest();
                } catch (AofException e) {
                    Log.warning(e.getMessage());
                }
                AofManifest fresh = new AofManifest();
                if (old != null) {
                    fresh.currBaseSeq = old.currBaseSeq;
                    fresh.currIncrSeq = old.currIncrSeq;
                }
                l.open(fresh);
                if (old != null) {
                    List<AofManifest.Entry> gone = new ArrayList<>(old.history);
                    if (old.base != null) gone.add(old.base);
                    gone.addAll(old.incr);
                    for (AofManifest.Entry e : gone) java.nio.file.Files.deleteIfExists(l.dir().resolve(e.name()));
                }
            } catch (IOException e) {
                Log.warning("Unable to turn on AOF: " + e.getMessage());
                throw new ConfigException("Unable to turn on AOF. Check server logs.");
            }
            log = l;
            server.effects().subscribe(this);
            rewrite(true);
        } else if (!on && log != null) {
            abortRunningRewrite();
            AofLog l = log;
            server.effects().unsubscribe(this);
            log = null;
            l.close();
        }
    }

    void fsyncPolicy(String v) {
        AofLog l = log;
        if (l != null) l.fsync(fsync(v));
    }

    void timestamps(String v) {
        AofLog l = log;
        if (l != null) l.timestamps(v.equals("yes"));
    }

    /** Writes out and fsyncs everything appended so far (shutdown's flushAppendOnlyFile + fsync). */
    public void flush() {
        AofLog l = log;
        if (l == null) return;
        try {
            l.flush();
        } catch (IOException e) {
            Log.warning("Fail to fsync the AOF file: " + e.getMessage() + ".");
        }
    }

    /** Flushes, fsyncs and closes the log (shutdown; a second call does nothing). */
    public void close() {
        AofLog l = log;
        if (l != null) l.close();
    }

    // ---------------------------------------------------------------- rewrite

    public boolean rewriting() { return rewriting; }

    /** INFO memory's mem_aof_buffer: the bytes appended and not yet written. */
    public long bufferLength() {
        AofLog l = log;
        return l == null ? 0 : l.bufferLength();
    }

    /**
     * BGREWRITEAOF: starts a rewrite in the background; false when one is already running (the
     * caller then replies as Redis does).
     */
    public boolean rewrite() {
        return rewrite(false);
    }

    private boolean rewrite(boolean initial) {
        synchronized (rewriteLock) {
            if (rewriting || cancelRewrite) return false;
            rewriting = true;
            initialRewrite = initial;
        }
        rewriteStartMillis = System.currentTimeMillis();
        Thread t = new Thread(log == null ? this::rewriteWhileOff : this::doRewrite, "basalt-aof-rewrite");
        t.setDaemon(true);
        rewriteThread = t;
        t.start();
        return true;
    }

    private volatile Thread rewriteThread;
    private volatile boolean cancelRewrite;
    /** The rewrite CONFIG SET appendonly yes started: until it ends the AOF holds no base (Redis's AOF_WAIT_REWRITE). */
    private volatile boolean initialRewrite;

    /** Whether the running rewrite is the first one of an AOF turned on at runtime. */
    public boolean writingInitialAof() { return rewriting && initialRewrite; }

    /**
     * Shutdown: stops a running rewrite and waits for its thread to end (Redis kills the rewrite
     * child: the current files already hold the whole dataset). Later rewrites are refused.
     */
    public void cancelRewrite() {
        cancelRewrite = true;
        Thread t = rewriteThread;
        if (t != null) {
            Log.warning("There is a child rewriting the AOF. Killing it!");
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A shutdown that failed: rewrites are allowed again. */
    public void allowRewrite() { cancelRewrite = false; }

    /** Set while CONFIG SET appendonly no stops the running rewrite (Redis's killAppendOnlyChild). */
    private volatile boolean abortRewrite;

    /** Whether the running rewrite is to stop now, leaving the files as they were. */
    private boolean stopping() { return cancelRewrite || abortRewrite; }

    /**
     * CONFIG SET appendonly no during a rewrite: the rewrite stops before it changes any file
     * (its temporary base is deleted, the manifest untouched), and the log closes after it.
     */
    private void abortRunningRewrite() {
        Thread t = rewriteThread;
        if (t == null) return;
        Log.notice("Killing running AOF rewrite child");
        abortRewrite = true;
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            abortRewrite = false;
        }
    }

    private boolean preamble() {
        return server.config().getBool("aof-use-rdb-preamble");
    }

    /** An RDB image of the keyspace as an AOF base (aux aof-base 1), as rdbSaveRio with RDBFLAGS_AOF_PREAMBLE. */
    private void writeRdbBase(OutputStream out) throws IOException {
        io.basalt.persistence.RdbWriter.Options o = server.persistence().options();
        o.aofBase = true;
        io.basalt.persistence.RdbWriter.write(out, server.keyspace(), o);
    }

    private void doRewrite() {
        if (preamble()) {
            doRdbRewrite();
            return;
        }
        AofLog l = log;
        Keyspace ks = server.keyspace();
        Path tmp = l.tempBase();
        boolean ok = false;
        try {
            Log.notice("Background append only file rewriting started");
            FileOutputStream fos = new FileOutputStream(tmp.toFile());
            synchronized (baseLock) {
                base = new BufferedOutputStream(fos, 1 << 16);
                dumped = new boolean[ks.shardCount()];
                if (server.config().getBool("aof-timestamp-enabled")) {
                    base.write(("#TS:" + System.currentTimeMillis() / 1000 + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
            // the switch to a new incremental file falls between two commands
            ks.lockAll();
            try {
                l.startRewrite();
                // the function libraries first, as of the switch (Redis's rewriteFunctions)
                synchronized (baseLock) {
                    writeFunctions(base);
                }
                shardsPending = true;
            } finally {
                ks.unlockAll();
            }
            for (int i = 0; i < ks.shardCount(); i++) {
                if (stopping()) throw new IOException("cancelled");
                Shard s = ks.shard(i);
                s.lock();
                try {
                    beforeWrite(s);
                } finally {
                    s.unlock();
                }
            }
            shardsPending = false;
            synchronized (baseLock) {
                base.flush();
                fos.getFD().sync();
                base.close();
                base = null;
            }
            if (stopping()) throw new IOException("cancelled");
            l.finishRewrite(tmp);
            ok = true;
            Log.notice("Background AOF rewrite finished successfully");
        } catch (IOException | RuntimeException e) {
            rewriteFailed(e);
            shardsPending = false;
            synchronized (baseLock) {
                try {
                    if (base != null) base.close();
                } catch (IOException ignored) {
                    // the temp file is removed below anyway
                }
                base = null;
            }
            try {
                java.nio.file.Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a stale temp file is overwritten by the next rewrite
            }
        } finally {
            rewriteEnded(ok);
        }
    }

    /**
     * A rewrite whose base is an RDB image (aof-use-rdb-preamble yes): the forkless snapshot
     * writer, with the switch to a new incremental file done at the snapshot instant (under the
     * same all-shard locks). The snapshot holds each key as of that instant (writers serialize
     * what they are about to change first) and every record after it goes to the new incremental
     * file, so nothing is lost or doubled, and writers keep running meanwhile.
     */
    private void doRdbRewrite() {
        AofLog l = log;
        Path tmp = l.tempBase();
        boolean ok = false;
        try {
            Log.notice("Background append only file rewriting started");
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 BufferedOutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
                io.basalt.persistence.RdbWriter.Options o = server.persistence().options();
                o.aofBase = true;
                o.atInstant = l::startRewrite;
                o.cancelled = this::stopping;
                io.basalt.persistence.RdbWriter.write(out, server.keyspace(), o);
                out.flush();
                fos.getFD().sync();
            }
            if (stopping()) throw new IOException("cancelled");
            l.finishRewrite(tmp, true);
            ok = true;
            Log.notice("Background AOF rewrite finished successfully");
        } catch (IOException | RuntimeException e) {
            rewriteFailed(e);
            try {
                java.nio.file.Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a stale temp file is overwritten by the next rewrite
            }
        } finally {
            rewriteEnded(ok);
        }
    }

    /** The INFO aof_* bookkeeping at the end of a rewrite, whichever kind. */
    private void rewriteFailed(Exception e) {
        // stopped by a shutdown, as Redis kills the child with SIGUSR1: not counted as a failure
        if (stopping()) Log.warning("Background AOF rewrite terminated by signal 10");
        else Log.warning("Background AOF rewrite failed: " + e);
    }

    private void rewriteEnded(boolean ok) {
        lastRewriteSeconds = (System.currentTimeMillis() - rewriteStartMillis) / 1000;
        rewriteStartMillis = -1;
        if (ok) {
            lastRewriteOk = true;
            rewrites++;
            consecutiveFailures = 0;
        } else if (!stopping()) {
            lastRewriteOk = false;
            consecutiveFailures++;
        }
        synchronized (rewriteLock) {
            rewriting = false;
            initialRewrite = false;
            rewriteThread = null;
        }
    }

    /**
     * BGREWRITEAOF with appendonly no, as Redis: a base file of the keyspace (each shard as of the
     * moment it is written) and a manifest naming only it, for a later start with appendonly yes.
     */
    private void rewriteWhileOff() {
        boolean ok = false;
        try {
            AofLog l = newLog();
            java.nio.file.Files.createDirectories(l.dir());
            AofManifest old = null;
            try {
                old = l.readManifest();
            } catch (AofException e) {
                Log.warning(e.getMessage());
            }
            AofManifest m = new AofManifest();
            m.currBaseSeq = (old == null ? 0 : old.currBaseSeq) + 1;
            m.currIncrSeq = old == null ? 0 : old.currIncrSeq;
            boolean rdb = preamble();
            String name = AofLog.baseName(server.config().get("appendfilename"), m.currBaseSeq, rdb);
            Path tmp = l.tempBase();
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 BufferedOutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
                Keyspace ks = server.keyspace();
                if (rdb) {
                    io.basalt.persistence.RdbWriter.Options o = server.persistence().options();
                    o.aofBase = true;
                    o.cancelled = this::stopping;
                    io.basalt.persistence.RdbWriter.write(out, ks, o);
                }
                if (!rdb) writeFunctions(out);
                for (int i = 0; !rdb && i < ks.shardCount(); i++) {
                    if (stopping()) throw new IOException("cancelled");
                    Shard s = ks.shard(i);
                    s.lock();
                    try {
                        dumpShard(s, out);
                    } finally {
                        s.unlock();
                    }
                }
                out.flush();
                fos.getFD().sync();
            }
            java.nio.file.Files.move(tmp, l.dir().resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            m.base = new AofManifest.Entry(name, m.currBaseSeq, 'b');
            m.persist(l.dir(), l.manifestName());
            if (old != null) {
                List<AofManifest.Entry> gone = new ArrayList<>(old.history);
                if (old.base != null) gone.add(old.base);
                gone.addAll(old.incr);
                for (AofManifest.Entry e : gone) {
                    if (!e.name().equals(name)) java.nio.file.Files.deleteIfExists(l.dir().resolve(e.name()));
                }
            }
            ok = true;
            Log.notice("Background AOF rewrite finished successfully");
        } catch (IOException | RuntimeException e) {
            rewriteFailed(e);
        } finally {
            rewriteEnded(ok);
        }
    }

    /** True between the switch to the new incremental file and the last shard written to the base. */
    private volatile boolean shardsPending;

    /**
     * Called with {@code s} locked before a command changes it: during a rewrite, a shard not yet
     * in the new base is written there first, so the base holds its state as of the switch.
     */
    public void beforeWrite(Shard s) {
        if (!shardsPending) return;
        synchronized (baseLock) {
            if (base == null || dumped[s.index()]) return;
            dumped[s.index()] = true;
            try {
                dumpShard(s, base);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Every live key of a shard as the commands that recreate it (Redis's rewriteAppendOnlyFileRio). */
    private void dumpShard(Shard s, OutputStream out) throws IOException {
        long now = System.currentTimeMillis();
        for (int db = 0; db < server.keyspace().databases(); db++) {
            if (s.size(db) == 0) continue;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int d = db;
            s.forEach(db, e -> {
                long at = Entries.expireAt(e);
                if (at >= 0 && at <= now) return; // already expired: its DEL follows in the log
                try {
                    dumpKey(buf, e);
                    if (at >= 0) AofLog.encode(buf, b("PEXPIREAT"), Entries.key(e), b(Long.toString(at)));
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
            if (buf.size() == 0) continue;
            AofLog.encode(out, b("SELECT"), b(Integer.toString(d)));
            buf.writeTo(out);
        }
    }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    /** A FUNCTION LOAD per library (Redis's rewriteFunctions). */
    private void writeFunctions(OutputStream out) throws IOException {
        for (byte[] code : server.scripting().functions().codes()) AofLog.encode(out, b("FUNCTION"), b("LOAD"), code);
    }

    private static void dumpKey(OutputStream out, Object e) throws IOException {
        byte[] key = Entries.key(e);
        if (e instanceof byte[] r) {
            AofLog.encode(out, b("SET"), key, StringRecord.value(r));
        } else if (e instanceof ListValue l) {
            List<byte[]> items = new ArrayList<>();
            if (l.size() > 0) {
                l.forEach(0, l.size() - 1, false, (buf, off, len) -> {
                    items.add(java.util.Arrays.copyOfRange(buf, off, off + len));
                    return true;
                });
            }
            batches(out, "RPUSH", key, items, 1);
        } else if (e instanceof SetValue sv) {
            List<byte[]> items = new ArrayList<>();
            sv.forEachMember(items::add);
            batches(out, "SADD", key, items, 1);
        } else if (e instanceof HashValue h) {
            List<byte[]> items = new ArrayList<>();
            h.forEach((f, v) -> { items.add(f); items.add(v); });
            batches(out, "HMSET", key, items, 2);
        } else if (e instanceof ZSetValue z) {
            List<byte[]> items = new ArrayList<>();
            if (z.size() > 0) {
                z.walk(0, z.size() - 1, false, (m, score) -> { items.add(b(score(score))); items.add(m); });
            }
            batches(out, "ZADD", key, items, 2);
        } else if (e instanceof io.basalt.data.StreamValue st) {
            dumpStream(out, key, st);
        } else {
            throw new IllegalStateException("no AOF form for " + Entries.typeName(e));
        }
    }

    /**
     * Redis's rewriteStreamObject: an XADD per entry (an empty stream: XADD MAXLEN 0 0-1 x y),
     * XSETID with entries-added and max-deleted id, then per group XGROUP CREATE ... ENTRIESREAD,
     * an XCLAIM ... TIME RETRYCOUNT JUSTID FORCE per pending entry of each consumer, and XGROUP
     * CREATECONSUMER for a consumer that owns nothing.
     */
    private static void dumpStream(OutputStream out, byte[] key, io.basalt.data.StreamValue s) throws IOException {
        if (s.length > 0) {
            io.basalt.data.StreamValue.Iter it = s.iterator(null, null, false);
            while (it.next()) {
                byte[][] fv = it.fields();
                byte[][] argv = new byte[3 + fv.length][];
                argv[0] = b("XADD");
                argv[1] = key;
                argv[2] = it.id().bytes();
                System.arraycopy(fv, 0, argv, 3, fv.length);
                AofLog.encode(out, argv);
            }
        } else {
            AofLog.encode(out, b("XADD"), key, b("MAXLEN"), b("0"), b("0-1"), b("x"), b("y"));
        }
        AofLog.encode(out, b("XSETID"), key, s.lastId.bytes(), b("ENTRIESADDED"), b(Long.toString(s.entriesAdded)),
                b("MAXDELETEDID"), s.maxDeletedId.bytes());
        for (java.util.Map.Entry<byte[], io.basalt.data.StreamValue.Group> ge : s.groups().entrySet()) {
            io.basalt.data.StreamValue.Group g = ge.getValue();
            byte[] name = ge.getKey();
            AofLog.encode(out, b("XGROUP"), b("CREATE"), key, name, g.lastId.bytes(), b("ENTRIESREAD"), b(Long.toString(g.entriesRead)));
            for (io.basalt.data.StreamValue.Consumer c : g.consumers.values()) {
                if (c.pel.isEmpty()) {
                    AofLog.encode(out, b("XGROUP"), b("CREATECONSUMER"), key, name, c.name);
                    continue;
                }
                for (java.util.Map.Entry<io.basalt.data.StreamID, io.basalt.data.StreamValue.Nack> pe : c.pel.entrySet()) {
                    AofLog.encode(out, b("XCLAIM"), key, name, c.name, b("0"), pe.getKey().bytes(), b("TIME"),
                            b(Long.toString(pe.getValue().deliveryTime)), b("RETRYCOUNT"), b(Long.toString(pe.getValue().deliveryCount)),
                            b("JUSTID"), b("FORCE"));
                }
            }
        }
    }

    /** A score in a form strtod reads back exactly (Redis writes %.17g). */
    static String score(double d) {
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.rint(d) && Math.abs(d) < 1e17) return Long.toString((long) d);
        return Double.toString(d);
    }

    private static void batches(OutputStream out, String cmd, byte[] key, List<byte[]> items, int per) throws IOException {
        int n = items.size();
        for (int i = 0; i < n; ) {
            int take = Math.min(n - i, ITEMS_PER_CMD * per);
            byte[][] argv = new byte[2 + take][];
            argv[0] = b(cmd);
            argv[1] = key;
            for (int k = 0; k < take; k++) argv[2 + k] = items.get(i + k);
            AofLog.encode(out, argv);
            i += take;
        }
    }

    /** BGREWRITEAOF while a BGSAVE runs (or inside EXEC): started by the cron once it is over. */
    public void scheduleRewrite() { scheduled = true; }

    /** The cron: a scheduled rewrite, else the automatic one (auto-aof-rewrite-percentage / -min-size). */
    @Override
    public void cron() {
        if (rewriting || server.persistence().bgsaveInProgress()) return;
        if (scheduled) {
            scheduled = false;
            rewrite();
            return;
        }
        AofLog l = log;
        if (l == null) return;
        long pct = server.config().getLong("auto-aof-rewrite-percentage");
        long min = server.config().getLong("auto-aof-rewrite-min-size");
        long size = l.currentSize();
        if (pct > 0 && size > min) {
            long baseSize = Math.max(1, l.baseSize());
            long growth = (size * 100 / baseSize) - 100;
            if (growth >= pct) {
                Log.notice("Starting automatic rewriting of AOF on " + growth + "% growth");
                rewrite();
            }
        }
    }

    // ---------------------------------------------------------------- INFO

    public void info(StringBuilder sb) {
        AofLog l = log;
        line(sb, "aof_enabled", l != null ? 1 : 0);
        line(sb, "aof_rewrite_in_progress", rewriting ? 1 : 0);
        line(sb, "aof_rewrite_scheduled", scheduled ? 1 : 0);
        line(sb, "aof_last_rewrite_time_sec", lastRewriteSeconds);
        long started = rewriteStartMillis;
        line(sb, "aof_current_rewrite_time_sec", started < 0 ? -1 : (System.currentTimeMillis() - started) / 1000);
        line(sb, "aof_last_bgrewrite_status", lastRewriteOk ? "ok" : "err");
        line(sb, "aof_rewrites", rewrites);
        line(sb, "aof_rewrites_consecutive_failures", consecutiveFailures);
        line(sb, "aof_last_write_status", l == null || l.writeOk() ? "ok" : "err");
        line(sb, "aof_last_cow_size", 0);
        line(sb, "module_fork_in_progress", 0);
        line(sb, "module_fork_last_cow_size", 0);
        if (l != null) {
            line(sb, "aof_current_size", l.currentSize());
            line(sb, "aof_base_size", l.baseSize());
            line(sb, "aof_pending_rewrite", scheduled ? 1 : 0);
            line(sb, "aof_buffer_length", l.bufferLength());
            line(sb, "aof_pending_bio_fsync", l.pendingFsync() && l.fsync() == AofLog.Fsync.EVERYSEC ? 1 : 0);
            line(sb, "aof_delayed_fsync", l.delayedFsync());
        }
    }

    private static void line(StringBuilder sb, String k, Object v) {
        sb.append(k).append(':').append(v).append("\r\n");
    }
}
