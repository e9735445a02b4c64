package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionCommandsTest extends DifferentialTest {

    @Test
    void pingAndEcho() {
        same("PING");
        same("PING", "hello world");
        same("PING", "a", "b");
        same("ECHO", "x");
        same("ECHO");
        same("ECHO", "");
    }

    @Test
    void unknownCommandsAndArity() {
        same("NOSUCHCOMMAND");
        same("NOSUCHCOMMAND", "a", "b c", "");
        same("GET");
        same("GET", "a", "b");
        same("gEt", "missing");
    }

    @Test
    void select() {
        same("SELECT", "1");
        same("SELECT", "15");
        same("SELECT", "16");
        same("SELECT", "-1");
        same("SELECT", "x");
        same("SELECT", "01");
    }

    @Test
    void helloNegotiatesProtocol() {
        same("HELLO", "4");
        same("HELLO", "1");
        same("HELLO", "abc");
        same("HELLO", "3", "SETNAME", "bad name");
        same("HELLO", "3", "FOO");
        same("HELLO", "3", "AUTH", "default");
        redis.call("HELLO", "3");
        var r = basalt.call("HELLO", "3");
        assertEquals('%', r.type());
        assertEquals("redis", r.field("server").string());
        assertEquals(3, r.field("proto").number());
        same("GET", "nokey");
        basalt.call("HELLO", "2");
        redis.call("HELLO", "2");
        same("GET", "nokey");
    }

    @Test
    void authWithoutPassword() {
        same("AUTH", "x");
        same("AUTH", "default", "x");
        same("AUTH", "nobody", "x");
        same("AUTH", "a", "b", "c");
    }

    @Test
    void inlineCommands() {
        sameRaw("PING\r\n");
        sameRaw("ECHO \"a b\\x41\\n\"\r\n");
        sameRaw("SET k 'single'\nGET k\n");
        assertEquals(redis.read().rawString(), basalt.read().rawString());
        sameRaw("   \r\nPING\r\n");
    }

    @Test
    void protocolErrorsReplyAndClose() {
        sameRaw("ECHO 'it''s'\r\n");
        assertTrue(basalt.isClosedByServer());
    }

    @Test
    void quitClosesAfterReply() {
        same("QUIT");
        assertTrue(basalt.isClosedByServer());
    }
}
