package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.data.Keyspace;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST, lazy and active expiry. */
class ExpireTest extends DifferentialTest {

    /** An absolute time far enough ahead to be stable for the test's duration. */
    private static final String FUTURE_S = "4102444800";       // 2100-01-01
    private static final String FUTURE_MS = "4102444800123";

    @Test
    void expireOnMissingKey() {
        same("EXPIRE", "nokey", "100");
        same("PEXPIRE", "nokey", "100");
        same("EXPIREAT", "nokey", FUTURE_S);
        same("PEXPIREAT", "nokey", FUTURE_MS);
        same("TTL", "nokey");
        same("PTTL", "nokey");
        same("EXPIRETIME", "nokey");
        same("PEXPIRETIME", "nokey");
        same("PERSIST", "nokey");
    }

    @Test
    void setAndReadTtl() {
        same("SET", "a", "1");
        same("TTL", "a");
        same("PTTL", "a");
        same("EXPIRETIME", "a");
        same("PEXPIRETIME", "a");
        same("EXPIRE", "a", "100");
        same("TTL", "a");
        long pttl = basalt.call("PTTL", "a").number();
        assertTrue(pttl > 99_000 && pttl <= 100_000, "pttl " + pttl);
        same("EXPIREAT", "a", FUTURE_S);
        same("EXPIRETIME", "a");
        same("PEXPIRETIME", "a");
        same("PEXPIREAT", "a", FUTURE_MS);
        same("EXPIRETIME", "a");
        same("PEXPIRETIME", "a");
        same("GET", "a");
        same("PERSIST", "a");
        same("PERSIST", "a");
        same("TTL", "a");
        same("PEXPIRE", "a", "100000");
        same("TTL", "a");
        // the value and its encoding survive TTL changes
        same("OBJECT", "ENCODING", "a");
        same("GET", "a");
    }

    @Test
    void expiretimeRounding() {
        same("SET", "a", "1");
        same("PEXPIREAT", "a", "4102444800499");
        same("EXPIRETIME", "a");
        same("PEXPIREAT", "a", "4102444800500");
        same("EXPIRETIME", "a");
    }

    @Test
    void pastTimesDeleteTheKey() {
        same("SET", "a", "1");
        same("EXPIRE", "a", "-1");
        same("EXISTS", "a");
        same("SET", "a", "1");
        same("PEXPIRE", "a", "0");
        same("EXISTS", "a");
        same("SET", "a", "1");
        same("EXPIREAT", "a", "100");
        same("GET", "a");
        same("SET", "a", "1");
        same("PEXPIREAT", "a", "-5");
        same("TTL", "a");
        same("SET", "a", "1");
        same("EXPIRE", "a", "-9223372036854775");
        same("EXISTS", "a");
    }

    @Test
    void argumentErrors() {
        same("SET", "a", "1");
        same("EXPIRE", "a", "x");
        same("EXPIRE", "a", "1.5");
        same("EXPIRE", "a", "");
        same("EXPIRE", "a", "9223372036854775807");
        same("EXPIRE", "a", "9223372036854776");
        same("EXPIRE", "a", "-9223372036854776");
        same("PEXPIRE", "a", "9223372036854775807");
        same("EXPIREAT", "a", "9223372036854775807");
        same("EXPIREAT", "a", "9223372036854775");
        same("PEXPIREAT", "a", "9223372036854775807");
        same("EXPIRE", "a", "99999999999999999999");
        same("EXPIRE", "nokey", "9223372036854775807");
        same("EXPIRE", "a");
        same("EXPIRE");
        same("TTL");
        same("TTL", "a", "b");
        same("PERSIST");
        same("EXPIRETIME", "a", "b");
        // EXPIREAT 9223372036854775 (s) was accepted: an absolute time, so deterministic
        same("PEXPIRETIME", "a");
        same("EXPIRETIME", "a");
    }

    @Test
    void options() {
        same("SET", "a", "1");
        same("EXPIRE", "a", "100", "FOO");
        same("EXPIRE", "a", "x", "FOO");
        same("EXPIRE", "a", "x", "NX");
        same("EXPIRE", "a", "100", "NX", "XX");
        same("EXPIRE", "a", "100", "NX", "GT");
        same("EXPIRE", "a", "100", "lt", "nx");
        same("EXPIRE", "a", "100", "GT", "LT");
        same("EXPIRE", "a", "100", "XX", "GT", "LT");
        same("EXPIRE", "a", "100", "XX", "FOO", "NX");
        same("EXPIRE", "nokey", "100", "NX", "XX");
        // no TTL yet
        same("EXPIRE", "a", "100", "XX");
        same("EXPIRE", "a", "100", "GT");
        same("TTL", "a");
        same("EXPIRE", "a", "100", "LT");
        same("TTL", "a");
        same("PERSIST", "a");
        same("EXPIRE", "a", "100", "NX");
        same("TTL", "a");
        same("EXPIRE", "a", "200", "NX");
        same("EXPIRE", "a", "200", "XX");
        same("TTL", "a");
        same("EXPIRE", "a", "100", "GT");
        same("EXPIRE", "a", "300", "GT");
        same("TTL", "a");
        same("EXPIRE", "a", "400", "LT");
        same("EXPIRE", "a", "50", "LT");
        same("TTL", "a");
        same("EXPIRE", "a", "60", "XX", "GT");
        same("TTL", "a");
        same("EXPIRE", "a", "40", "xx", "lt");
        same("TTL", "a");
        same("EXPIRE", "a", "40", "NX", "NX");
        same("EXPIRE", "a", "-1", "LT");
        same("EXISTS", "a");
        same("PEXPIRE", "nokey", "10", "NX");
        same("SET", "b", "1");
        same("PEXPIREAT", "b", FUTURE_MS, "GT");
        same("EXPIREAT", "b", FUTURE_S, "NX");
        same("EXPIREAT", "b", "4102444801", "GT");
        same("PEXPIRETIME", "b");
        same("EXPIREAT", "b", "4102444800", "GT");
        same("PEXPIREAT", "b", "4102444800000", "LT");
        same("PEXPIRETIME", "b");
    }

    @Test
    void resp3Replies() {
        resp3();
        same("SET", "a", "1");
        same("EXPIRE", "a", "100");
        same("TTL", "a");
        same("TTL", "nokey");
        same("EXPIRE", "a", "1", "FOO");
        same("PERSIST", "a");
        same("EXPIRETIME", "a");
    }

    @Test
    void lazyExpiry() throws InterruptedException {
        sameAll(cmd("SET", "a", "1"), cmd("PEXPIRE", "a", "30"), cmd("SET", "b", "2"), cmd("PEXPIRE", "b", "100000"));
        Thread.sleep(80);
        same("GET", "a");
        same("TTL", "a");
        same("EXISTS", "a", "b");
        same("PERSIST", "a");
        same("EXPIRE", "a", "100");
        same("TTL", "b");
    }

    @Test
    void expiredKeyIsGoneForEveryCommand() throws InterruptedException {
        sameAll(cmd("SET", "a", "1"), cmd("PEXPIRE", "a", "20"));
        Thread.sleep(60);
        same("TYPE", "a");
        same("OBJECT", "ENCODING", "a");
        same("RENAME", "a", "b");
        same("COPY", "a", "b");
        same("MOVE", "a", "1");
        same("DEL", "a");
        same("TOUCH", "a");
        same("PTTL", "a");
    }

    /**
     * A volatile key that is never read again must still go away: the active cycle finds 100
     * short-lived keys among 100k persistent ones within a couple of seconds.
     */
    @Test
    void activeExpiryReclaimsUnreadKeysAmongManyPersistentOnes() throws InterruptedException {
        Keyspace ks = BasaltInstance.shared().server().keyspace();
        ByteArrayOutputStream bulk = new ByteArrayOutputStream();
        int persistent = 100_000;
        for (int i = 0; i < persistent; i++) {
            bulk.writeBytes(RawClient.encode(bytes("SET"), bytes("p:" + i), bytes("v")));
        }
        for (int i = 0; i < 100; i++) {
            bulk.writeBytes(RawClient.encode(bytes("SET"), bytes("v:" + i), bytes("x")));
            bulk.writeBytes(RawClient.encode(bytes("PEXPIRE"), bytes("v:" + i), bytes("200")));
        }
        basalt.sendRaw(bulk.toByteArray());
        for (int i = 0; i < persistent + 200; i++) basalt.read();
        long expiredBefore = ks.expiredKeys();
        assertEquals(persistent + 100, basalt.call("DBSIZE").number());
        long deadline = System.currentTimeMillis() + 3_000;
        long size;
        do {
            Thread.sleep(50);
            size = basalt.call("DBSIZE").number();
        } while (size > persistent && System.currentTimeMillis() < deadline);
        assertEquals(persistent, size, "volatile keys not reclaimed by the active cycle");
        assertTrue(ks.expiredKeys() - expiredBefore >= 100, "expired_keys must count them");
    }

    @Test
    void activeExpiryCanBeDisabled() throws InterruptedException {
        Keyspace ks = BasaltInstance.shared().server().keyspace();
        ks.activeExpireEnabled(false);
        try {
            assertEquals(false, ks.activeExpireEnabled());
            basalt.call("SET", "a", "1");
            basalt.call("PEXPIRE", "a", "10");
            Thread.sleep(400);
            assertEquals(1, basalt.call("DBSIZE").number());
            // lazy expiry still applies
            assertTrue(basalt.call("GET", "a").isNull());
            assertEquals(0, basalt.call("DBSIZE").number());
        } finally {
            ks.activeExpireEnabled(true);
        }
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
