package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The proto-max-bulk-len limits of APPEND, SETRANGE, SETBIT and BITFIELD, checked on a private
 * pair of servers started with the smallest allowed limit (1mb) so that reaching it is cheap.
 */
class StringLimitsTest {
    private static RedisServerProcess redisServer;
    private static BasaltInstance basaltServer;
    private static RawClient redis;
    private static RawClient basalt;

    @BeforeAll
    static void start() {
        redisServer = RedisServerProcess.start("--proto-max-bulk-len", "1mb");
        basaltServer = BasaltInstance.start("--proto-max-bulk-len", "1mb");
        redis = new RawClient(redisServer.port());
        basalt = new RawClient(basaltServer.port());
    }

    @AfterAll
    static void stop() {
        redis.close();
        basalt.close();
        redisServer.stop();
        basaltServer.stop();
    }

    private static void same(String... cmd) {
        RespValue expected = redis.call(cmd);
        RespValue actual = basalt.call(cmd);
        assertEquals(expected.rawString(), actual.rawString(), () -> "reply to " + String.join(" ", cmd));
    }

    @Test
    void limits() {
        int mb = 1024 * 1024;
        same("FLUSHALL");
        same("SETRANGE", "k", String.valueOf(mb - 1), "x");
        same("STRLEN", "k");
        same("SETRANGE", "k", String.valueOf(mb - 1), "xy");
        same("SETRANGE", "k", String.valueOf(mb), "x");
        same("SETRANGE", "new", String.valueOf(mb), "x");
        same("SETRANGE", "new", String.valueOf(mb - 2), "xy");
        same("APPEND", "k", "z");
        same("APPEND", "k", "");
        same("STRLEN", "k");
        same("APPEND", "new", "ab");
        same("SETBIT", "b", String.valueOf(8L * mb - 1), "1");
        same("SETBIT", "b", String.valueOf(8L * mb), "1");
        same("GETBIT", "b", String.valueOf(8L * mb));
        same("GETBIT", "b", String.valueOf(8L * mb - 1));
        same("BITFIELD", "b", "GET", "u8", String.valueOf(8L * mb - 8));
        same("BITFIELD", "b", "GET", "u8", String.valueOf(8L * mb));
        same("BITFIELD", "b", "SET", "u8", "#" + (mb - 1), "7");
        same("BITFIELD", "b", "SET", "u8", "#" + mb, "7");
        same("BITFIELD", "b", "SET", "u16", String.valueOf(8L * mb - 8), "7");
        same("STRLEN", "b");
        same("BITFIELD_RO", "b", "GET", "u8", "#" + mb);
        same("SET", "k", "small");
        same("SETRANGE", "k", String.valueOf(mb - 5), "12345");
        same("SETRANGE", "k", String.valueOf(mb - 5), "123456");
        same("STRLEN", "k");
    }
}
