package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The dispatcher's own replies: unknown commands and subcommands, arity, RESET. */
class ConnectionDispatchTest extends DifferentialTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void unknownCommandTextTruncatesLikeRedis() {
        same("NOSUCH");
        same("nosuch", "a");
        same("x".repeat(200));
        same("x".repeat(200), "y".repeat(300));
        same("NOSUCH", "a".repeat(100), "b".repeat(100), "c");
        same("NOSUCH", "a".repeat(126), "b", "c");
        same("NOSUCH", "a".repeat(127), "b", "c");
        same("NOSUCH", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
                "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33");
        same("NOSUCH", "");
        same("NOSUCH", "line\r\nbreak", "tab\there");
        same(b("NOSUCH"), b("nul\0byte"), b("after"));
        same(b("NO\0SUCH"), b("x"));
        same(b("nosuch"), b("\u00e9\u00e9\u00e9".repeat(50)));
        same(b("\u00e9".repeat(100)));
    }

    @Test
    void unknownSubcommandText() {
        same("CLIENT", "NOSUCH");
        same("client", "nosuch");
        same("ClIeNt", "x".repeat(200));
        same("COMMAND", "NOSUCH", "a");
        same(b("CLIENT"), b("line\nbreak"));
        // subcommands of later Redis versions are unknown to 7.0
        same("CLIENT", "SETINFO", "lib-name", "x");
        same("CLIENT", "NO-TOUCH", "on");
    }

    @Test
    void arityErrorsNameTheFullCommand() {
        same("GET");
        same("get", "a", "b");
        same("CLIENT");
        same("CLIENT", "ID", "x");
        same("client", "SETNAME");
        same("COMMAND", "COUNT", "x");
        same("COMMAND", "GETKEYS");
        same("SELECT");
        same("ECHO");
        same("ECHO", "a", "b");
        same("HELLO", "3", "AUTH");
    }

    @Test
    void resetRestoresConnectionDefaults() {
        sameAll(cmd("SELECT", "5"), cmd("SET", "k", "in5"), cmd("CLIENT", "SETNAME", "x"), cmd("CLIENT", "NO-EVICT", "on"));
        resp3();
        same("RESET");
        same("GET", "k");
        same("CLIENT", "GETNAME");
        assertEquals(2, basalt.call("HELLO").field("proto").number());
        same("RESET", "x");
        // RESET keeps NO-EVICT in Redis 7.0
        assertEquals("e", ClientCommandsTest.fields(basalt.call("CLIENT", "INFO").string()).get("flags"));
        redis.call("CLIENT", "NO-EVICT", "off");
        basalt.call("CLIENT", "NO-EVICT", "off");
        assertEquals("N", ClientCommandsTest.fields(basalt.call("CLIENT", "INFO").string()).get("flags"));
    }

    @Test
    void helloRepliesLikeRedisApartFromTheId() {
        for (String[] c : new String[][]{{"HELLO"}, {"HELLO", "3"}, {"HELLO"}, {"HELLO", "2", "SETNAME", "n"},
                {"HELLO", "3", "AUTH", "default", "anything", "SETNAME", "m"}}) {
            String r = redis.call(c).rawString().replaceAll("\\$2\r\nid\r\n:\\d+\r\n", "ID");
            String b = basalt.call(c).rawString().replaceAll("\\$2\r\nid\r\n:\\d+\r\n", "ID");
            assertEquals(r, b, String.join(" ", c));
        }
        same("CLIENT", "GETNAME");
    }

    @Test
    void lastCommandIsRecordedEvenWhenRejected() {
        try (RawClient other = new RawClient(BasaltInstance.shared().port())) {
            long id = other.call("CLIENT", "ID").number();
            other.call("GET");
            String line = basalt.call("CLIENT", "LIST", "ID", Long.toString(id)).string();
            assertEquals("get", ClientCommandsTest.fields(line).get("cmd"));
        }
    }
}
