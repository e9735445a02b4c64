package io.basalt.server.persist;

import io.basalt.persistence.RdbWriter;
import io.basalt.persistence.aof.AofLog;
import io.basalt.persistence.aof.AofManifest;
import io.basalt.persistence.backup.AofTimestamps;
import io.basalt.persistence.backup.BackupManifest;
import io.basalt.persistence.backup.Backups;
import io.basalt.server.BasaltServer;
import io.basalt.server.util.Log;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * BASALT.BACKUP: a consistent, self-describing backup into a new or empty directory while the
 * server keeps serving. One instant, taken under all shard locks, is both the snapshot instant of
 * a forkless RDB ({@code dump.rdb}) and the cut of the append-only log: the log files copied end
 * exactly at the last command before that instant. So replaying the log gives the snapshot's
 * state, and its {@code #TS:} annotations let a restore stop at any earlier second it covers.
 * Closed log files are hard-linked (they never change; a link costs no copy), the open one is
 * copied up to the cut. {@code backup.json} (sizes, SHA-256) is written last.
 */
public final class Backup {
    private final BasaltServer server;
    private volatile Thread thread;
    private volatile String dir = "";
    private volatile long startedMillis = -1;
    private volatile long finishedMillis = -1;
    private volatile String status = "none";
    private volatile String error = "";
    private volatile BackupManifest last;
    private volatile long bytes;

    public Backup(BasaltServer server) { this.server = server; }

    public boolean inProgress() { return thread != null; }

    /**
     * Starts a backup into {@code path} (relative paths are taken from the server's {@code dir},
     * which is the working directory of a Redis server). Returns null when started, or the error
     * reply to send.
     */
    public synchronized String start(String path) {
        if (thread != null) return "ERR Background backup already in progress";
        Path d = Path.of(server.config().get("dir")).resolve(path).toAbsolutePath().normalize();
        try {
            if (!Backups.newOrEmpty(d)) {
                return "ERR Backup directory " + d + " is not empty (a backup needs a new or empty directory)";
            }
            Files.createDirectories(d);
        } catch (IOException | RuntimeException e) {
            return "ERR Can't create backup directory " + d + ": " + e.getMessage();
        }
        dir = d.toString();
        startedMillis = System.currentTimeMillis();
        finishedMillis = -1;
        status = "in_progress";
        error = "";
        last = null;
        bytes = 0;
        Thread t = new Thread(() -> run(d), "basalt-backup");
        t.setDaemon(true);
        thread = t;
        Log.notice("Background backup into " + d + " started");
        t.start();
        return null;
    }

    /** Waits for a running backup (tests, shutdown). */
    public void await() {
        Thread t = thread;
        if (t == null) return;
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** BASALT.BACKUP STATUS: field/value pairs describing the running or last backup. */
    public List<Object[]> status() {
        List<Object[]> out = new ArrayList<>();
        BackupManifest m = last;
        out.add(new Object[] {"in_progress", thread != null ? 1L : 0L});
        out.add(new Object[] {"status", status});
        out.add(new Object[] {"dir", dir});
        out.add(new Object[] {"started", startedMillis < 0 ? -1L : startedMillis / 1000});
        out.add(new Object[] {"finished", finishedMillis < 0 ? -1L : finishedMillis / 1000});
        out.add(new Object[] {"duration_ms", finishedMillis < 0 ? -1L : finishedMillis - startedMillis});
        out.add(new Object[] {"error", error});
        out.add(new Object[] {"snapshot_time", m == null ? -1L : m.snapshotMillis / 1000});
        out.add(new Object[] {"keys", m == null ? -1L : m.keys});
        out.add(new Object[] {"files", m == null ? -1L : (long) m.files.size()});
        out.add(new Object[] {"bytes", m == null ? -1L : bytes});
        out.add(new Object[] {"log", m == null ? "" : m.hasLog() ? "yes" : "no"});
        out.add(new Object[] {"log_first_timestamp", m == null ? -1L : m.firstTimestamp});
        out.add(new Object[] {"log_last_timestamp", m == null ? -1L : m.lastTimestamp});
        return out;
    }

    /** What the snapshot instant hands over to the copying. */
    private static final class Instant {
        long millis;
        AofLog log;
        AofLog.Cut cut;
        Exception failure;
    }

    private void run(Path d) {
        boolean ok = false;
        Instant at = new Instant();
        try {
            BackupManifest m = new BackupManifest();
            m.basaltVersion = BasaltServer.BASALT_VERSION;
            m.redisVersion = BasaltServer.REDIS_VERSION;
            m.runId = server.runId();
            m.createdMillis = startedMillis;
            Path rdb = d.resolve(BackupManifest.RDB);
            Path tmp = d.resolve(BackupManifest.RDB + ".tmp");
            RdbWriter.Options o = new RdbWriter.Options();
            o.compress = server.config().getBool("rdbcompression");
            o.checksum = true; // a backup is read back: always check it
            o.usedMem = server.keyspace().memoryUsage();
            o.functions = server.scripting().functions()::codes;
            RdbWriter.Result r;
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 BufferedOutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
                // runs under all shard locks, at the snapshot instant: the log is cut there too
                o.atInstant = () -> {
                    at.millis = System.currentTimeMillis();
                    AofLog l = server.aof().log();
                    if (l == null) return;
                    try {
                        at.cut = l.cut();
                        at.log = l;
                    } catch (IOException | RuntimeException e) {
                        at.failure = e;
                    }
                };
                r = RdbWriter.write(out, server.keyspace(), o);
                out.flush();
                fos.getFD().sync();
            }
            Files.move(tmp, rdb, StandardCopyOption.ATOMIC_MOVE);
            if (at.failure != null) throw at.failure;
            m.snapshotMillis = at.millis;
            m.keys = r.keys();
            if (at.cut != null) copyLog(d, at, m);
            Backups.fsyncDir(d);
            long total = 0;
            for (Path p : files(d)) {
                String rel = d.relativize(p).toString().replace('\\', '/');
                long size = Files.size(p);
                total += size;
                m.files.add(new BackupManifest.FileEntry(rel, size, Backups.sha256(p)));
            }
            Path json = d.resolve(BackupManifest.FILE);
            Path jsonTmp = d.resolve(BackupManifest.FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(jsonTmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(m.toJson().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
            Files.move(jsonTmp, json, StandardCopyOption.ATOMIC_MOVE);
            Backups.fsyncDir(d);
            bytes = total;
            last = m;
            ok = true;
            Log.notice("Background backup into " + d + " finished: " + m.keys + " keys, " + m.files.size() + " files, "
                    + total + " bytes");
        } catch (Exception e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
            Log.warning("Background backup into " + d + " failed: " + error);
        } finally {
            if (at.cut != null) at.cut.close();
            finishedMillis = System.currentTimeMillis();
            status = ok ? "ok" : "err";
            synchronized (this) {
                thread = null;
            }
        }
    }

    /** The log files of the cut into {@code d}/appendonlydir, with a manifest naming just them. */
    private void copyLog(Path d, Instant at, BackupManifest m) throws IOException {
        AofLog.Cut cut = at.cut;
        // the records up to the cut may still be in the log's buffer: write them out and fsync
        at.log.flush();
        Path dst = Files.createDirectories(d.resolve(BackupManifest.AOF_DIR));
        AofManifest am = cut.manifest();
        String lastIncr = am.incr.isEmpty() ? null : am.incr.get(am.incr.size() - 1).name();
        long first = -1;
        long lastTs = -1;
        for (Map.Entry<String, FileChannel> f : cut.files().entrySet()) {
            String name = f.getKey();
            FileChannel ch = f.getValue();
            Path target = dst.resolve(name);
            long length;
            if (name.equals(lastIncr)) {
                length = cut.lastIncrLength();
                if (ch.size() < length) {
                    throw new IOException("the AOF file " + name + " has " + ch.size() + " bytes, the cut needs " + length
                            + " (is the AOF failing to write?)");
                }
                Backups.copy(ch, target, length);
            } else {
                length = ch.size();
                if (!link(at.log.dir().resolve(name), target, ch)) Backups.copy(ch, target, length);
            }
            for (AofTimestamps.Mark mark : AofTimestamps.scan(target, length)) {
                if (first < 0) first = mark.seconds();
                lastTs = Math.max(lastTs, mark.seconds());
            }
        }
        String manifestName = at.log.manifestName();
        am.persist(dst, manifestName);
        m.aofManifest = manifestName;
        m.aofFileName = manifestName.substring(0, manifestName.length() - ".manifest".length());
        // an RDB base always has a time (its ctime), but the log can be cut at a time only when
        // its incremental part is annotated too
        boolean annotated = server.config().getBool("aof-timestamp-enabled");
        m.firstTimestamp = annotated ? first : -1;
        m.lastTimestamp = annotated ? lastTs : -1;
    }

    /**
     * A hard link to a closed log file, when the file system allows it and the name still is the
     * file the cut opened (a rewrite may have deleted it since). False: copy it instead.
     */
    private static boolean link(Path source, Path target, FileChannel opened) {
        try {
            Files.createLink(target, source);
            // log file names are never reused while the server runs: same name and size is the file
            if (Files.size(target) == opened.size()) return true;
            Files.delete(target);
            return false;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // the copy below fails on it and reports
            }
            return false;
        }
    }

    private static List<Path> files(Path d) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.walk(d)) {
            s.filter(Files::isRegularFile).sorted().forEach(out::add);
        }
        return out;
    }
}
