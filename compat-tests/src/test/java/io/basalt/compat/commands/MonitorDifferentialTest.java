package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MONITOR against redis-server: the same commands run on both, and the monitors' lines must be
 * the same once the timestamp and the client's port are masked. The timestamp's form
 * ({@code <sec>.<6 digits>}) and value (now) are checked on their own.
 */
class MonitorDifferentialTest {
    private static final Pattern LINE = Pattern.compile("^\\+(\\d+)\\.(\\d{6}) \\[(\\d+) 127\\.0\\.0\\.1:(\\d+)\\] (.*)$", Pattern.DOTALL);

    private final List<RawClient> open = new ArrayList<>();

    private RawClient redis() { return track(new RawClient(RedisServerProcess.shared().port())); }

    private RawClient basalt() { return track(new RawClient(BasaltInstance.shared().port())); }

    private RawClient track(RawClient c) {
        open.add(c);
        return c;
    }

    @AfterEach
    void close() {
        for (RawClient c : open) c.close();
    }

    /** Runs the commands on both servers (replies compared) and returns both monitors' masked lines. */
    private void sameLines(String[]... commands) {
        RawClient rm = redis();
        RawClient bm = basalt();
        assertEquals("+OK\r\n", rm.call("MONITOR").rawString());
        assertEquals("+OK\r\n", bm.call("MONITOR").rawString());
        RawClient rc = redis();
        RawClient bc = basalt();
        for (String[] cmd : commands) {
            if (cmd[0].startsWith("~")) {
                // a reply that differs by nature (CLIENT LIST): only its line matters
                String[] real = cmd.clone();
                real[0] = cmd[0].substring(1);
                rc.call(real);
                bc.call(real);
                continue;
            }
            assertEquals(rc.call(cmd).rawString(), bc.call(cmd).rawString(), () -> "reply to " + String.join(" ", cmd));
        }
        // every monitor line up to this one belongs to the commands above
        rc.call("ECHO", "monitor-end");
        bc.call("ECHO", "monitor-end");
        assertEquals(linesUntilEnd(rm), linesUntilEnd(bm));
    }

    private static List<String> linesUntilEnd(RawClient monitor) {
        List<String> lines = new ArrayList<>();
        long now = System.currentTimeMillis() / 1000;
        while (true) {
            RespValue v = monitor.read();
            assertEquals('+', v.type(), v.rawString());
            String line = v.rawString();
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), line);
            assertTrue(Math.abs(Long.parseLong(m.group(1)) - now) < 60, "timestamp of " + line);
            String masked = "+T [" + m.group(3) + " addr] " + m.group(5);
            if (m.group(5).equals("\"ECHO\" \"monitor-end\"\r\n")) return lines;
            lines.add(masked);
        }
    }

    @Test
    void commandsAndArgumentQuoting() {
        sameLines(
                new String[]{"SET", "mon:k", "a b\"\\\u0001\n\r\t\u0007\b~ \u007f"},
                new String[]{"GET", "mon:k"},
                new String[]{"SET", "mon:n", "12345"},
                new String[]{"INCR", "mon:n"},
                new String[]{"APPEND", "mon:k", "é"},
                new String[]{"DEL", "mon:k", "mon:n"},
                new String[]{"PING"},
                new String[]{"ECHO", ""},
                new String[]{"SELECT", "3"}, // the line shows the database after the command
                new String[]{"SET", "mon:k", "x"},
                new String[]{"DEL", "mon:k"},
                new String[]{"SELECT", "0"});
    }

    @Test
    void rejectedAdminAndRedactedCommands() {
        sameLines(
                new String[]{"NOSUCH", "x"}, // never executed: not shown
                new String[]{"GET"}, // arity: not shown
                new String[]{"CONFIG", "GET", "maxmemory"}, // admin: not shown
                new String[]{"~CLIENT", "LIST"}, // admin subcommand: not shown
                new String[]{"~CLIENT", "ID"}, // not admin: shown (ids differ: reply not compared)
                new String[]{"~SLOWLOG", "LEN"}, // admin (the length differs by history)
                new String[]{"AUTH", "secret"}, // executed (an error), passwords redacted
                new String[]{"AUTH", "user", "secret"},
                new String[]{"~HELLO", "2", "AUTH", "default", "pw"}, // the reply holds the client id
                new String[]{"EXISTS", "mon:x"},
                new String[]{"SET", "mon:x", "1", "XX"},
                new String[]{"LPUSH", "mon:x", "1"},
                new String[]{"DEL", "mon:x"});
    }

    @Test
    void subscribedClientsCommandsAreShown() {
        sameLines(
                new String[]{"SUBSCRIBE", "mon:ch"},
                new String[]{"GET", "k"}, // rejected in subscribed mode: not shown
                new String[]{"PING", "x"},
                new String[]{"UNSUBSCRIBE"},
                new String[]{"PUBLISH", "mon:ch", "m"});
    }

    @Test
    void monitorConnectionRules() {
        RawClient r = redis();
        RawClient b = basalt();
        for (RawClient m : List.of(r, b)) assertEquals("+OK\r\n", m.call("MONITOR").rawString());
        // a monitor is a replica to Redis: no keyspace access, no PUBLISH
        for (String[] cmd : new String[][]{{"GET", "x"}, {"SET", "x", "1"}, {"DBSIZE"}, {"PUBLISH", "c", "m"},
                {"TYPE", "x"}, {"SCAN", "0"}}) {
            assertEquals(r.call(cmd).rawString(), b.call(cmd).rawString(), String.join(" ", cmd));
        }
        // other commands run, followed by the monitor's own line
        assertEquals(r.call("ECHO", "hi").rawString(), b.call("ECHO", "hi").rawString());
        assertEquals(masked(r.read()), masked(b.read()));
        // MONITOR again: no reply at all (the next frame is the ECHO's)
        r.send("MONITOR");
        b.send("MONITOR");
        assertEquals(r.call("ECHO", "after").rawString(), b.call("ECHO", "after").rawString());
        assertEquals(masked(r.read()), masked(b.read()));
        // CLIENT INFO shows flag O
        RespValue ri = r.call("CLIENT", "INFO");
        RespValue bi = b.call("CLIENT", "INFO");
        assertEquals(flags(ri.string()), flags(bi.string()));
        assertEquals("flags=O", flags(bi.string()));
        assertEquals(masked(r.read()), masked(b.read())); // "client" "info"
        // RESET ends monitoring
        assertEquals(r.call("RESET").rawString(), b.call("RESET").rawString());
        RawClient other = basalt();
        other.call("SET", "mon:after", "1");
        other.call("DEL", "mon:after");
        assertEquals("$-1\r\n", b.call("GET", "mon:after").rawString());
        assertEquals(r.call("CLIENT", "INFO").string().contains("flags=N"), b.call("CLIENT", "INFO").string().contains("flags=N"));
    }

    @Test
    void severalMonitorsSeeTheSameLines() {
        RawClient m1 = basalt();
        RawClient m2 = basalt();
        m1.call("MONITOR");
        m2.call("MONITOR");
        RawClient c = basalt();
        c.call("SET", "mon:several", "v");
        c.call("DEL", "mon:several");
        String a = masked(m1.read()) + masked(m1.read());
        String b = masked(m2.read()) + masked(m2.read());
        assertEquals(a, b);
        assertEquals("+T [0 addr] \"SET\" \"mon:several\" \"v\"\r\n+T [0 addr] \"DEL\" \"mon:several\"\r\n", a);
        m1.close();
        c.call("PING");
        assertEquals("+T [0 addr] \"PING\"\r\n", masked(m2.read()));
    }

    private static String masked(RespValue v) {
        Matcher m = LINE.matcher(v.rawString());
        assertTrue(m.matches(), v.rawString());
        return "+T [" + m.group(3) + " addr] " + m.group(5);
    }

    private static String flags(String info) {
        Matcher m = Pattern.compile("flags=\\S*").matcher(info);
        assertTrue(m.find(), info);
        return m.group();
    }
}
