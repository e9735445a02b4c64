package io.basalt.persistence.aof;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The append-only file of a running server, in Redis 7.0's multi-part layout. Commands append
 * their effect records to an in-memory buffer (under their shard locks, so the log orders writes
 * exactly as they were executed); one writer thread moves the buffer to the current incremental
 * file and fsyncs it according to {@code appendfsync}. With {@code always}, callers wait for
 * {@link #whenDurable}: every record appended before an fsync is made durable by that one fsync
 * (group commit), and the replies waiting for them are released together.
 */
public final class AofLog {
    public enum Fsync { ALWAYS, EVERYSEC, NO }

    private final Path dir;
    private final String fileName;
    private final Consumer<String> notice;
    private final Consumer<String> warn;
    private volatile Fsync fsync;
    private volatile boolean timestamps;

    // guarded by this: the buffer and the logical offsets
    private byte[] buf = new byte[1 << 16];
    private int len;
    private long appended;
    private int selectedDb = -1;
    private long lastTimestamp;
    /** The writer thread holds a chunk of the buffer it has not written yet. */
    private boolean inFlight;
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.offset, b.offset));

    private record Waiter(long offset, Runnable action) {}

    /** Held by whoever writes to (or swaps) the current file: the writer thread, a rotation. */
    private final Object io = new Object();
    private FileChannel current; // guarded by io
    private AofManifest manifest; // guarded by io
    private volatile long written;
    private volatile long synced;
    private volatile long currentSize;
    private volatile long baseSize;
    private volatile long lastFsyncNanos = System.nanoTime();
    private volatile boolean writeOk = true;
    private volatile String writeError = "";
    private volatile long delayedFsync;
    private volatile boolean closed;
    private Thread writer;

    public AofLog(Path dir, String fileName, Fsync fsync, boolean timestamps, Consumer<String> notice, Consumer<String> warn) {
        this.dir = dir;
        this.fileName = fileName;
        this.fsync = fsync;
        this.timestamps = timestamps;
        this.notice = notice;
        this.warn = warn;
    }

    public Path dir() { return dir; }

    public String manifestName() { return fileName + ".manifest"; }

    public void fsync(Fsync f) {
        this.fsync = f;
        synchronized (this) { notifyAll(); }
    }

    public Fsync fsync() { return fsync; }

    public void timestamps(boolean on) { this.timestamps = on; }

    public boolean writeOk() { return writeOk; }

    /** strerror of the last failed write (Redis's aof_last_write_errno), for the MISCONF error. */
    public String writeError() { return writeError; }

    public long currentSize() { return currentSize; }

    public long baseSize() { return baseSize; }

    public synchronized long bufferLength() { return len; }

    public long delayedFsync() { return delayedFsync; }

    public boolean pendingFsync() { return synced < written; }

    public synchronized AofManifest manifest() {
        synchronized (io) { return manifest == null ? null : manifest.copy(); }
    }

    // ---------------------------------------------------------------- opening

    /** The manifest on disk, or null when the directory holds none (a fresh start). */
    public AofManifest readManifest() throws AofException {
        Path m = dir.resolve(manifestName());
        if (!Files.exists(m)) return null;
        try {
            return AofManifest.parse(Files.readString(m, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new AofException("Can't open the AOF manifest file " + manifestName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts appending after the files of {@code m} were loaded (a new incremental file when the
     * manifest has none), or creates an empty layout when {@code m} is null: a base holding
     * nothing (the caller writes a base from the keyspace with {@link #rewrite} in that case).
     */
    public void open(AofManifest m) throws IOException {
        open(m, false, null);
    }

    /** Writes the content of a base file (an RDB image, or RESP commands). */
    @FunctionalInterface
    public interface BaseWriter {
        void write(java.io.OutputStream out) throws IOException;
    }

    /**
     * The name Redis 7.0 gives base number {@code seq}: {@code <appendfilename>.<seq>.base.rdb}
     * when it is an RDB image (aof-use-rdb-preamble yes), {@code .base.aof} when RESP.
     */
    public static String baseName(String fileName, long seq, boolean rdb) {
        return fileName + "." + seq + ".base." + (rdb ? "rdb" : "aof");
    }

    /**
     * {@link #open(AofManifest)}; on a fresh start ({@code m} null) the first base is created as
     * Redis's aofOpenIfNeededOnServerStart does: {@code .1.base.rdb} written by {@code base} when
     * {@code rdbBase}, else {@code .1.base.aof} (written by {@code base} if given, else holding
     * nothing but the timestamp annotation when timestamps are on).
     */
    public void open(AofManifest m, boolean rdbBase, BaseWriter base) throws IOException {
        Files.createDirectories(dir);
        synchronized (this) {
            synchronized (io) {
                if (m == null) {
                    m = new AofManifest();
                    m.currBaseSeq = 1;
                    String baseName = baseName(fileName, 1, rdbBase);
                    if (base != null) {
                        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                        base.write(bytes);
                        writeFile(dir.resolve(baseName), bytes.toByteArray());
                    } else {
                        writeFile(dir.resolve(baseName), timestamps ? annotation() : new byte[0]);
                    }
                    m.base = new AofManifest.Entry(baseName, 1, 'b');
                    notice.accept("Creating AOF base file " + baseName + " on server start");
                }
                long size = 0;
                if (m.base != null && Files.exists(dir.resolve(m.base.name()))) size += Files.size(dir.resolve(m.base.name()));
                for (AofManifest.Entry e : m.incr) {
                    Path p = dir.resolve(e.name());
                    if (Files.exists(p)) size += Files.size(p);
                }
                AofManifest.Entry last;
                if (m.incr.isEmpty()) {
                    m.currIncrSeq++;
                    last = new AofManifest.Entry(fileName + "." + m.currIncrSeq + ".incr.aof", m.currIncrSeq, 'i');
                    m.incr.add(last);
                    notice.accept("Creating AOF incr file " + last.name() + " on server start");
                } else {
                    last = m.incr.get(m.incr.size() - 1);
                }
                current = FileChannel.open(dir.resolve(last.name()), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                current.position(current.size());
                // history a crash left behind (after the manifest switch, before the deletion)
                for (AofManifest.Entry e : m.history) Files.deleteIfExists(dir.resolve(e.name()));
                m.history.clear();
                m.persist(dir, manifestName());
                manifest = m;
                currentSize = size;
                baseSize = size;
                selectedDb = -1;
            }
        }
        writer = new Thread(this::writeLoop, "basalt-aof");
        writer.setDaemon(true);
        writer.start();
    }

    private static void writeFile(Path p, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(data));
            ch.force(true);
        }
    }

    /** fsync of a directory, so a created or renamed file survives a crash. */
    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened; the rename is still atomic
        }
    }

    private static byte[] annotation() {
        return ("#TS:" + System.currentTimeMillis() / 1000 + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- appending

    /**
     * Appends the records of one command (or one transaction) of database {@code db}, preceded by
     * SELECT when the log's database differs, and by a {@code #TS:} annotation when the second
     * changed and aof-timestamp-enabled is on. Returns the log offset the records end at.
     */
    public synchronized long append(int db, List<byte[][]> commands) {
        if (timestamps) {
            long now = System.currentTimeMillis() / 1000;
            if (now > lastTimestamp) {
                lastTimestamp = now;
                put(annotation());
            }
        }
        if (db != selectedDb && db >= 0) {
            encode(new byte[][] {SELECT, Integer.toString(db).getBytes(StandardCharsets.US_ASCII)});
            selectedDb = db;
        }
        for (byte[][] c : commands) encode(c);
        appendedEnd = appended;
        if (len > 0) notifyAll();
        return appended;
    }

    private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);

    private void encode(byte[][] argv) {
        header('*', argv.length);
        for (byte[] a : argv) {
            header('$', a.length);
            put(a);
            put(CRLF);
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private void header(char type, long n) {
        put(new byte[] {(byte) type});
        put(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
        put(CRLF);
    }

    private void put(byte[] b) {
        if (len + b.length > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + b.length));
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        appended += b.length;
    }

    /** Serializes one command in the AOF's RESP form (for base files). */
    public static void encode(java.io.OutputStream out, byte[]... argv) throws IOException {
        out.write(('*' + Integer.toString(argv.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : argv) {
            out.write(('$' + Integer.toString(a.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(a);
            out.write(CRLF);
        }
    }

    private volatile long appendedEnd;

    /** The offset the records appended so far end at (any thread). */
    public long appendedOffset() { return appendedEnd; }

    /** The offset a reply must wait for under the current policy: none but with {@code always}. */
    public long durableOffset() {
        return fsync == Fsync.ALWAYS ? synced : Long.MAX_VALUE;
    }

    /**
     * Runs {@code action} once the records up to {@code offset} are durable (fsynced with
     * {@code always}; at once otherwise). The action runs on the writer thread: it must only hand
     * work over (to an event loop).
     */
    public void whenDurable(long offset, Runnable action) {
        if (fsync != Fsync.ALWAYS || synced >= offset) {
            action.run();
            return;
        }
        synchronized (this) {
            waiters.add(new Waiter(offset, action));
            notifyAll();
        }
        // the sync may have happened between the check and the queueing
        if (synced >= offset) release();
    }

    private void release() {
        List<Runnable> ready = new ArrayList<>();
        long done = fsync == Fsync.ALWAYS ? synced : Long.MAX_VALUE;
        synchronized (this) {
            while (!waiters.isEmpty() && waiters.peek().offset <= done) ready.add(waiters.poll().action);
        }
        for (Runnable r : ready) {
            try {
                r.run();
            } catch (RuntimeException e) {
                warn.accept("AOF waiter failed: " + e);
            }
        }
    }

    // ---------------------------------------------------------------- the writer thread

    private void writeLoop() {
        byte[] spare = new byte[1 << 16];
        while (!closed) {
            byte[] data;
            int n;
            long end;
            synchronized (this) {
                long waitUntil = System.nanoTime() + 100_000_000L;
                while (len == 0 && !closed && !(fsync != Fsync.NO && synced < written && dueEverysec())
                        && !(fsync == Fsync.ALWAYS && synced < written)) {
                    long ms = (waitUntil - System.nanoTime()) / 1_000_000;
                    if (ms <= 0) break;
                    try {
                        wait(ms);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                data = buf;
                n = len;
                end = appended;
                inFlight = n > 0;
                buf = spare.length >= 1 << 16 ? spare : new byte[1 << 16];
                len = 0;
            }
            spare = data;
            IOException failure = null;
            synchronized (io) {
                try {
                    if (n > 0) writeOut(data, n);
                    written = end;
                    if (!writeOk) {
                        writeOk = true;
                        warn.accept("AOF write error looks solved, Redis can write again.");
                    }
                    Fsync f = fsync;
                    if (f == Fsync.ALWAYS && synced < written) {
                        current.force(false);
                        synced = written;
                        lastFsyncNanos = System.nanoTime();
                    } else if (f == Fsync.EVERYSEC && synced < written && dueEverysec()) {
                        current.force(false);
                        synced = written;
                        lastFsyncNanos = System.nanoTime();
                    }
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure == null && n > 0) {
                synchronized (this) {
                    inFlight = false;
                    notifyAll();
                }
            }
            if (failure != null) {
                // outside the io lock: failed() takes this object's lock (rotation takes this, then io)
                spare = new byte[1 << 16];
                failed(failure, data, n);
                continue;
            }
            release();
        }
    }

    private boolean dueEverysec() {
        return System.nanoTime() - lastFsyncNanos >= 1_000_000_000L;
    }

    /** Writes the whole range or fails having removed any short write from the file. */
    private void writeOut(byte[] data, int n) throws IOException {
        long start = current.position();
        try {
            ByteBuffer bb = ByteBuffer.wrap(data, 0, n);
            while (bb.hasRemaining()) current.write(bb);
            currentSize += n;
        } catch (IOException e) {
            try {
                current.truncate(start);
                current.position(start);
            } catch (IOException t) {
                warn.accept("Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: " + t.getMessage());
            }
            throw e;
        }
    }

    /** A failed write: the data goes back in front of the buffer and is retried a moment later. */
    private void failed(IOException e, byte[] data, int n) {
        String reason = e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage();
        if (writeOk) warn.accept("Error writing to the AOF file: " + reason);
        writeError = reason == null ? "Input/output error" : reason;
        writeOk = false;
        synchronized (this) {
            byte[] merged = new byte[Math.max(n + len, 1 << 16)];
            System.arraycopy(data, 0, merged, 0, n);
            System.arraycopy(buf, 0, merged, n, len);
            buf = merged;
            len += n;
            inFlight = false;
            notifyAll();
            try {
                wait(1000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes and fsyncs everything appended so far (shutdown, BGREWRITEAOF's switch). */
    public void flush() throws IOException {
        long target;
        synchronized (this) {
            target = appended;
            notifyAll();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (written < target && System.nanoTime() < deadline && writeOk) {
            synchronized (this) { notifyAll(); }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (io) {
            if (current != null && current.isOpen()) current.force(false);
            synced = written;
        }
        release();
    }

    public void close() {
        if (closed) return;
        try {
            flush();
        } catch (IOException e) {
            warn.accept("Fail to fsync the AOF file: " + e.getMessage());
        }
        closed = true;
        synchronized (this) { notifyAll(); }
        synchronized (io) {
            try {
                if (current != null) current.close();
            } catch (IOException ignored) {
                // closing after a successful fsync loses nothing
            }
        }
    }

    // ---------------------------------------------------------------- rewrite

    /** Waits (holding this monitor) until the writer thread has written out the chunk it took. */
    private void awaitNoChunkInFlight(String doing) throws IOException {
        while (inFlight) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + doing);
            }
        }
    }

    /**
     * The first step of a rewrite, as Redis's openNewIncrAofForAppend: the buffer is written out
     * to the current incremental file, which is then closed, and the records appended from now
     * on go to a new one, listed in the manifest at once. The caller holds every shard lock, so
     * the switch falls between two commands; returns the base sequence the new base will get.
     */
    public long startRewrite() throws IOException {
        synchronized (this) {
            // a chunk the writer thread took belongs before what is still buffered, in the old file
            awaitNoChunkInFlight("switching the AOF file");
            synchronized (io) {
                if (len > 0) {
                    writeOut(buf, len);
                    len = 0;
                    written = appended;
                }
                current.force(false);
                synced = written;
                current.close();
                AofManifest m = manifest.copy();
                m.currIncrSeq++;
                AofManifest.Entry e = new AofManifest.Entry(fileName + "." + m.currIncrSeq + ".incr.aof", m.currIncrSeq, 'i');
                m.incr.add(e);
                current = FileChannel.open(dir.resolve(e.name()), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                current.position(current.size());
                m.persist(dir, manifestName());
                manifest = m;
                selectedDb = -1;
                notice.accept("Creating AOF incr file " + e.name() + " on background rewrite");
            }
        }
        release(); // the replies the fsync above made durable
        return manifest().currBaseSeq + 1;
    }

    // ---------------------------------------------------------------- backup

    /**
     * The files a backup copies, as of one instant: the manifest then, each of its files opened
     * for reading (an open file outlives its deletion by a later rewrite), and how long the open
     * incremental file (the last one) was at that instant. Closing it closes the files.
     */
    public record Cut(AofManifest manifest, java.util.Map<String, FileChannel> files, long lastIncrLength,
                      long offset) implements AutoCloseable {
        @Override
        public void close() {
            for (FileChannel ch : files.values()) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // a read-only channel loses nothing on close
                }
            }
        }
    }

    /**
     * Cuts the log for a backup. The caller holds every shard lock, so the cut falls between two
     * commands: everything appended so far, and nothing after, lies in the files of the returned
     * manifest, the open incremental file up to {@link Cut#lastIncrLength} (once written out:
     * {@link #flush} after releasing the locks makes it durable). Only metadata work happens
     * here, no data is written, so writers are held up for a moment only.
     */
    public Cut cut() throws IOException {
        synchronized (this) {
            // a chunk the writer thread took is counted in the file only once it is written
            awaitNoChunkInFlight("cutting the AOF for a backup");
            synchronized (io) {
                AofManifest m = manifest.copy();
                m.history.clear();
                long length = current.position() + len;
                java.util.Map<String, FileChannel> files = new java.util.LinkedHashMap<>();
                try {
                    if (m.base != null) files.put(m.base.name(), FileChannel.open(dir.resolve(m.base.name()), StandardOpenOption.READ));
                    for (AofManifest.Entry e : m.incr) files.put(e.name(), FileChannel.open(dir.resolve(e.name()), StandardOpenOption.READ));
                } catch (IOException e) {
                    new Cut(m, files, 0, 0).close();
                    throw e;
                }
                return new Cut(m, files, length, appended);
            }
        }
    }

    /** Where the rewrite writes the new base before it is renamed into place. */
    public Path tempBase() {
        return dir.resolve("temp-rewriteaof-bg-" + ProcessHandle.current().pid() + ".aof");
    }

    /**
     * The last step of a rewrite: the new base (fsynced by the caller) is renamed into place, the
     * old base and every incremental file before the current one become history in a manifest
     * switched atomically, and the history files are deleted.
     */
    public void finishRewrite(Path tempBase) throws IOException {
        finishRewrite(tempBase, false);
    }

    /** {@link #finishRewrite(Path)} for a base that is an RDB image ({@code .base.rdb}) or RESP. */
    public void finishRewrite(Path tempBase, boolean rdbBase) throws IOException {
        AofManifest m;
        synchronized (io) {
            m = manifest.copy();
            m.currBaseSeq++;
            String baseName = baseName(fileName, m.currBaseSeq, rdbBase);
            Files.move(tempBase, dir.resolve(baseName), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (m.base != null) m.history.add(new AofManifest.Entry(m.base.name(), m.base.seq(), 'h'));
            m.base = new AofManifest.Entry(baseName, m.currBaseSeq, 'b');
            while (m.incr.size() > 1) {
                AofManifest.Entry e = m.incr.remove(0);
                m.history.add(new AofManifest.Entry(e.name(), e.seq(), 'h'));
            }
            m.persist(dir, manifestName());
            manifest = m;
            notice.accept("Successfully renamed the temporary AOF base file " + tempBase.getFileName() + " into " + baseName);
            long size = Files.size(dir.resolve(baseName));
            long incrSize = current.size();
            currentSize = size + incrSize;
            baseSize = size;
        }
        deleteHistory(m);
    }

    /** Deletes the history files and drops them from the manifest (Redis's aofDelHistoryFiles). */
    private void deleteHistory(AofManifest snapshot) throws IOException {
        for (AofManifest.Entry e : snapshot.history) {
            Files.deleteIfExists(dir.resolve(e.name()));
            notice.accept("Removing the history file " + e.name() + " in the background");
        }
        synchronized (io) {
            manifest.history.clear();
            manifest.persist(dir, manifestName());
        }
    }
}
