package io.basalt.persistence.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** backup.json round trip and the #TS: annotation scan the point-in-time cut relies on. */
class BackupFilesTest {

    @Test
    void manifestRoundTrips() {
        BackupManifest m = new BackupManifest();
        m.basaltVersion = "0.1.0";
        m.redisVersion = "7.0.15";
        m.createdMillis = 1_700_000_000_123L;
        m.runId = "abc\"\\\n";
        m.snapshotMillis = 1_700_000_001_456L;
        m.keys = 42;
        m.aofFileName = "appendonly.aof";
        m.aofManifest = "appendonly.aof.manifest";
        m.firstTimestamp = 1_699_999_000L;
        m.lastTimestamp = 1_700_000_001L;
        m.files.add(new BackupManifest.FileEntry("dump.rdb", 10, "00ff"));
        m.files.add(new BackupManifest.FileEntry("appendonlydir/appendonly.aof.1.incr.aof", 0, "e3b0"));
        BackupManifest back = BackupManifest.parse(m.toJson());
        assertEquals(m.toJson(), back.toJson());
        assertEquals(m.runId, back.runId);
        assertEquals(m.files, back.files);

        BackupManifest noLog = new BackupManifest();
        noLog.files.add(new BackupManifest.FileEntry("dump.rdb", 1, "aa"));
        assertEquals(false, BackupManifest.parse(noLog.toJson()).hasLog());
    }

    @Test
    void damagedOrForeignManifestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse("{"));
        assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse("{\"kind\": \"other\"}"));
        String escape = new BackupManifest().toJson().replace("\"files\": []",
                "\"files\": [{\"path\": \"../etc/passwd\", \"size\": 1, \"sha256\": \"x\"}]");
        assertThrows(IllegalArgumentException.class, () -> BackupManifest.parse(escape));
    }

    @Test
    void annotationsAreFoundAtCommandBoundaries(@TempDir Path dir) throws Exception {
        String aof = "#TS:100\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$2\r\n#T\r\n$5\r\n#TS:9\r\n"
                + "#TS:101\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*1\r\n$4\r\nEXEC\r\n"
                + "#TS:105\r\n*2\r\n$3\r\nDEL\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$1\r\nb"; // torn tail
        Path f = dir.resolve("a.aof");
        Files.writeString(f, aof, StandardCharsets.US_ASCII);
        List<AofTimestamps.Mark> marks = AofTimestamps.scan(f, Files.size(f));
        assertEquals(List.of(100L, 101L, 105L), marks.stream().map(AofTimestamps.Mark::seconds).toList());
        assertEquals(0, marks.get(0).offset());
        assertTrue(aof.startsWith("#TS:101", (int) marks.get(1).offset()));
        assertTrue(aof.startsWith("#TS:105", (int) marks.get(2).offset()));
        // only the first bytes count (the open file's length at the cut)
        assertEquals(2, AofTimestamps.scan(f, marks.get(2).offset()).size());

        // a base with an RDB preamble: the annotation before it, none inside
        Path base = dir.resolve("base.aof");
        Files.write(base, ("#TS:7\r\nREDIS0010#TS:8\r\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(List.of(new AofTimestamps.Mark(0, 7)), AofTimestamps.scan(base, Files.size(base)));

        // a base that is an RDB image (what Redis and Basalt write with aof-use-rdb-preamble):
        // its ctime aux field (an int-encoded string) marks its start
        java.io.ByteArrayOutputStream rdb = new java.io.ByteArrayOutputStream();
        rdb.writeBytes("REDIS0010".getBytes(StandardCharsets.US_ASCII));
        rdb.write(0xFA);
        rdb.write(9);
        rdb.writeBytes("redis-ver".getBytes(StandardCharsets.US_ASCII));
        rdb.write(6);
        rdb.writeBytes("7.0.15".getBytes(StandardCharsets.US_ASCII));
        rdb.write(0xFA);
        rdb.write(5);
        rdb.writeBytes("ctime".getBytes(StandardCharsets.US_ASCII));
        rdb.write(0xC2);
        int ctime = 1795693605;
        for (int i = 0; i < 4; i++) rdb.write(ctime >> (8 * i));
        rdb.write(0xFE);
        Path rdbBase = dir.resolve("base.rdb");
        Files.write(rdbBase, rdb.toByteArray());
        assertEquals(List.of(new AofTimestamps.Mark(0, ctime)), AofTimestamps.scan(rdbBase, Files.size(rdbBase)));
    }
}
