package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.basalt.compat.commands.ConnectionWire.ascii;
import static io.basalt.compat.commands.ConnectionWire.cmd;
import static io.basalt.compat.commands.ConnectionWire.concat;
import static io.basalt.compat.commands.ConnectionWire.exchange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * requirepass: what an unauthenticated connection may do, in which order the checks come
 * (unknown command and arity before NOAUTH), AUTH / HELLO AUTH / RESET, and the small protocol
 * limits Redis applies before authentication. Each case runs on a fresh connection to a private
 * redis-server and a private Basalt, both started with --requirepass pw.
 */
class AuthTest {
    private static RedisServerProcess redis;
    private static BasaltInstance basalt;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start("--requirepass", "pw");
        basalt = BasaltInstance.start("--requirepass", "pw");
    }

    @AfterAll
    static void stop() {
        redis.stop();
        basalt.stop();
    }

    private static void same(byte[] request) {
        same(request, 300);
    }

    private static void same(byte[] request, int quietMillis) {
        String r = exchange(redis.port(), request, quietMillis);
        String b = exchange(basalt.port(), request, quietMillis);
        assertEquals(r, b, () -> "reply to " + new String(request).replace("\r\n", "\\r\\n"));
    }

    @Test
    void checksComeInRedisOrder() {
        same(cmd("GET", "k"));
        same(cmd("GET"));                       // arity before NOAUTH
        same(cmd("NOSUCH", "x"));               // unknown command before NOAUTH
        same(cmd("CLIENT", "NOSUCH"));          // unknown subcommand before NOAUTH
        same(cmd("CLIENT", "ID"));
        same(cmd("CLIENT", "SETNAME", "x"));
        same(cmd("COMMAND"));
        same(cmd("PING"));
        same(cmd("SELECT", "1"));
        same(cmd("QUIT"));
        same(ascii("PING\r\n"));
    }

    @Test
    void auth() {
        same(cmd("AUTH", "wrong"));
        same(cmd("AUTH", "default", "wrong"));
        same(cmd("AUTH", "nobody", "pw"));
        same(cmd("AUTH", "a", "b", "c"));
        same(cmd("AUTH"));
        same(concat(cmd("AUTH", "pw"), cmd("GET", "k"), cmd("CLIENT", "GETNAME")));
        same(concat(cmd("AUTH", "default", "pw"), cmd("PING")));
        // a failed AUTH does not undo an earlier success
        same(concat(cmd("AUTH", "pw"), cmd("AUTH", "bad"), cmd("PING")));
    }

    @Test
    void helloAuth() {
        same(cmd("HELLO"));
        same(cmd("HELLO", "3"));
        same(cmd("HELLO", "2", "SETNAME", "bad name")); // the name is checked before NOAUTH
        same(cmd("HELLO", "3", "AUTH", "default", "wrong"));
        same(cmd("HELLO", "3", "AUTH", "default"));
        same(concat(cmd("HELLO", "2", "AUTH", "default", "pw", "BOGUS"), cmd("PING"))); // syntax error: no auth
        same(concat(cmd("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "bad name"), cmd("PING")));
        try (RawClient b = new RawClient(basalt.port())) {
            RespValue r = b.call("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "n1");
            assertEquals('%', r.type());
            assertEquals(3, r.field("proto").number());
            assertEquals("n1", b.call("CLIENT", "GETNAME").string());
            assertEquals("PONG", b.call("PING").string());
        }
    }

    @Test
    void resetDropsAuthentication() {
        same(concat(cmd("AUTH", "pw"), cmd("SELECT", "2"), cmd("CLIENT", "SETNAME", "x"), cmd("RESET"),
                cmd("PING"), cmd("AUTH", "pw"), cmd("CLIENT", "GETNAME"), cmd("GET", "k")));
        same(cmd("RESET"));
    }

    @Test
    void unauthenticatedProtocolLimitsReplyAndClose() {
        same(ascii("*11\r\n"));
        same(concat(ascii("*11\r\n"), cmd("PING")));
        same(cmd("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
        same(ascii("*2\r\n$3\r\nGET\r\n$16385\r\n"));
        same(cmd("GET", "x".repeat(16384)));
        same(ascii("*1\r\n$-1\r\n"));
        // once authenticated, the limits are the normal ones
        same(concat(cmd("AUTH", "pw"), ascii("*11\r\n$4\r\nMSET\r\n"), cmd("PING")), 500);
        same(concat(cmd("AUTH", "pw"), cmd("ECHO", "y".repeat(20000))));
    }
}
