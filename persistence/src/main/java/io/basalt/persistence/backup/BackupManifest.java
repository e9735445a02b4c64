package io.basalt.persistence.backup;

import io.basalt.resp.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code backup.json}, which makes a backup directory self-describing: what wrote it and when,
 * the snapshot instant, the append-only log it carries (if the server ran with appendonly yes)
 * and the time range its {@code #TS:} annotations cover, and every file with its size and
 * SHA-256. It is written last, so a directory without it is an unfinished backup.
 */
public final class BackupManifest {
    public static final String FILE = "backup.json";
    public static final int FORMAT = 1;
    /** Where the snapshot and the log live inside a backup directory. */
    public static final String RDB = "dump.rdb";
    public static final String AOF_DIR = "appendonlydir";

    /** One file of the backup, by path relative to the backup directory ('/' separated). */
    public record FileEntry(String path, long size, String sha256) {}

    public int format = FORMAT;
    public String basaltVersion;
    public String redisVersion;
    public long createdMillis;
    public String runId;
    /** The snapshot instant: the RDB holds the keyspace then, and the log ends exactly there. */
    public long snapshotMillis;
    public long keys;
    /** Null when the backup has no log (the server ran with appendonly no). */
    public String aofFileName;
    public String aofManifest;
    /** First and last {@code #TS:} annotation in the log (unix seconds), -1 when it has none. */
    public long firstTimestamp = -1;
    public long lastTimestamp = -1;
    public final List<FileEntry> files = new ArrayList<>();

    public boolean hasLog() { return aofManifest != null; }

    public boolean hasTimestamps() { return firstTimestamp >= 0; }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", (long) format);
        m.put("kind", "basalt-backup");
        m.put("basalt_version", basaltVersion);
        m.put("redis_version", redisVersion);
        m.put("created", Instant.ofEpochMilli(createdMillis).toString());
        m.put("created_unix_ms", createdMillis);
        m.put("source_run_id", runId);
        m.put("snapshot_time", Instant.ofEpochMilli(snapshotMillis).toString());
        m.put("snapshot_unix_ms", snapshotMillis);
        m.put("keys", keys);
        if (hasLog()) {
            Map<String, Object> log = new LinkedHashMap<>();
            log.put("dir", AOF_DIR);
            log.put("appendfilename", aofFileName);
            log.put("manifest", aofManifest);
            log.put("first_timestamp", firstTimestamp);
            log.put("last_timestamp", lastTimestamp);
            m.put("log", log);
        } else {
            m.put("log", null);
        }
        List<Object> fs = new ArrayList<>();
        for (FileEntry f : files) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("path", f.path());
            e.put("size", f.size());
            e.put("sha256", f.sha256());
            fs.add(e);
        }
        m.put("files", fs);
        return Json.writeIndented(m);
    }

    /** Reads {@code backup.json} of {@code dir}. */
    public static BackupManifest read(Path dir) throws BackupException {
        String text;
        try {
            text = Files.readString(dir.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BackupException(dir + " has no " + FILE + ": not a backup, or the backup did not finish");
        } catch (IOException e) {
            throw new BackupException("can't read " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (RuntimeException e) {
            throw new BackupException(FILE + " is damaged: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static BackupManifest parse(String text) {
        Object doc;
        try {
            doc = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!(doc instanceof Map)) throw new IllegalArgumentException("not a JSON object");
        Map<String, Object> m = (Map<String, Object>) doc;
        if (!"basalt-backup".equals(m.get("kind"))) throw new IllegalArgumentException("kind is not basalt-backup");
        BackupManifest b = new BackupManifest();
        b.format = (int) num(m, "format");
        if (b.format != FORMAT) throw new IllegalArgumentException("unsupported format " + b.format + " (this tool reads " + FORMAT + ")");
        b.basaltVersion = (String) m.get("basalt_version");
        b.redisVersion = (String) m.get("redis_version");
        b.createdMillis = num(m, "created_unix_ms");
        b.runId = (String) m.get("source_run_id");
        b.snapshotMillis = num(m, "snapshot_unix_ms");
        b.keys = num(m, "keys");
        Object log = m.get("log");
        if (log != null) {
            Map<String, Object> l = (Map<String, Object>) log;
            b.aofFileName = (String) l.get("appendfilename");
            b.aofManifest = (String) l.get("manifest");
            if (b.aofFileName == null || b.aofManifest == null) throw new IllegalArgumentException("log without its file names");
            b.firstTimestamp = num(l, "first_timestamp");
            b.lastTimestamp = num(l, "last_timestamp");
        }
        Object files = m.get("files");
        if (!(files instanceof List)) throw new IllegalArgumentException("no file list");
        for (Object o : (List<Object>) files) {
            Map<String, Object> f = (Map<String, Object>) o;
            String path = (String) f.get("path");
            String sha = (String) f.get("sha256");
            if (path == null || sha == null || path.startsWith("/") || path.contains("..")) {
                throw new IllegalArgumentException("bad file entry " + f);
            }
            b.files.add(new FileEntry(path, num(f, "size"), sha));
        }
        return b;
    }

    private static long num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof Long l)) throw new IllegalArgumentException("missing or non-integer field " + k);
        return l;
    }
}
