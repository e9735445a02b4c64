package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import io.basalt.server.cli.BasaltCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backup and point-in-time restore through the {@code basalt} command line (run in-process):
 * BASALT.BACKUP while the server serves, verify, restore to the latest state or to a second, and
 * the restored directory started by Basalt (and by redis-server: the files are Redis 7.0's).
 */
class BackupTest {

    /** The output and exit code of one {@code basalt ...} command line. */
    record Cli(int code, String out, String err) {}

    static Cli cli(Object... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] argv = new String[args.length];
        for (int i = 0; i < args.length; i++) argv[i] = String.valueOf(args[i]);
        int code = BasaltCli.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Cli ok(Object... args) {
        Cli r = cli(args);
        assertEquals(0, r.code(), "basalt " + List.of(args) + ": " + r.out() + r.err());
        return r;
    }

    /** Every key of every database: type, value (collections in a canonical order) and whether it has a TTL. */
    static Map<String, String> keyspace(int port) {
        return keyspace(port, null);
    }

    static Map<String, String> keyspace(int port, String password) {
        Map<String, String> all = new TreeMap<>();
        if (password == null) AofFiles.awaitLoaded(port); // redis-server answers -LOADING while it loads
        try (RawClient c = new RawClient(port)) {
            if (password != null) c.call("AUTH", password);
            for (int db = 0; db < 16; db++) {
                c.call("SELECT", Integer.toString(db));
                for (RespValue k : c.call("KEYS", "*").elements()) {
                    String key = k.string();
                    String type = c.call("TYPE", key).string();
                    String value = switch (type) {
                        case "string" -> c.call("GET", key).string();
                        case "list" -> strings(c.call("LRANGE", key, "0", "-1")).toString();
                        case "set" -> new java.util.TreeSet<>(strings(c.call("SMEMBERS", key))).toString();
                        case "zset" -> strings(c.call("ZRANGE", key, "0", "-1", "WITHSCORES")).toString();
                        case "hash" -> {
                            List<String> fv = strings(c.call("HGETALL", key));
                            Map<String, String> h = new TreeMap<>();
                            for (int i = 0; i + 1 < fv.size(); i += 2) h.put(fv.get(i), fv.get(i + 1));
                            yield h.toString();
                        }
                        default -> "?";
                    };
                    boolean ttl = c.call("PTTL", key).number() > 0;
                    all.put(db + ":" + key, type + " " + value + (ttl ? " (ttl)" : ""));
                }
            }
        }
        return all;
    }

    private static List<String> strings(RespValue v) {
        List<String> out = new ArrayList<>();
        for (RespValue e : v.elements()) out.add(e.string());
        return out;
    }

    private static void call(RawClient c, String cmd) {
        RespValue r = c.call(cmd.split(" "));
        assertFalse(r.isError(), cmd + " -> " + r);
    }

    /** Sleeps until the wall clock is in a later second than {@code second}. */
    private static void nextSecond(long second) throws InterruptedException {
        while (System.currentTimeMillis() / 1000 <= second) Thread.sleep(20);
    }

    /** A server on a restored data directory, its keyspace, stopped. */
    private static Map<String, String> basaltOn(Path data, String... args) {
        List<String> argv = new ArrayList<>(List.of("--dir", data.toString(), "--save", ""));
        argv.addAll(List.of(args));
        BasaltInstance b = BasaltInstance.start(argv.toArray(new String[0]));
        try {
            return keyspace(b.port());
        } finally {
            b.stop();
        }
    }

    // ---------------------------------------------------------------- the test

    @Test
    void restoresToANotedSecondAndToTheLatestState(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--aof-timestamp-enabled", "yes",
                "--appendfsync", "everysec", "--save", "", "--dir", data.toString());
        Map<String, String> atT;
        Map<String, String> latest;
        long t;
        Path backup = dir.resolve("backup");
        try (RawClient c = new RawClient(basalt.port())) {
            for (String cmd : List.of("SET s1 v1", "SET s2 v2", "SET counter 10", "SET ttl v EX 5000",
                    "RPUSH l a b c d", "SADD set m1 m2 m3", "ZADD z 1 a 2.5 b -3 c", "HSET h f1 v1 f2 v2",
                    "SELECT 3", "SET other db3", "LPUSH l3 x", "SELECT 0", "EXPIRE h 9000")) {
                call(c, cmd);
            }
            for (int i = 0; i < 300; i++) call(c, "HSET big f" + i + " " + i); // past the listpack limit
            t = System.currentTimeMillis() / 1000;
            atT = keyspace(basalt.port());
            nextSecond(t);
            for (String cmd : List.of("SET s1 changed", "DEL s2", "INCR counter", "PERSIST ttl", "RPUSH l e",
                    "LPOP l", "SREM set m1", "ZADD z 9 d", "HDEL h f1", "SET newkey n", "SELECT 3", "DEL other",
                    "SET new3 x PX 8000000", "SELECT 0", "HSET big f0 changed", "FLUSHDB", "SET after-flush 1")) {
                call(c, cmd);
            }
            latest = keyspace(basalt.port());
            assertTrue(ok("backup", "-p", basalt.port(), backup).out().contains("Backup finished"));
        } finally {
            basalt.stop();
        }
        Cli v = ok("verify", backup);
        assertTrue(v.out().startsWith("OK"), v.out());
        assertTrue(Files.exists(backup.resolve("backup.json")));
        // the closed base file is a hard link to the server's (same file system), not a copy
        try (Stream<Path> files = Files.list(backup.resolve("appendonlydir"))) {
            Path base = files.filter(p -> p.getFileName().toString().contains(".base.")).findFirst().orElseThrow();
            assertEquals(2, ((Number) Files.getAttribute(base, "unix:nlink")).intValue(), base.toString());
        }

        Path atTDir = dir.resolve("restored-t");
        Cli r = ok("restore", backup, atTDir, "--to-time", t);
        assertTrue(r.out().contains("--appendonly yes"), r.out());
        // the cut is redis-check-aof --truncate-to-timestamp's, byte for byte
        Path checked = Files.createDirectories(dir.resolve("checked"));
        try (Stream<Path> files = Files.list(backup.resolve("appendonlydir"))) {
            for (Path f : files.toList()) Files.copy(f, checked.resolve(f.getFileName()));
        }
        Process check = new ProcessBuilder("redis-check-aof", "--truncate-to-timestamp", Long.toString(t),
                checked.resolve("appendonly.aof.manifest").toString()).redirectErrorStream(true).start();
        String checkOut = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.waitFor(), checkOut);
        assertTrue(checkOut.contains("Successfully truncated AOF"), checkOut);
        try (Stream<Path> files = Files.list(atTDir.resolve("appendonlydir"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".aof")).toList()) {
                assertEquals(Files.readString(checked.resolve(f.getFileName()), StandardCharsets.ISO_8859_1),
                        Files.readString(f, StandardCharsets.ISO_8859_1), f.getFileName().toString());
            }
        }
        assertEquals(atT, basaltOn(atTDir, "--appendonly", "yes"));

        // ISO-8601 names the same second
        Path iso = dir.resolve("restored-iso");
        ok("restore", backup, iso, "--to-time", java.time.Instant.ofEpochSecond(t).toString());
        assertEquals(atT, basaltOn(iso, "--appendonly", "yes"));

        Path latestDir = dir.resolve("restored-latest");
        ok("restore", backup, latestDir);
        assertEquals(latest, basaltOn(latestDir, "--appendonly", "yes"));

        // redis-server 7.0 loads both: the files are its own multi-part AOF format
        Path redisT = dir.resolve("redis-t");
        ok("restore", backup, redisT, "--to-time", t);
        RedisServerProcess redis = RedisServerProcess.start("--dir", redisT.toString(), "--appendonly", "yes");
        try {
            assertEquals(atT, keyspace(redis.port()));
        } finally {
            redis.stop();
        }
        Path redisLatest = dir.resolve("redis-latest");
        ok("restore", backup, redisLatest);
        redis = RedisServerProcess.start("--dir", redisLatest.toString(), "--appendonly", "yes");
        try {
            assertEquals(latest, keyspace(redis.port()));
        } finally {
            redis.stop();
        }
    }

    // ---------------------------------------------------------------- consistency under writes

    @Test
    void aBackupTakenWhileClientsWriteIsAPrefixOfTheirWrites(@TempDir Path dir) throws Exception {
        int clients = 4;
        Path data = Files.createDirectories(dir.resolve("data"));
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--aof-timestamp-enabled", "yes",
                "--save", "", "--dir", data.toString());
        AtomicLongArray acked = new AtomicLongArray(clients);
        AtomicBoolean stop = new AtomicBoolean();
        long[] ackedAtStart = new long[clients];
        Path backup = dir.resolve("backup");
        try {
            try (RawClient c = new RawClient(basalt.port())) {
                for (int i = 0; i < 20_000; i++) c.send("SET", "pad:" + i, "x".repeat(i % 50));
                for (int i = 0; i < 20_000; i++) c.read();
            }
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try (RawClient c = new RawClient(basalt.port())) {
                        long n = 0;
                        while (!stop.get()) {
                            // the counter and its history change together, or not at all
                            c.send("MULTI");
                            c.send("INCR", "counter:" + id);
                            c.send("RPUSH", "history:" + id, Long.toString(n + 1));
                            c.send("EXEC");
                            for (int i = 0; i < 3; i++) c.read();
                            n = c.read().get(0).number();
                            acked.set(id, n);
                        }
                    }
                });
                w.start();
                writers.add(w);
            }
            // rewrites meanwhile: the files a backup links or copies may be replaced under it
            Thread rewriter = new Thread(() -> {
                try (RawClient c = new RawClient(basalt.port())) {
                    while (!stop.get()) {
                        c.call("BGREWRITEAOF");
                        Thread.sleep(30);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            rewriter.start();
            Thread.sleep(300);
            for (int t = 0; t < clients; t++) ackedAtStart[t] = acked.get(t);
            ok("backup", "-p", basalt.port(), backup);
            Thread.sleep(200);
            stop.set(true);
            for (Thread w : writers) w.join();
            rewriter.join();
        } finally {
            basalt.stop();
        }
        ok("verify", backup);
        // the snapshot (latest) and the log replayed to its end (to its last second) are the same state
        Path fromSnapshot = dir.resolve("snapshot");
        ok("restore", backup, fromSnapshot);
        Map<String, String> snap = basaltOn(fromSnapshot, "--appendonly", "yes");
        long snapshotSecond = Long.parseLong(Files.readString(backup.resolve("backup.json"))
                .replaceAll("(?s).*\"snapshot_unix_ms\": (\\d+).*", "$1")) / 1000;
        Path fromLog = dir.resolve("log");
        ok("restore", backup, fromLog, "--to-time", snapshotSecond);
        assertEquals(snap, basaltOn(fromLog, "--appendonly", "yes"));
        for (int t = 0; t < clients; t++) {
            String counter = snap.get("0:counter:" + t);
            assertTrue(counter != null, "counter " + t + " missing");
            long value = Long.parseLong(counter.split(" ")[1]);
            assertTrue(value >= ackedAtStart[t] && value <= acked.get(t),
                    "counter " + t + " = " + value + ", acknowledged before the backup " + ackedAtStart[t] + ", at the end " + acked.get(t));
            List<String> want = new ArrayList<>();
            for (long i = 1; i <= value; i++) want.add(Long.toString(i));
            assertEquals("list " + want, snap.get("0:history:" + t), "history of client " + t);
        }
        assertEquals(20_000 + 2 * clients, snap.size());
    }

    // ---------------------------------------------------------------- refusals and damage

    @Test
    void damagedFilesAndBadTargetsAreRefused(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--aof-timestamp-enabled", "yes",
                "--save", "", "--dir", data.toString());
        Path backup = dir.resolve("backup");
        try (RawClient c = new RawClient(basalt.port())) {
            for (int i = 0; i < 50_000; i++) c.send("SET", "k" + i, "v" + i);
            for (int i = 0; i < 50_000; i++) c.read();
            // a second backup while one runs (pipelined: the first is certainly still running)
            Path busy = dir.resolve("busy");
            c.sendRaw(new String(RawClient.encode("BASALT.BACKUP".getBytes(), busy.toString().getBytes()), StandardCharsets.UTF_8)
                    + new String(RawClient.encode("BASALT.BACKUP".getBytes(), dir.resolve("second").toString().getBytes()), StandardCharsets.UTF_8));
            assertEquals("Background backup started", c.read().string());
            assertEquals("ERR Background backup already in progress", c.read().string());
            basalt.server().backup().await();
            // into a directory that is not empty
            RespValue notEmpty = c.call("BASALT.BACKUP", busy.toString());
            assertTrue(notEmpty.isError() && notEmpty.string().contains("is not empty"), notEmpty.toString());
            Cli refused = cli("backup", "-p", basalt.port(), busy);
            assertEquals(1, refused.code());
            assertTrue(refused.err().contains("is not empty"), refused.err());
            // not inside MULTI, not with a wrong argument count
            call(c, "MULTI");
            assertTrue(c.call("BASALT.BACKUP", "x").string().contains("not allowed"));
            call(c, "DISCARD");
            assertTrue(c.call("BASALT.BACKUP").string().contains("wrong number of arguments"));
            ok("backup", "-p", basalt.port(), backup);
        } finally {
            basalt.stop();
        }
        ok("verify", dir.resolve("busy"));

        // a restore needs a new or empty data directory
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("something"), "x");
        Cli r = cli("restore", backup, used);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("is not empty"), r.err());

        // a time outside what the backup covers
        r = cli("restore", backup, dir.resolve("early"), "--to-time", "1000");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("before the range the backup covers"), r.err());
        r = cli("restore", backup, dir.resolve("late"), "--to-time", System.currentTimeMillis() / 1000 + 3600);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("after the backup was taken"), r.err());
        r = cli("restore", backup, dir.resolve("bad"), "--to-time", "yesterday");
        assertEquals(2, r.code());

        // one flipped byte in a log file: verify and restore name the file, nothing is restored
        Path incr;
        try (Stream<Path> s = Files.list(backup.resolve("appendonlydir"))) {
            incr = s.filter(p -> p.getFileName().toString().endsWith(".incr.aof")).findFirst().orElseThrow();
        }
        flip(incr);
        String name = "appendonlydir/" + incr.getFileName();
        Cli v = cli("verify", backup);
        assertEquals(1, v.code());
        assertTrue(v.err().contains(name) && v.err().contains("damaged"), v.err());
        Path target = dir.resolve("restore-damaged");
        r = cli("restore", backup, target);
        assertEquals(1, r.code());
        assertTrue(r.err().contains(name), r.err());
        assertFalse(Files.exists(target));
        flip(incr);
        ok("verify", backup);
        flip(backup.resolve("dump.rdb"));
        v = cli("verify", backup);
        assertTrue(v.code() == 1 && v.err().contains("file dump.rdb"), v.err());
        Files.delete(backup.resolve("backup.json"));
        v = cli("verify", backup);
        assertTrue(v.code() == 1 && v.err().contains("has no backup.json"), v.err());
    }

    /** bin/basalt runs the command line from the packaged jar (when it was packaged). */
    @Test
    void theLauncherRunsTheCommandLine(@TempDir Path dir) throws Exception {
        Path target = Path.of("..", "server", "target").toAbsolutePath().normalize();
        boolean packaged;
        try (Stream<Path> s = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
            packaged = s.anyMatch(f -> f.getFileName().toString().endsWith("-all.jar"));
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged, "server jar not packaged");
        Path launcher = Path.of("..", "bin", "basalt").toAbsolutePath().normalize();
        BasaltInstance basalt = BasaltInstance.start("--save", "", "--dir", Files.createDirectories(dir.resolve("data")).toString());
        try (RawClient c = new RawClient(basalt.port())) {
            call(c, "SET k v");
            Path backup = dir.resolve("bk");
            String out = run(launcher.toString(), "backup", "-p", Integer.toString(basalt.port()), backup.toString());
            assertTrue(out.contains("Backup finished") && out.contains("keys: 1"), out);
            assertTrue(run(launcher.toString(), "verify", backup.toString()).startsWith("OK"));
        } finally {
            basalt.stop();
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static void flip(Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        b[b.length / 2] ^= 0x20;
        Files.write(p, b);
    }

    @Test
    void withoutTimestampsOrWithoutALogOnlyTheLatestStateRestores(@TempDir Path dir) throws Exception {
        // appendonly yes without aof-timestamp-enabled: no point-in-time
        Path data = Files.createDirectories(dir.resolve("data"));
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--save", "", "--dir", data.toString());
        Map<String, String> state;
        try (RawClient c = new RawClient(basalt.port())) {
            call(c, "SET a 1");
            call(c, "RPUSH l x y");
            state = keyspace(basalt.port());
            ok("backup", "-p", basalt.port(), dir.resolve("no-ts"));
        } finally {
            basalt.stop();
        }
        Cli r = cli("restore", dir.resolve("no-ts"), dir.resolve("r1"), "--to-time", System.currentTimeMillis() / 1000);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("aof-timestamp-enabled yes"), r.err());
        ok("restore", dir.resolve("no-ts"), dir.resolve("r2"));
        assertEquals(state, basaltOn(dir.resolve("r2"), "--appendonly", "yes"));

        // appendonly no: the snapshot alone, as dump.rdb
        Path data2 = Files.createDirectories(dir.resolve("data2"));
        basalt = BasaltInstance.start("--save", "", "--dir", data2.toString(), "--requirepass", "secret");
        try (RawClient c = new RawClient(basalt.port())) {
            call(c, "AUTH secret");
            call(c, "SET b 2");
            call(c, "ZADD z 1 m");
            call(c, "SET e v EX 1000");
            state = keyspace(basalt.port(), "secret");
            Cli denied = cli("backup", "-p", basalt.port(), "-a", "wrong", dir.resolve("no-log"));
            assertEquals(1, denied.code());
            assertTrue(denied.err().contains("AUTH failed"), denied.err());
            Cli b = ok("backup", "-p", basalt.port(), "-a", "secret", dir.resolve("no-log"));
            assertTrue(b.out().contains("log: none"), b.out());
        } finally {
            basalt.stop();
        }
        assertFalse(Files.exists(dir.resolve("no-log").resolve("appendonlydir")));
        r = cli("restore", dir.resolve("no-log"), dir.resolve("r3"), "--to-time", System.currentTimeMillis() / 1000);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no append-only log"), r.err());
        r = ok("restore", dir.resolve("no-log"), dir.resolve("r4"));
        assertFalse(r.out().contains("appendonly"), r.out());
        assertTrue(Files.exists(dir.resolve("r4").resolve("dump.rdb")));
        assertEquals(state, basaltOn(dir.resolve("r4")));
    }
}
