package io.basalt.persistence.backup;

import io.basalt.persistence.aof.AofException;
import io.basalt.persistence.aof.AofManifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checking and restoring a backup directory (see {@link BackupManifest}). Restoring writes what a
 * server needs to start with the backup's state into a new or empty data directory: the log
 * (cut at a chosen second for a point-in-time restore) and, for the latest state, the snapshot.
 */
public final class Backups {
    private Backups() {}

    /** SHA-256 of a file, in lower-case hex. */
    public static String sha256(Path p) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(p)) {
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** True when {@code dir} does not exist or is an empty directory. */
    public static boolean newOrEmpty(Path dir) throws IOException {
        if (!Files.exists(dir)) return true;
        if (!Files.isDirectory(dir)) return false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        }
    }

    /**
     * Checks every file the manifest lists: present, of its size, with its SHA-256. Returns the
     * manifest; the exception names the first file that fails.
     */
    public static BackupManifest verify(Path dir) throws BackupException {
        BackupManifest m = BackupManifest.read(dir);
        if (m.files.isEmpty()) throw new BackupException(BackupManifest.FILE + " lists no files");
        for (BackupManifest.FileEntry f : m.files) {
            Path p = dir.resolve(f.path());
            try {
                if (!Files.isRegularFile(p)) throw new BackupException("file " + f.path() + " is missing");
                long size = Files.size(p);
                if (size != f.size()) {
                    throw new BackupException("file " + f.path() + " has " + size + " bytes, the manifest says " + f.size());
                }
                String sha = sha256(p);
                if (!sha.equals(f.sha256())) {
                    throw new BackupException("file " + f.path() + " is damaged: SHA-256 " + sha + ", the manifest says " + f.sha256());
                }
            } catch (IOException e) {
                throw new BackupException("can't read file " + f.path() + ": " + e.getMessage(), e);
            }
        }
        if (m.hasLog() && m.files.stream().noneMatch(f -> f.path().equals(BackupManifest.AOF_DIR + "/" + m.aofManifest))) {
            throw new BackupException(BackupManifest.FILE + " names a log but lists no " + m.aofManifest);
        }
        return m;
    }

    /** What {@link #restore} wrote. */
    public record Restored(BackupManifest manifest, boolean log, boolean rdb, long toSeconds, String truncatedFile,
                           long truncatedAt, String startCommand) {}

    /**
     * Restores {@code backup} into {@code dataDir} (new or empty), after verifying it. With
     * {@code toSeconds} &lt; 0 the latest state (the snapshot instant): the snapshot as the base of
     * an appendonlydir (or as dump.rdb when the backup has no log). Otherwise the log is cut at the first {@code #TS:} annotation later than
     * {@code toSeconds} (redis-check-aof --truncate-to-timestamp's rule) and later incremental
     * files are dropped: the snapshot is not used then, since it holds a later state.
     */
    public static Restored restore(Path backup, Path dataDir, long toSeconds) throws BackupException {
        BackupManifest m = verify(backup);
        try {
            if (!newOrEmpty(dataDir)) {
                throw new BackupException("the data directory " + dataDir + " is not empty: restore needs a new or empty directory");
            }
        } catch (IOException e) {
            throw new BackupException("can't read the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        long snapshotSec = m.snapshotMillis / 1000;
        if (toSeconds >= 0) {
            if (!m.hasLog()) {
                throw new BackupException("the backup has no append-only log (the server ran with appendonly no): it can only be "
                        + "restored to its snapshot time " + Instant.ofEpochSecond(snapshotSec) + ", without --to-time");
            }
            if (!m.hasTimestamps()) {
                throw new BackupException("the backup's log has no timestamps: restoring to a time needs the server to run "
                        + "with aof-timestamp-enabled yes");
            }
            if (toSeconds < m.firstTimestamp) {
                throw new BackupException("time " + toSeconds + " (" + Instant.ofEpochSecond(toSeconds) + ") is before the range the "
                        + "backup covers: " + m.firstTimestamp + " (" + Instant.ofEpochSecond(m.firstTimestamp) + ") to "
                        + snapshotSec + " (" + Instant.ofEpochSecond(snapshotSec) + ")");
            }
            if (toSeconds > snapshotSec) {
                throw new BackupException("time " + toSeconds + " (" + Instant.ofEpochSecond(toSeconds) + ") is after the backup was "
                        + "taken: it covers " + m.firstTimestamp + " (" + Instant.ofEpochSecond(m.firstTimestamp) + ") to "
                        + snapshotSec + " (" + Instant.ofEpochSecond(snapshotSec) + ")");
            }
        }
        try {
            Files.createDirectories(dataDir);
            String truncated = null;
            long truncatedAt = -1;
            if (m.hasLog()) {
                Path src = backup.resolve(BackupManifest.AOF_DIR);
                Path dst = Files.createDirectories(dataDir.resolve(BackupManifest.AOF_DIR));
                AofManifest am;
                try {
                    am = AofManifest.parse(Files.readString(src.resolve(m.aofManifest), StandardCharsets.ISO_8859_1));
                } catch (AofException e) {
                    throw new BackupException("file " + BackupManifest.AOF_DIR + "/" + m.aofManifest + ": " + e.getMessage(), e);
                }
                List<AofManifest.Entry> files = new ArrayList<>();
                if (am.base != null) files.add(am.base);
                files.addAll(am.incr);
                int cutFile = -1;
                long cutAt = -1;
                if (toSeconds >= 0) {
                    for (int i = 0; i < files.size() && cutFile < 0; i++) {
                        Path f = src.resolve(files.get(i).name());
                        for (AofTimestamps.Mark mark : AofTimestamps.scan(f, Files.size(f))) {
                            if (mark.seconds() > toSeconds) {
                                cutFile = i;
                                cutAt = mark.offset();
                                break;
                            }
                        }
                    }
                    if (cutFile == 0 && cutAt == 0) {
                        throw new BackupException("the log has nothing before time " + toSeconds);
                    }
                }
                AofManifest out = new AofManifest();
                out.currBaseSeq = am.currBaseSeq;
                out.currIncrSeq = am.currIncrSeq;
                if (toSeconds < 0 && Files.exists(backup.resolve(BackupManifest.RDB))) {
                    // the latest state is the snapshot's: it becomes the base (an RDB base, as
                    // Redis writes with aof-use-rdb-preamble), which loads without any replay
                    out.currBaseSeq = am.currBaseSeq + 1;
                    String name = m.aofFileName + "." + out.currBaseSeq + ".base.rdb";
                    copy(backup.resolve(BackupManifest.RDB), dst.resolve(name), Long.MAX_VALUE);
                    out.base = new AofManifest.Entry(name, out.currBaseSeq, 'b');
                    files.clear();
                }
                for (int i = 0; i < files.size(); i++) {
                    AofManifest.Entry e = files.get(i);
                    if (cutFile >= 0 && i > cutFile) break;
                    long limit = i == cutFile ? cutAt : Long.MAX_VALUE;
                    copy(src.resolve(e.name()), dst.resolve(e.name()), limit);
                    if (e == am.base) out.base = e;
                    else out.incr.add(e);
                    if (i == cutFile) {
                        truncated = e.name();
                        truncatedAt = cutAt;
                    }
                }
                out.persist(dst, m.aofManifest);
            }
            // with a log the server starts from the log (appendonly yes), which then holds the
            // snapshot; a dump.rdb beside it would only be a second copy
            boolean rdb = !m.hasLog() && Files.exists(backup.resolve(BackupManifest.RDB));
            if (rdb) copy(backup.resolve(BackupManifest.RDB), dataDir.resolve(BackupManifest.RDB), Long.MAX_VALUE);
            fsyncDir(dataDir);
            StringBuilder cmd = new StringBuilder("basalt-server --dir ").append(dataDir.toAbsolutePath());
            if (m.hasLog()) {
                cmd.append(" --appendonly yes");
                if (!"appendonly.aof".equals(m.aofFileName)) cmd.append(" --appendfilename ").append(m.aofFileName);
                if (m.hasTimestamps()) cmd.append(" --aof-timestamp-enabled yes");
            }
            return new Restored(m, m.hasLog(), rdb, toSeconds, truncated, truncatedAt, cmd.toString());
        } catch (IOException e) {
            throw new BackupException("restore into " + dataDir + " failed: " + e.getMessage(), e);
        }
    }

    /** Copies the first {@code limit} bytes of a file (all of it for Long.MAX_VALUE), fsynced. */
    public static void copy(Path from, Path to, long limit) throws IOException {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
            copy(in, to, Math.min(limit, in.size()));
        }
    }

    /** Copies the first {@code length} bytes of an open file to a new file, fsynced. */
    public static void copy(FileChannel in, Path to, long length) throws IOException {
        try (FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = 0;
            while (pos < length) {
                long n = in.transferTo(pos, length - pos, out);
                if (n <= 0) throw new IOException(to.getFileName() + ": source ended after " + pos + " of " + length + " bytes");
                pos += n;
            }
            out.force(true);
        }
    }

    /** fsync of a directory, so the names created in it survive a crash. */
    public static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened; the files themselves are synced
        }
    }
}
