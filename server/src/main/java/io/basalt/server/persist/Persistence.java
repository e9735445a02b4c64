package io.basalt.server.persist;

import io.basalt.data.Keyspace;
import io.basalt.persistence.KeyspaceLoader;
import io.basalt.persistence.RdbLoader;
import io.basalt.persistence.RdbWriter;
import io.basalt.server.BasaltServer;
import io.basalt.server.util.Log;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * RDB snapshots for the server: SAVE, BGSAVE, the save schedule, loading at startup, and the
 * state INFO persistence reports. Snapshots are forkless and point-in-time (see
 * {@link io.basalt.data.Snapshot}); BGSAVE runs the same writer on a background thread.
 */
public final class Persistence {
    private final BasaltServer server;
    private volatile Thread bgsaveThread;
    private volatile long bgsaveStartMillis;
    private volatile boolean bgsaveScheduled;
    private volatile boolean lastBgsaveOk = true;
    private volatile long lastBgsaveTryMillis;
    private volatile long lastBgsaveTimeSec = -1;
    private volatile long saves;
    /** stats().dirty when the last successful save started: rdb_changes_since_last_save is the rest. */
    private volatile long dirtyAtLastSave;
    private volatile boolean loading;
    private volatile long loadingStartMillis;
    private volatile long loadingTotalBytes;
    private volatile long lastLoadKeysLoaded;
    private volatile long lastLoadKeysExpired;
    private volatile long currentSaveKeysTotal;
    private final Object saveLock = new Object();

    public Persistence(BasaltServer server) { this.server = server; }

    public Path rdbPath() {
        return Path.of(server.config().get("dir"), server.config().get("dbfilename"));
    }

    public boolean bgsaveInProgress() { return bgsaveThread != null; }

    public boolean lastBgsaveOk() { return lastBgsaveOk; }

    private volatile java.util.Map<String, byte[]> loadedAux = java.util.Map.of();

    /** The aux fields of the last RDB file loaded (the replication info a restart continues). */
    public java.util.Map<String, byte[]> loadedAux() { return loadedAux; }

    /** An RDB file is being loaded (startup, DEBUG RELOAD). */
    public boolean loading() { return loading; }

    public long changesSinceLastSave() { return server.stats().dirty.sum() - dirtyAtLastSave; }

    /**
     * Redis's writeCommandsDeniedByDiskError for RDB: the last background save failed while a
     * save schedule is configured and stop-writes-on-bgsave-error is on.
     */
    public boolean writesDenied() {
        return !lastBgsaveOk && server.config().getBool("stop-writes-on-bgsave-error")
                && !server.config().get("save").isEmpty();
    }

    public static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently "
            + "unable to persist to disk. Commands that may modify the data set are disabled, because this "
            + "instance is configured to report errors during writes if RDB snapshotting fails "
            + "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

    /** The RDB writer's options from the config (also for the AOF's RDB base). */
    public RdbWriter.Options options() {
        RdbWriter.Options o = new RdbWriter.Options();
        o.compress = server.config().getBool("rdbcompression");
        o.checksum = server.config().getBool("rdbchecksum");
        o.usedMem = server.keyspace().memoryUsage();
        o.keySaveDelay = server.config().getInt("rdb-key-save-delay");
        o.functions = server.scripting().functions()::codes;
        String policy = server.config().get("maxmemory-policy");
        if (policy.contains("lru")) o.lruMode = RdbWriter.LruMode.IDLE;
        else if (policy.contains("lfu")) o.lruMode = RdbWriter.LruMode.FREQ;
        return o;
    }

    /**
     * Writes the snapshot to a temp file in {@code dir}, fsyncs and renames it over dbfilename, as
     * rdbSave does. Returns false (after logging why) on failure; the old file is left intact.
     */
    public boolean save() {
        return save(null);
    }

    /** Held by every save from start to rename; a shutdown takes it before locking the shards. */
    public Object saveLock() { return saveLock; }

    private boolean save(java.util.function.BooleanSupplier cancelled) {
        synchronized (saveLock) {
            long dirtyBefore = server.stats().dirty.sum();
            Path target = rdbPath();
            // saves are serialized by saveLock, so one name per process is enough (rdbSave's temp-<pid>.rdb)
            Path tmp = target.resolveSibling("temp-" + ProcessHandle.current().pid() + ".rdb");
            try {
                RdbWriter.Result r;
                try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                     BufferedOutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
                    currentSaveKeysTotal = server.keyspace().databases() == 0 ? 0 : totalKeys();
                    RdbWriter.Options o = options();
                    o.cancelled = cancelled;
                    server.replication().populateSaveInfo(o);
                    r = RdbWriter.write(out, server.keyspace(), o);
                    out.flush();
                    fos.getFD().sync();
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Log.notice("DB saved on disk (" + r.keys() + " keys, " + r.bytes() + " bytes)");
                dirtyAtLastSave = dirtyBefore;
                server.lastSave(System.currentTimeMillis() / 1000);
                saves++;
                // rdbSave: any successful save clears a failed BGSAVE's status (and so MISCONF)
                lastBgsaveOk = true;
                return true;
            } catch (IOException | RuntimeException e) {
                String why = e instanceof java.io.FileNotFoundException || e instanceof java.nio.file.AccessDeniedException
                        ? "Failed opening the temp RDB file " + tmp.getFileName() + " (in server root dir "
                        + server.config().get("dir") + ") for saving: " + strerror(e)
                        : "Write error saving DB on disk: " + e.getMessage();
                Log.warning(why);
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do: the error is already reported
                }
                return false;
            }
        }
    }

    /** The strerror text of an open failure: FileNotFoundException says "path (No such file or directory)". */
    private static String strerror(Exception e) {
        String m = String.valueOf(e.getMessage());
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile(".* \\(([^()]*)\\)$").matcher(m);
        if (mt.matches()) return mt.group(1);
        return e instanceof java.nio.file.AccessDeniedException ? "Permission denied" : m;
    }

    private long totalKeys() {
        long n = 0;
        Keyspace ks = server.keyspace();
        for (int db = 0; db < ks.databases(); db++) n += ks.size(db);
        return n;
    }

    /** BGSAVE: false if one is already running. */
    public synchronized boolean bgsave() {
        if (bgsaveThread != null || bgsaveCancel) return false;
        bgsaveStartMillis = System.currentTimeMillis();
        lastBgsaveTryMillis = bgsaveStartMillis;
        Thread t = new Thread(() -> {
            boolean ok = save(() -> bgsaveCancel);
            synchronized (Persistence.this) {
                bgsaveThread = null;
                if (bgsaveCancel && !ok) {
                    // killed by a shutdown (Redis's SIGUSR1 kill): the last status stays as it was
                    Log.warning("Background saving terminated by signal 10");
                    return;
                }
                lastBgsaveOk = ok;
                lastBgsaveTimeSec = (System.currentTimeMillis() - bgsaveStartMillis) / 1000;
                if (ok) Log.notice("Background saving terminated with success");
                else Log.warning("Background saving error");
            }
        }, "basalt-bgsave");
        t.setDaemon(true);
        bgsaveThread = t;
        Log.notice("Background saving started");
        t.start();
        return true;
    }

    private volatile boolean bgsaveCancel;

    /**
     * Shutdown (Redis's finishShutdown kills the saving child): stops a running BGSAVE and waits
     * for its thread; no BGSAVE starts until {@link #allowBgsave}.
     */
    public void cancelBgsave() {
        bgsaveCancel = true;
        Thread t = bgsaveThread;
        if (t != null) {
            Log.warning("There is a child saving an .rdb. Killing it!");
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A shutdown that failed: background saves are allowed again. */
    public void allowBgsave() { bgsaveCancel = false; }

    /** BGSAVE SCHEDULE while a save runs: start another when it ends. */
    public void scheduleBgsave() { bgsaveScheduled = true; }

    /** Waits for a running BGSAVE (SHUTDOWN, DEBUG RELOAD, tests). */
    public void awaitBgsave() {
        Thread t = bgsaveThread;
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Cron: scheduled BGSAVE and the save points, as serverCron checks them. */
    public void cron() {
        // one background job at a time, as Redis's hasActiveChildProcess
        if (bgsaveThread != null || server.aof().rewriting()) return;
        long now = System.currentTimeMillis();
        if (bgsaveScheduled) {
            bgsaveScheduled = false;
            bgsave();
            return;
        }
        String save = server.config().get("save");
        if (save.isEmpty()) return;
        String[] w = save.split(" ");
        long changes = changesSinceLastSave();
        for (int i = 0; i + 1 < w.length; i += 2) {
            long seconds = Long.parseLong(w[i]);
            long need = Long.parseLong(w[i + 1]);
            // after a failure, retry only every 5 seconds (CONFIG_BGSAVE_RETRY_DELAY)
            if (changes >= need && now / 1000 - server.lastSave() > seconds
                    && (lastBgsaveOk || now - lastBgsaveTryMillis > 5000)) {
                Log.notice(need + " changes in " + seconds + " seconds. Saving...");
                bgsave();
                return;
            }
        }
    }

    /**
     * Loads dbfilename from dir into the keyspace if it exists (startup, DEBUG RELOAD).
     *
     * @throws IOException or {@link io.basalt.persistence.RdbException} when the file is unreadable or bad
     */
    public boolean load(boolean merge) throws IOException {
        Path p = rdbPath();
        long start = System.currentTimeMillis();
        InputStream in;
        try {
            in = Files.newInputStream(p);
        } catch (NoSuchFileException e) {
            return false;
        }
        loading = true;
        loadingStartMillis = start;
        loadingTotalBytes = Files.size(p);
        try (InputStream bin = new java.io.BufferedInputStream(in, 1 << 16)) {
            KeyspaceLoader sink = new KeyspaceLoader(server.keyspace(), merge);
            sink.functions = code -> server.scripting().functions().loadFromRdb(code, merge);
            sink.lfuPolicy = server.config().get("maxmemory-policy").endsWith("-lfu");
            sink.keyLoadDelay = server.config().getInt("key-load-delay");
            // a replica keeps the keys that expired (its master's DELs remove them)
            sink.keepExpired = server.masterLink().isReplica();
            RdbLoader.load(bin, sink);
            lastLoadKeysLoaded = sink.loaded;
            lastLoadKeysExpired = sink.expired;
            loadedAux = sink.aux;
            Log.notice("Done loading RDB, keys loaded: " + sink.loaded + ", keys expired: " + sink.expired + ".");
            Log.notice("DB loaded from disk: " + (System.currentTimeMillis() - start) / 1000.0 + " seconds");
            return true;
        } finally {
            loading = false;
        }
    }

    /**
     * A replica's full sync: loads its master's image (already emptied into) from {@code in},
     * {@code size} bytes or -1 when unknown, keeping keys that have expired (the master's DELs
     * remove them). INFO says loading meanwhile, and clients get -LOADING. Returns the image's
     * aux fields.
     */
    public java.util.Map<String, byte[]> loadFromMaster(InputStream in, long size) throws IOException {
        long start = System.currentTimeMillis();
        loading = true;
        loadingStartMillis = start;
        loadingTotalBytes = Math.max(0, size);
        try {
            KeyspaceLoader sink = new KeyspaceLoader(server.keyspace(), false);
            sink.functions = code -> server.scripting().functions().loadFromRdb(code, false);
            sink.lfuPolicy = server.config().get("maxmemory-policy").endsWith("-lfu");
            sink.keyLoadDelay = server.config().getInt("key-load-delay");
            sink.keepExpired = true;
            RdbLoader.load(in, sink);
            lastLoadKeysLoaded = sink.loaded;
            lastLoadKeysExpired = sink.expired;
            Log.notice("Done loading RDB, keys loaded: " + sink.loaded + ", keys expired: " + sink.expired + ".");
            return sink.aux;
        } finally {
            loading = false;
        }
    }

    /** The # Persistence fields that depend on snapshots, in INFO's order. */
    public void info(java.util.function.BiConsumer<String, Object> line) {
        boolean inProgress = bgsaveThread != null;
        line.accept("loading", loading || server.loadingData() ? 1 : 0);
        line.accept("async_loading", 0);
        line.accept("current_cow_peak", 0);
        line.accept("current_cow_size", 0);
        line.accept("current_cow_size_age", 0);
        line.accept("current_fork_perc", "0.00");
        line.accept("current_save_keys_processed", 0);
        line.accept("current_save_keys_total", inProgress ? currentSaveKeysTotal : 0);
        line.accept("rdb_changes_since_last_save", changesSinceLastSave());
        line.accept("rdb_bgsave_in_progress", inProgress ? 1 : 0);
        line.accept("rdb_last_save_time", server.lastSave());
        line.accept("rdb_last_bgsave_status", lastBgsaveOk ? "ok" : "err");
        line.accept("rdb_last_bgsave_time_sec", lastBgsaveTimeSec);
        line.accept("rdb_current_bgsave_time_sec", inProgress ? (System.currentTimeMillis() - bgsaveStartMillis) / 1000 : -1);
        line.accept("rdb_saves", saves);
        line.accept("rdb_last_cow_size", 0);
        line.accept("rdb_last_load_keys_expired", lastLoadKeysExpired);
        line.accept("rdb_last_load_keys_loaded", lastLoadKeysLoaded);
    }

    /** The loading_* fields, which Redis prints at the end of the section while a load runs. */
    public void loadingInfo(java.util.function.BiConsumer<String, Object> line) {
        if (loading) {
            line.accept("loading_start_time", loadingStartMillis / 1000);
            line.accept("loading_total_bytes", loadingTotalBytes);
            line.accept("loading_rdb_used_mem", 0);
            line.accept("loading_loaded_bytes", 0);
            line.accept("loading_loaded_perc", "0.00");
            line.accept("loading_eta_seconds", 1);
        }
    }
}
