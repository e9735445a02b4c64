package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * SAVE, BGSAVE, the save schedule, DEBUG RELOAD, MISCONF and SHUTDOWN against a private
 * redis-server and Basalt, each with its own directory; plus startup with bad files.
 */
class PersistenceCommandsTest {
    @TempDir
    Path tmp;

    Path redisDir;
    Path basaltDir;
    RedisServerProcess redisServer;
    BasaltInstance basaltServer;
    RawClient redis;
    RawClient basalt;

    @BeforeEach
    void start() throws Exception {
        redisDir = Files.createTempDirectory(tmp, "p-redis");
        basaltDir = Files.createTempDirectory(tmp, "p-basalt");
        redisServer = RedisServerProcess.start("--dir", redisDir.toString(), "--enable-protected-configs", "yes");
        basaltServer = BasaltInstance.start("--dir", basaltDir.toString(), "--enable-protected-configs", "yes");
        redis = new RawClient(redisServer.port());
        basalt = new RawClient(basaltServer.port());
    }

    @AfterEach
    void stop() {
        redis.close();
        basalt.close();
        redisServer.stop();
        basaltServer.stop();
    }

    RespValue same(String... cmd) {
        RespValue want = redis.call(cmd);
        RespValue got = basalt.call(cmd);
        assertEquals(want.rawString(), got.rawString(), () -> "reply to " + String.join(" ", cmd));
        return got;
    }

    /**
     * One background job at a time, as Redis: BGREWRITEAOF during a BGSAVE is scheduled (and runs
     * once it is over), BGSAVE during a rewrite is refused unless SCHEDULE, a second BGSAVE (even
     * with SCHEDULE) is refused.
     */
    @Test
    void backgroundJobsAreScheduledAsRedisDoes() throws Exception {
        for (int i = 0; i < 300; i++) same("SET", "k" + i, "v");
        same("CONFIG", "SET", "rdb-key-save-delay", "3000"); // ~1 s per save or rewrite
        same("BGSAVE");
        same("BGSAVE");
        same("BGSAVE", "SCHEDULE");
        same("BGREWRITEAOF");
        assertEquals(info(redis, "aof_rewrite_scheduled"), info(basalt, "aof_rewrite_scheduled"));
        assertEquals("1", info(basalt, "aof_rewrite_scheduled"));
        // the scheduled rewrite starts once the BGSAVE is over
        long deadline = System.currentTimeMillis() + 20_000;
        while (!"1".equals(info(basalt, "aof_rewrite_in_progress")) || !"1".equals(info(redis, "aof_rewrite_in_progress"))) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("the scheduled rewrite never started");
            Thread.sleep(10);
        }
        same("BGSAVE");
        same("BGREWRITEAOF");
        same("BGSAVE", "SCHEDULE");
        same("CONFIG", "SET", "rdb-key-save-delay", "0");
    }

    static String info(RawClient c, String field) {
        for (String l : c.call("INFO", "persistence").string().split("\r\n")) {
            if (l.startsWith(field + ":")) return l.substring(field.length() + 1);
        }
        return null;
    }

    static void awaitBgsave(RawClient c) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!"0".equals(info(c, "rdb_bgsave_in_progress"))) {
            assertTrue(System.currentTimeMillis() < deadline);
            Thread.sleep(10);
        }
    }

    static void rmdir(Path d) throws Exception {
        try (Stream<Path> s = Files.walk(d)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void saveBgsaveAndInfo() throws Exception {
        same("SET", "a", "1");
        same("RPUSH", "l", "x", "y");
        assertEquals("2", info(basalt, "rdb_changes_since_last_save"));
        same("SAVE");
        assertEquals("0", info(basalt, "rdb_changes_since_last_save"));
        assertEquals("1", info(basalt, "rdb_saves"));
        assertTrue(Files.exists(basaltDir.resolve("dump.rdb")));
        assertTrue(Math.abs(basalt.call("LASTSAVE").number() - System.currentTimeMillis() / 1000) <= 2);
        same("BGSAVE", "x");
        same("BGSAVE", "SCHEDULE", "x");
        assertEquals("Background saving started", basalt.call("BGSAVE").string());
        assertEquals("Background saving started", redis.call("BGSAVE").string());
        awaitBgsave(basalt);
        awaitBgsave(redis);
        assertEquals("ok", info(basalt, "rdb_last_bgsave_status"));
        assertEquals("2", info(basalt, "rdb_saves"));
        same("MULTI");
        same("BGSAVE");
        same("EXEC");
        // the scheduled save starts from the cron
        long deadline = System.currentTimeMillis() + 10000;
        while (!"3".equals(info(basalt, "rdb_saves")) || !"3".equals(info(redis, "rdb_saves"))) {
            assertTrue(System.currentTimeMillis() < deadline, () -> "scheduled BGSAVE did not run: " + basalt.call("INFO", "persistence").string() + redis.call("INFO", "persistence").string());
            Thread.sleep(10);
        }
        awaitBgsave(redis);
        awaitBgsave(basalt);
        same("DEBUG", "RELOAD", "BOGUS");
        same("DEBUG", "RELOAD");
        same("LRANGE", "l", "0", "-1");
        same("GET", "a");
        same("SET", "b", "2");
        same("DEBUG", "RELOAD", "NOSAVE");
        same("EXISTS", "b");
        same("SET", "a", "changed");
        same("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE");
        same("GET", "a");
        same("CONFIG", "SET", "dbfilename", "a/b");
        same("CONFIG", "SET", "rdbchecksum", "no");
        same("CONFIG", "SET", "rdbcompression", "no");
        same("CONFIG", "GET", "rdbcompression");
        same("SAVE");
        same("DEBUG", "RELOAD", "NOSAVE");
        same("GET", "a");
    }

    @Test
    void failedSavesAndMisconf() throws Exception {
        Path r = Files.createTempDirectory(tmp, "gone-r");
        Path b = Files.createTempDirectory(tmp, "gone-b");
        redis.call("CONFIG", "SET", "dir", r.toString());
        basalt.call("CONFIG", "SET", "dir", b.toString());
        rmdir(r);
        rmdir(b);
        same("SET", "k", "v");
        same("SAVE");
        same("BGSAVE");
        awaitBgsave(redis);
        awaitBgsave(basalt);
        assertEquals("err", info(basalt, "rdb_last_bgsave_status"));
        // no save schedule: writes still accepted
        same("SET", "k", "v2");
        same("CONFIG", "SET", "save", "3600 1");
        same("SET", "k", "v3");
        same("PING");
        same("GET", "k");
        same("MULTI");
        same("SET", "k", "v4");
        same("EXEC");
        same("CONFIG", "SET", "stop-writes-on-bgsave-error", "no");
        same("SET", "k", "v5");
        same("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes");
        same("SHUTDOWN");
        same("SHUTDOWN", "SAVE");
        // a good directory again: the next BGSAVE clears the error
        redis.call("CONFIG", "SET", "dir", redisDir.toString());
        basalt.call("CONFIG", "SET", "dir", basaltDir.toString());
        same("SAVE");
        same("SET", "k", "v6");
        same("BGSAVE");
        awaitBgsave(redis);
        awaitBgsave(basalt);
        same("SET", "k", "v7");
        same("CONFIG", "SET", "save", "");
    }

    @Test
    void saveScheduleTriggersBgsave() throws Exception {
        basalt.call("CONFIG", "SET", "save", "1 2");
        basalt.call("SET", "a", "1");
        Thread.sleep(1500);
        assertEquals("0", info(basalt, "rdb_saves"), "one change is below the save point");
        basalt.call("SET", "b", "1");
        long deadline = System.currentTimeMillis() + 5000;
        while ("0".equals(info(basalt, "rdb_saves"))) {
            assertTrue(System.currentTimeMillis() < deadline, "the save point did not trigger");
            Thread.sleep(20);
        }
        awaitBgsave(basalt);
        assertTrue(Files.exists(basaltDir.resolve("dump.rdb")));
        basalt.call("CONFIG", "SET", "save", "");
    }

    @Test
    void badFilesStopStartupWithAClearError() throws Exception {
        basalt.call("SET", "k", "v".repeat(100));
        basalt.call("HSET", "h", "f", "v");
        assertEquals("OK", basalt.call("SAVE").string());
        byte[] good = Files.readAllBytes(basaltDir.resolve("dump.rdb"));
        Path d = Files.createTempDirectory(tmp, "bad");
        Path f = d.resolve("dump.rdb");

        byte[] corrupt = good.clone();
        corrupt[good.length - 3] ^= 0x40; // inside the checksum
        Files.write(f, corrupt);
        assertStartFails(d, "Wrong RDB checksum");

        Files.write(f, java.util.Arrays.copyOf(good, good.length - 20));
        assertStartFails(d, "Short read");

        byte[] v = good.clone();
        v[8] = '1';
        v[7] = '1'; // REDIS0011
        Files.write(f, v);
        assertStartFails(d, "Can't handle RDB format version 11");

        Files.write(f, "not an rdb file".getBytes());
        assertStartFails(d, "Wrong signature");

        Files.write(f, good);
        BasaltInstance ok = BasaltInstance.start("--dir", d.toString());
        try (RawClient c = new RawClient(ok.port())) {
            assertEquals(100, c.call("STRLEN", "k").number());
        } finally {
            ok.stop();
        }
    }

    static void assertStartFails(Path dir, String reason) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BasaltInstance.start("--dir", dir.toString()));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("dump.rdb").toString()), e.getMessage());
    }
}
