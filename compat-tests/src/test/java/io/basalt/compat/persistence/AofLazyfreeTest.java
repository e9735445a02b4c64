package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deletions the server makes on its own (expiry found by a command, active expiry, eviction) are
 * logged as Redis's propagateDeletion logs them: UNLINK when lazyfree-lazy-expire /
 * lazyfree-lazy-eviction is on, DEL otherwise. Compared record by record with redis-server.
 */
class AofLazyfreeTest {
    private static void script(int port) throws InterruptedException {
        try (RawClient c = new RawClient(port)) {
            String big = "x".repeat(100);
            for (String lazy : new String[] {"yes", "no"}) {
                c.call("CONFIG", "SET", "lazyfree-lazy-expire", lazy);
                c.call("CONFIG", "SET", "lazyfree-lazy-eviction", lazy);
                // active expiry (the cron finds it)
                c.call("PSETEX", "active-" + lazy, "1", "v");
                Thread.sleep(400);
                // lazy expiry (a command finds it): logged before the command's own record
                c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
                c.call("PSETEX", "lazy-" + lazy, "1", "v");
                Thread.sleep(20);
                c.call("APPEND", "lazy-" + lazy, "w");
                c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
                c.call("DEL", "lazy-" + lazy); // one key left to evict: random eviction picks it
                // eviction: a limit below anything the server could hold evicts every key
                c.call("SET", "evict-" + lazy, big);
                c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
                c.call("CONFIG", "SET", "maxmemory", "1");
                assertEquals(0, c.call("DBSIZE").number());
                c.call("CONFIG", "SET", "maxmemory", "0");
            }
            c.call("SET", "last", "1");
        }
    }

    @Test
    void serverDeletionsAreLoggedAsDelOrUnlinkLikeRedis(@TempDir Path dir) throws Exception {
        Path r = Files.createDirectories(dir.resolve("redis"));
        Path b = Files.createDirectories(dir.resolve("basalt"));
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always",
                "--aof-use-rdb-preamble", "no", "--dir", r.toString());
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--appendfsync", "always", "--dir", b.toString());
        try {
            script(redis.port());
            script(basalt.port());
            String expected = AofFiles.normalized(AofFiles.incr(r.resolve("appendonlydir")));
            String actual = AofFiles.normalized(AofFiles.incr(b.resolve("appendonlydir")));
            assertTrue(expected.contains("UNLINK\r\n$10\r\nactive-yes") && expected.contains("DEL\r\n$8\r\nevict-no"),
                    expected);
            assertEquals(expected, actual);
        } finally {
            redis.stop();
            basalt.stop();
        }
    }
}
