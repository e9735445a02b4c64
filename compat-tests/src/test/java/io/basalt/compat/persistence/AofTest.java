package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The append-only file against redis-server 7.0: the same commands log the same records (what
 * happened, in Redis's deterministic forms), each server loads the other's directory, and
 * damaged files are truncated or refused as Redis does.
 */
class AofTest {
    /** Commands whose effects are deterministic, with Redis's rewrites among them. */
    private static final List<String[]> SCRIPT = List.of(
            c("SET a 1"), c("SET b 2 EX 100"), c("SETEX c 100 v"), c("PSETEX d 100000 v"),
            c("GETEX a EX 50"), c("GETEX a PERSIST"), c("EXPIRE b 60"), c("PEXPIRE b 60000 XX"), c("EXPIREAT c 1"),
            c("INCRBYFLOAT f 1.5"), c("HINCRBYFLOAT h x 2.5"), c("SADD s1 only"), c("SPOP s1"),
            c("SADD s2 a b c"), c("SPOP s2 5"), c("RPUSH l a b c d e"), c("BLPOP l 0"), c("BLMOVE l l2 LEFT RIGHT 0"),
            c("BRPOPLPUSH l l2 0"), c("BLMPOP 0 1 l LEFT COUNT 5"), c("ZADD z 1 a 2 b 3 c"), c("BZPOPMIN z 0"),
            c("BZMPOP 0 1 z MAX COUNT 9"), c("GET a"), c("DEL nokey"), c("LPUSH a x"), c("SELECT 3"), c("SET k3 v"),
            c("INCR n"), c("MULTI"), c("SET m1 1"), c("INCR m1"), c("EXEC"), c("SELECT 0"), c("SET p 1 NX"),
            c("SET p 1 NX"), c("SET s abc"), c("APPEND s def"), c("SETRANGE s 1 X"), c("RENAME s s2"), c("COPY s2 s3"),
            c("MOVE s3 2"), c("SWAPDB 0 2"), c("SWAPDB 0 2"), c("HSET h a 1"), c("HDEL h a"), c("HDEL h a"),
            c("SINTERSTORE d s4 s5"), c("SADD s4 1 2"), c("SADD s5 2 3"), c("SINTERSTORE d s4 s5"),
            c("EXPIRE d 100 NX"), c("PEXPIREAT d 99999999999999"), c("PERSIST d"), c("SET e1 v PXAT 99999999999999"),
            c("SET e2 v EXAT 9999999999 GET"), c("SET e3 v KEEPTTL"), c("GETDEL e3"),
            // RESTORE's TTL is logged as an absolute time; an already expired one as DEL of the old key
            c("SET src v"), c("DUMPRESTORE src r1 100000"), c("DUMPRESTORE src r2 0"),
            c("DUMPRESTORE src r1 1 REPLACE ABSTTL"),
            // HyperLogLogs: a PFADD that raises nothing is not logged; PFCOUNT is when it caches
            // a new cardinality, PFDEBUG when it converts to dense
            c("PFADD hll a b c"), c("PFADD hll a"), c("PFCOUNT hll"), c("PFCOUNT hll"), c("PFCOUNT hll nokey"),
            c("PFMERGE hm hll"), c("PFDEBUG TODENSE hll"), c("PFDEBUG TODENSE hll"), c("PFDEBUG GETREG hm"),
            c("PFDEBUG ENCODING hm"), c("FLUSHDB"),
            // keys a command finds expired: DEL before the command, both in MULTI ... EXEC
            c("DEBUG SET-ACTIVE-EXPIRE 0"), c("PSETEX ttl 1 v"), c("SLEEP"), c("APPEND ttl x"),
            c("PSETEX ttl2 1 v"), c("SLEEP"), c("GET ttl2"), c("DEBUG SET-ACTIVE-EXPIRE 1"), c("SET last 1"));

    private static String[] c(String s) { return s.split(" "); }

    private static void run(int port, List<String[]> script) {
        try (RawClient c = new RawClient(port)) {
            for (String[] cmd : script) {
                if (cmd[0].equals("DUMPRESTORE")) {
                    // DUMP src, then RESTORE dst ttl <payload> [options...]
                    byte[] payload = c.call("DUMP", cmd[1]).bytes();
                    byte[][] restore = new byte[cmd.length + 1][];
                    restore[0] = "RESTORE".getBytes();
                    restore[1] = cmd[2].getBytes();
                    restore[2] = cmd[3].getBytes();
                    restore[3] = payload;
                    for (int i = 4; i < cmd.length; i++) restore[i] = cmd[i].getBytes();
                    c.call(java.util.Arrays.copyOf(restore, cmd.length));
                    continue;
                }
                if (cmd[0].equals("SLEEP")) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    continue;
                }
                c.call(cmd);
            }
        }
    }

    @Test
    void logsWhatHappenedAsRedisDoes(@TempDir Path dir) throws Exception {
        Path r = Files.createDirectories(dir.resolve("redis"));
        Path b = Files.createDirectories(dir.resolve("basalt"));
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always",
                "--aof-use-rdb-preamble", "no", "--dir", r.toString());
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--appendfsync", "always",
                "--aof-use-rdb-preamble", "no", "--dir", b.toString());
        try {
            run(redis.port(), SCRIPT);
            run(basalt.port(), SCRIPT);
            String expected = AofFiles.normalized(AofFiles.incr(r.resolve("appendonlydir")));
            String actual = AofFiles.normalized(AofFiles.incr(b.resolve("appendonlydir")));
            assertEquals(expected, actual);
            assertEquals(Files.readString(r.resolve("appendonlydir/appendonly.aof.manifest")),
                    Files.readString(b.resolve("appendonlydir/appendonly.aof.manifest")));
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    /** Blocked clients served by other clients' writes: their pops are logged as non-blocking forms. */
    private static void servedLater(int port) throws InterruptedException {
        try (RawClient a = new RawClient(port); RawClient b = new RawClient(port)) {
            String[][] blocking = {{"BLPOP", "q", "0"}, {"BLMOVE", "q", "q2", "RIGHT", "LEFT", "0"},
                    {"BRPOPLPUSH", "q", "q3", "0"}, {"BZPOPMAX", "zq", "0"}, {"BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "3"}};
            String[][] feeding = {{"RPUSH", "q", "x"}, {"RPUSH", "q", "y"}, {"LPUSH", "q", "z"}, {"ZADD", "zq", "1", "m", "2", "n"},
                    {"RPUSH", "q", "1", "2"}};
            for (int i = 0; i < blocking.length; i++) {
                a.send(blocking[i]);
                Thread.sleep(100);
                b.call(feeding[i]);
                assertFalse(a.read().isError());
            }
        }
    }

    @Test
    void servedBlockingPopsAreLoggedAsRedisLogsThem(@TempDir Path dir) throws Exception {
        Path r = Files.createDirectories(dir.resolve("redis"));
        Path b = Files.createDirectories(dir.resolve("basalt"));
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always",
                "--aof-use-rdb-preamble", "no", "--dir", r.toString());
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--appendfsync", "always",
                "--aof-use-rdb-preamble", "no", "--dir", b.toString());
        try {
            servedLater(redis.port());
            servedLater(basalt.port());
            assertEquals(AofFiles.normalized(AofFiles.incr(r.resolve("appendonlydir"))),
                    AofFiles.normalized(AofFiles.incr(b.resolve("appendonlydir"))));
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    /** Every type, several encodings, TTLs and databases, a rewrite in the middle. */
    private static void fill(int port, int round) {
        try (RawClient c = new RawClient(port)) {
            for (int i = 0; i < 300; i++) {
                String n = round + "-" + i;
                c.call("SET", "s" + n, "v" + i);
                c.call("SET", "int" + (i % 50), Integer.toString(i));
                c.call("RPUSH", "l" + (i % 10), "e" + n);
                c.call("SADD", "set" + (i % 7), "m" + n);
                c.call("SADD", "iset" + (i % 3), Integer.toString(i));
                c.call("HSET", "h" + (i % 5), "f" + n, Integer.toString(i));
                c.call("ZADD", "z" + (i % 3), i + ".25", "m" + n);
                c.call("INCR", "cnt");
            }
            c.call("HSET", "bighash", "f".repeat(100), "v".repeat(100));
            c.call("PEXPIRE", "s" + round + "-1", "1000000");
            c.call("EXPIRE", "l1", "100000");
            c.call("SELECT", "2");
            c.call("SET", "db2key", "x" + round);
            c.call("ZADD", "zinf", "inf", "top", "-inf", "bottom", "0.1", "tenth");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"yes", "no"})
    void redisLoadsWhatBasaltWrote(String preamble, @TempDir Path dir) throws Exception {
        String ext = preamble.equals("yes") ? "rdb" : "aof";
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString(), "--aof-timestamp-enabled", "yes",
                "--aof-use-rdb-preamble", preamble);
        Map<String, String> expected;
        try {
            fill(basalt.port(), 1);
            try (RawClient c = new RawClient(basalt.port())) {
                assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF").string());
            }
            fill(basalt.port(), 2); // concurrently with the rewrite
            AofFiles.awaitRewrite(basalt.port());
            fill(basalt.port(), 3);
            expected = AofFiles.dump(basalt.port());
        } finally {
            basalt.stop();
        }
        String manifest = Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest"));
        assertTrue(manifest.contains("file appendonly.aof.2.base." + ext + " seq 2 type b"), manifest);
        assertTrue(manifest.contains("file appendonly.aof.2.incr.aof seq 2 type i"), manifest);
        assertFalse(manifest.contains("type h"), manifest);
        assertEquals(3, Files.list(dir.resolve("appendonlydir")).count());
        assertEquals(expected, AofFiles.redisDump(dir));
    }

    @Test
    void basaltLoadsWhatRedisWrote(@TempDir Path dir) throws Exception {
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--aof-use-rdb-preamble", "no",
                "--aof-timestamp-enabled", "yes", "--dir", dir.toString());
        Map<String, String> expected;
        try {
            fill(redis.port(), 1);
            try (RawClient c = new RawClient(redis.port())) {
                c.call("BGREWRITEAOF");
            }
            AofFiles.awaitRewrite(redis.port());
            fill(redis.port(), 2);
            expected = AofFiles.dump(redis.port());
        } finally {
            redis.stop();
        }
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try {
            assertEquals(expected, AofFiles.dump(basalt.port()));
            // and it goes on appending to Redis's incremental file
            try (RawClient c = new RawClient(basalt.port())) {
                c.call("SET", "after", "restart");
            }
        } finally {
            basalt.stop();
        }
        BasaltInstance again = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient c = new RawClient(again.port())) {
            assertEquals("restart", c.call("GET", "after").string());
        } finally {
            again.stop();
        }
    }

    @Test
    void basaltLoadsRedisBaseWithAnRdbPreamble(@TempDir Path dir) throws Exception {
        // Redis's default: the rewritten base file is an RDB image, the incremental file RESP
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", dir.toString());
        Map<String, String> expected;
        try {
            fill(redis.port(), 1);
            try (RawClient c = new RawClient(redis.port())) {
                c.call("BGREWRITEAOF");
            }
            AofFiles.awaitRewrite(redis.port());
            fill(redis.port(), 2);
            expected = AofFiles.dump(redis.port());
        } finally {
            redis.stop();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
            assertTrue(files.anyMatch(p -> p.toString().endsWith(".base.rdb")), "Redis wrote no RDB base");
        }
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try {
            assertEquals(expected, AofFiles.dump(basalt.port()));
        } finally {
            basalt.stop();
        }
    }

    /** A directory holding one incremental file with {@code tail} appended to a valid log. */
    private static Path withTail(Path dir, String tail) throws Exception {
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "k", "1");
            c.call("INCR", "k");
        } finally {
            b.stop();
        }
        Path incr = dir.resolve("appendonlydir/appendonly.aof.1.incr.aof");
        Files.writeString(incr, tail, StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);
        return incr;
    }

    @Test
    void tornTailIsTruncatedWithAofLoadTruncated(@TempDir Path dir) throws Exception {
        Path incr = withTail(dir, "");
        long valid = Files.size(incr);
        Files.writeString(incr, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n9", StandardOpenOption.APPEND);
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient c = new RawClient(b.port())) {
            assertEquals("2", c.call("GET", "k").string()); // the torn SET never applied
            assertEquals(valid, Files.size(incr));
            c.call("SET", "after", "1");
        } finally {
            b.stop();
        }
        // what followed the truncation is loadable by Redis too
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", dir.toString());
        AofFiles.awaitLoaded(redis.port());
        try (RawClient c = new RawClient(redis.port())) {
            assertEquals("2", c.call("GET", "k").string());
            assertEquals("1", c.call("GET", "after").string());
        } finally {
            redis.stop();
        }
    }

    @Test
    void tornTailRefusesStartupWithoutAofLoadTruncated(@TempDir Path dir) throws Exception {
        Path incr = withTail(dir, "");
        long valid = Files.size(incr);
        Files.writeString(incr, "*2\r\n$4\r\nINCR\r\n$1", StandardOpenOption.APPEND);
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                BasaltInstance.start("--appendonly", "yes", "--aof-load-truncated", "no", "--dir", dir.toString()));
        assertTrue(e.getMessage().contains("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"), e.getMessage());
        assertTrue(e.getMessage().contains("offset " + valid), e.getMessage());
        assertEquals(valid + 16, Files.size(incr)); // untouched
    }

    @Test
    void corruptRecordIsNeverApplied(@TempDir Path dir) throws Exception {
        Path incr = withTail(dir, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n77\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString()));
        assertTrue(e.getMessage().contains("Bad file format reading the append only file appendonly.aof.1.incr.aof"), e.getMessage());
        assertTrue(Files.size(incr) > 0);
    }

    /**
     * The AOF is replayed, not re-run: nothing expires while it loads (Redis's keyIsExpired
     * during loading), so commands after a PEXPIREAT in the past still see the key. The same
     * files loaded by redis-server and by Basalt give the same data.
     */
    @Test
    void nothingExpiresWhileTheAofLoads(@TempDir Path dir) throws Exception {
        String tail = resp("RPUSH", "list", "foo") + resp("PEXPIREAT", "list", "1000") + resp("RPUSH", "list", "bar")
                + resp("PERSIST", "list") + resp("SET", "s", "v") + resp("PEXPIREAT", "s", "1000") + resp("APPEND", "s", "w")
                + resp("PERSIST", "s");
        withTail(dir, tail);
        Path copy = Files.createTempDirectory("aof-redis");
        Files.createDirectories(copy.resolve("appendonlydir"));
        try (java.util.stream.Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, copy.resolve("appendonlydir").resolve(f.getFileName()));
        }
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", copy.toString());
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient r = new RawClient(redis.port()); RawClient c = new RawClient(b.port())) {
            for (String[] q : new String[][] {{"LRANGE", "list", "0", "-1"}, {"GET", "s"}, {"PTTL", "list"}, {"PTTL", "s"}, {"DBSIZE"}}) {
                assertEquals(r.call(q).toString(), c.call(q).toString(), String.join(" ", q));
            }
            assertEquals("[foo, bar]", java.util.Arrays.toString(c.call("LRANGE", "list", "0", "-1").elements().stream()
                    .map(v -> v.string()).toArray()));
        } finally {
            b.stop();
            redis.stop();
        }
    }

    /**
     * An old single-file appendonly.aof (Redis before 7.0) with appendonly yes: Redis 7 moves it
     * into the append-only directory as base 1 and loads it, and so does Basalt, with the same
     * manifest. Also when an upgrade was interrupted after its manifest was written.
     */
    @Test
    void oldSingleFileAofIsUpgradedAsRedisDoes(@TempDir Path dir) throws Exception {
        String old = resp("SET", "a", "1") + resp("RPUSH", "l", "x", "y") + resp("SELECT", "2") + resp("SET", "b", "2");
        for (boolean interrupted : new boolean[] {false, true}) {
            Path rdir = Files.createTempDirectory("aof-upgrade-redis");
            Path bdir = Files.createTempDirectory("aof-upgrade-basalt");
            for (Path d : new Path[] {rdir, bdir}) {
                Files.writeString(d.resolve("appendonly.aof"), old, StandardCharsets.ISO_8859_1);
                if (interrupted) {
                    Files.createDirectories(d.resolve("appendonlydir"));
                    Files.writeString(d.resolve("appendonlydir/appendonly.aof.manifest"), "file appendonly.aof seq 1 type b\n");
                }
            }
            RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", rdir.toString());
            BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", bdir.toString());
            try (RawClient r = new RawClient(redis.port()); RawClient c = new RawClient(b.port())) {
                for (String[] q : new String[][] {{"GET", "a"}, {"LRANGE", "l", "0", "-1"}, {"SELECT", "2"}, {"GET", "b"}, {"DBSIZE"}}) {
                    assertEquals(r.call(q).toString(), c.call(q).toString(), String.join(" ", q));
                }
                assertEquals("2", c.call("GET", "b").string());
                assertEquals(Files.readString(rdir.resolve("appendonlydir/appendonly.aof.manifest")),
                        Files.readString(bdir.resolve("appendonlydir/appendonly.aof.manifest")), "interrupted=" + interrupted);
                assertFalse(Files.exists(bdir.resolve("appendonly.aof")));
                assertTrue(Files.exists(bdir.resolve("appendonlydir/appendonly.aof")));
            } finally {
                b.stop();
                redis.stop();
            }
        }
    }

    /**
     * CONFIG SET appendonly no while BGREWRITEAOF runs stops the rewrite before it renames a new
     * base into place, as Redis kills its rewrite child: redis-server and Basalt end with the same
     * manifest and files (the incremental file the rewrite opened stays, no temporary base), and
     * the stopped rewrite is not counted as a failure.
     */
    @Test
    void appendonlyNoDuringARewriteLeavesTheFilesAsRedisDoes(@TempDir Path dir) throws Exception {
        Path rdir = Files.createTempDirectory("aof-stop-redis");
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", rdir.toString());
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient r = new RawClient(redis.port()); RawClient c = new RawClient(b.port())) {
            for (RawClient x : new RawClient[] {r, c}) {
                for (int i = 0; i < 500; i++) x.call("SET", "k" + i, "v" + i);
                x.call("CONFIG", "SET", "rdb-key-save-delay", "2000"); // a rewrite of ~1 s
                assertEquals("Background append only file rewriting started", x.call("BGREWRITEAOF").string());
                Thread.sleep(200);
                assertEquals("OK", x.call("CONFIG", "SET", "appendonly", "no").string());
            }
            Thread.sleep(1500); // a rewrite that was not stopped would have finished by now
            assertEquals(Files.readString(rdir.resolve("appendonlydir/appendonly.aof.manifest")),
                    Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest")));
            assertEquals(names(rdir.resolve("appendonlydir")), names(dir.resolve("appendonlydir")));
            String info = c.call("INFO", "persistence").string();
            assertTrue(info.contains("aof_rewrite_in_progress:0\r\n"), info);
            assertTrue(info.contains("aof_last_bgrewrite_status:ok\r\n"), info);
        } finally {
            b.stop();
            redis.stop();
        }
    }

    private static java.util.Set<String> names(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> l = Files.list(dir)) {
            return l.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }

    private static String resp(String... argv) {
        StringBuilder sb = new StringBuilder("*" + argv.length + "\r\n");
        for (String a : argv) sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        return sb.toString();
    }

    @Test
    void unterminatedTransactionIsReverted(@TempDir Path dir) throws Exception {
        Path incr = withTail(dir, "");
        long valid = Files.size(incr);
        Files.writeString(incr, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n5\r\n", StandardOpenOption.APPEND);
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient c = new RawClient(b.port())) {
            assertEquals("2", c.call("GET", "k").string());
        } finally {
            b.stop();
        }
        assertEquals(valid, Files.size(incr));
    }

    @Test
    void badManifestRefusesStartup(@TempDir Path dir) throws Exception {
        withTail(dir, "");
        Files.writeString(dir.resolve("appendonlydir/appendonly.aof.manifest"), "file x seq 1 type z\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString()));
        assertTrue(e.getMessage().contains("Unknown AOF file type"), e.getMessage());
    }

    /**
     * A full disk: the incremental file is /dev/full. Writes are refused with Redis's MISCONF
     * error once a write failed, reads go on, and the server keeps running.
     */
    @Test
    void fullDiskRefusesWritesWithMisconf(@TempDir Path dir) throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(full));
        Path aof = Files.createDirectories(dir.resolve("appendonlydir"));
        Files.writeString(aof.resolve("appendonly.aof.1.base.aof"), "*3\r\n$3\r\nSET\r\n$4\r\nkept\r\n$1\r\n1\r\n");
        Files.createSymbolicLink(aof.resolve("appendonly.aof.1.incr.aof"), full);
        Files.writeString(aof.resolve("appendonly.aof.manifest"),
                "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "x", "1"); // accepted: its write to the file fails afterwards
            String reply = "";
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                reply = c.call("SET", "y", "1").string();
                if (reply.startsWith("MISCONF")) break;
                Thread.sleep(20);
            }
            assertEquals("MISCONF Errors writing to the AOF file: No space left on device", reply);
            assertEquals("1", c.call("GET", "kept").string());
            assertEquals("MISCONF Errors writing to the AOF file: No space left on device", c.call("PING").string());
            assertTrue(c.call("INFO", "persistence").string().contains("aof_last_write_status:err"));
        } finally {
            b.stop();
        }
    }

    /**
     * A rewrite while clients write: the new base holds exactly the state the new incremental
     * file starts from, so non-idempotent writes (INCR, RPUSH) are neither lost nor doubled.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"yes", "no"})
    void rewriteUnderConcurrentWritesLosesAndDoublesNothing(String preamble, @TempDir Path dir) throws Exception {
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString(), "--aof-use-rdb-preamble", preamble);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acked = new AtomicLong();
        Map<String, String> expected;
        try {
            try (RawClient c = new RawClient(b.port())) {
                for (int i = 0; i < 2000; i++) c.call("SET", "pad" + i, "x".repeat(50));
            }
            Thread[] writers = new Thread[3];
            for (int t = 0; t < writers.length; t++) {
                int id = t;
                writers[t] = new Thread(() -> {
                    try (RawClient c = new RawClient(b.port())) {
                        while (!stop.get()) {
                            c.call("INCR", "counter");
                            c.call("RPUSH", "list" + id, "x");
                            c.call("HINCRBY", "hash", "f" + id, "1");
                            acked.incrementAndGet();
                        }
                    }
                });
                writers[t].start();
            }
            try (RawClient c = new RawClient(b.port())) {
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(100);
                    assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF").string());
                    AofFiles.awaitRewrite(b.port());
                }
            }
            stop.set(true);
            for (Thread t : writers) t.join();
            expected = AofFiles.dump(b.port());
            assertEquals(Long.toString(acked.get()), expected.get("0:counter").split(" ")[2]);
        } finally {
            b.stop();
        }
        BasaltInstance again = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try {
            assertEquals(expected, AofFiles.dump(again.port()));
        } finally {
            again.stop();
        }
    }

    @Test
    void bgrewriteaofWithAppendonlyNoWritesABaseRedisLoads(@TempDir Path dir) throws Exception {
        BasaltInstance b = BasaltInstance.start("--dir", dir.toString());
        Map<String, String> expected;
        try (RawClient c = new RawClient(b.port())) {
            fill(b.port(), 1);
            assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF").string());
            AofFiles.awaitRewrite(b.port());
            assertTrue(c.call("INFO", "persistence").string().contains("aof_rewrites:1"));
            expected = AofFiles.dump(b.port());
        } finally {
            b.stop();
        }
        assertEquals("file appendonly.aof.1.base.rdb seq 1 type b\n",
                Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest")));
        assertEquals(expected, AofFiles.redisDump(dir));
    }

    @Test
    void automaticRewriteOnGrowth(@TempDir Path dir) throws Exception {
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString(),
                "--auto-aof-rewrite-min-size", "4kb", "--auto-aof-rewrite-percentage", "100");
        try (RawClient c = new RawClient(b.port())) {
            for (int i = 0; i < 200; i++) c.call("SET", "k", "v".repeat(100));
            long deadline = System.currentTimeMillis() + 10_000;
            String info = "";
            while (System.currentTimeMillis() < deadline) {
                info = c.call("INFO", "persistence").string();
                if (!info.contains("aof_rewrites:0") && info.contains("aof_rewrite_in_progress:0")) break;
                Thread.sleep(50);
            }
            assertFalse(info.contains("aof_rewrites:0"), info);
            // the rewritten log holds one SET instead of 200
            assertTrue(Long.parseLong(info.replaceAll("(?s).*aof_current_size:(\\d+).*", "$1")) < 4096, info);
            assertEquals("v".repeat(100), c.call("GET", "k").string());
        } finally {
            b.stop();
        }
    }

    @Test
    void configSetAppendonlyWritesABaseOfTheKeyspace(@TempDir Path dir) throws Exception {
        BasaltInstance b = BasaltInstance.start("--dir", dir.toString());
        Map<String, String> expected;
        try (RawClient c = new RawClient(b.port())) {
            fill(b.port(), 1);
            assertTrue(c.call("INFO", "persistence").string().contains("aof_enabled:0"));
            assertEquals("OK", c.call("CONFIG", "SET", "appendonly", "yes").string());
            c.call("SET", "during", "1");
            AofFiles.awaitRewrite(b.port());
            String info = c.call("INFO", "persistence").string();
            assertTrue(info.contains("aof_enabled:1") && info.contains("aof_rewrites:1"), info);
            expected = AofFiles.dump(b.port());
        } finally {
            b.stop();
        }
        assertEquals(expected, AofFiles.redisDump(dir));
    }

    /** With appendonly yes the AOF is the dataset: a dump.rdb beside it is not read, as in Redis 7.0. */
    @Test
    void appendonlyStartIgnoresDumpRdb(@TempDir Path dir) throws Exception {
        for (String side : new String[] {"redis", "basalt"}) {
            Path d = Files.createDirectories(dir.resolve(side));
            String[] first = {"--dir", d.toString()};
            String[] second = {"--dir", d.toString(), "--appendonly", "yes"};
            int keys;
            if (side.equals("redis")) {
                RedisServerProcess r = RedisServerProcess.start(first);
                try (RawClient c = new RawClient(r.port())) {
                    c.call("SET", "in-rdb", "1");
                    c.call("SAVE");
                } finally {
                    r.stop();
                }
                r = RedisServerProcess.start(second);
                try (RawClient c = new RawClient(r.port())) {
                    keys = (int) c.call("DBSIZE").number();
                } finally {
                    r.stop();
                }
            } else {
                BasaltInstance b = BasaltInstance.start(first);
                try (RawClient c = new RawClient(b.port())) {
                    c.call("SET", "in-rdb", "1");
                    c.call("SAVE");
                } finally {
                    b.stop();
                }
                b = BasaltInstance.start(second);
                try (RawClient c = new RawClient(b.port())) {
                    keys = (int) c.call("DBSIZE").number();
                } finally {
                    b.stop();
                }
            }
            assertTrue(Files.exists(d.resolve("dump.rdb")), side);
            assertEquals(0, keys, side);
        }
    }
}
