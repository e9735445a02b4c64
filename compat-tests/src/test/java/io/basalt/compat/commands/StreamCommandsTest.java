package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every stream command against redis-server 7.0, replies byte for byte (times masked where they
 * are the servers' clocks): options, ids in every form, edge ids, every error text, consumer
 * groups, and both protocols.
 */
class StreamCommandsTest extends DifferentialTest {

    /** Runs each line (split on spaces) on both servers, comparing the masked replies. */
    private void script(String text) {
        for (String line : text.strip().split("\n")) {
            line = line.strip();
            if (line.isEmpty()) continue;
            String[] cmd = line.split(" +");
            RespValue expected = redis.call(cmd);
            RespValue actual = basalt.call(cmd);
            assertEquals(StreamTestSupport.masked(expected), StreamTestSupport.masked(actual), "reply to " + line);
        }
    }

    static final String BASICS = """
            xadd s 1-1 a 1 b 2
            xadd s 1-2 a 3 b 4
            xadd s 1-* a 5 b 6
            xadd s 2 c 7
            xadd s 1-5 x y
            xadd s 0-0 x y
            xadd s 0-* x y
            xadd s 3-0 x
            xadd s 3-0
            xadd s MAXLEN ~ 10 4-0 a 1
            xadd s MAXLEN = 3 5-0 a 1
            xadd s MAXLEN -1 6-0 a 1
            xadd s MAXLEN x 6-0 a 1
            xadd s MINID 1-+ 6-0 a 1
            xlen s
            xrange s - +
            xrevrange s + -
            xrange s (1-1 + COUNT 2
            xrange s - + COUNT 0
            xrange s - + COUNT -1
            xrange s - + COUNT x
            xrange s (18446744073709551615-18446744073709551615 +
            xrange s - (0-0
            xrange s (- +
            xrange s 5 4
            xrevrange s 5 (4
            xrange nokey - +
            xrange s 1 2
            xrange s abc +
            xrange s 18446744073709551616 +
            xrange s 007 +
            xrange s -1 +
            xrange s - + LIMIT 2
            xadd s 18446744073709551615-18446744073709551614 f v
            xadd s 18446744073709551615-* f v
            xadd s * f v
            xadd s 18446744073709551615-* f v
            xsetid s 18446744073709551615-18446744073709551615
            xadd s * f v
            xdel s 4-0 99-0
            xdel s bad
            xdel nokey 1-1
            xinfo stream s
            xinfo stream s full
            xinfo stream s full count 1
            xinfo stream s full count 0
            xinfo stream s full count x
            xinfo stream s full foo 1
            xinfo stream s foo
            xtrim s MAXLEN 1
            xtrim s MINID 6
            xtrim s
            xtrim s LIMIT 10 MAXLEN 1
            xtrim s MAXLEN 1 LIMIT 10
            xtrim s MAXLEN 1 MINID 1
            xtrim s MAXLEN ~ 0 LIMIT -1
            xtrim s FOO
            xtrim nokey MAXLEN 0
            xinfo stream s
            xsetid s 1-0
            xsetid s 100-0 ENTRIESADDED 50 MAXDELETEDID 99-0
            xsetid s 100-0 ENTRIESADDED -1
            xsetid s 100-0 MAXDELETEDID 101-0
            xsetid s 100-0 FOO
            xsetid s +
            xsetid nokey 1-1
            xinfo stream s
            xadd s 100-0 a b
            xadd s 100-* a b
            xadd s * a b NOMKSTREAM
            xadd n NOMKSTREAM * a b
            xadd s MAXLEN 1 MINID 5 * a b
            xadd s LIMIT 5 * a b
            xadd s MAXLEN ~ 1 LIMIT 5 200-0 a b
            xadd s MAXLEN 1 LIMIT 5 201-0 a b
            set str x
            xadd str * a b
            xlen str
            xrange str - +
            xdel str 1
            xtrim str MAXLEN 0
            type s
            object encoding s
            """;

    @Test
    void addRangeTrimDeleteAndErrors() {
        script(BASICS);
    }

    static final String GROUPS = """
            xadd s 1-1 a 1
            xadd s 2-1 b 2
            xadd s 3-1 c 3
            xgroup create s g1 $
            xgroup create s g1 $
            xgroup create s g0 0 ENTRIESREAD 3
            xgroup create s g3 0 ENTRIESREAD -2
            xgroup create s g3 0 ENTRIESREAD x
            xgroup create nokey g0 0
            xgroup create mk g0 $ MKSTREAM
            xgroup create s g2 0-0 FOO
            xgroup create s g2 +
            xgroup create s g2 0 MKSTREAM ENTRIESREAD 1 MKSTREAM
            xgroup help
            xgroup setid s nog 0
            xgroup createconsumer s g1 alice
            xgroup createconsumer s g1 alice
            xgroup createconsumer s gx alice
            xgroup createconsumer str g alice
            xgroup setid s g1 0
            xgroup setid s g1 0 ENTRIESREAD 0
            xgroup setid s g1 0 MKSTREAM
            xinfo groups s
            xreadgroup GROUP g1 alice COUNT 1 STREAMS s >
            xreadgroup GROUP g1 bob STREAMS s >
            xreadgroup GROUP g1 bob STREAMS s >
            xreadgroup GROUP g1 bob STREAMS s 0
            xreadgroup GROUP g1 bob COUNT 1 STREAMS s 2-1
            xreadgroup GROUP g1 carol STREAMS s 0
            xinfo groups s
            xpending s g1
            xpending s g1 - + 10
            xpending s g1 - + 10 bob
            xpending s g1 - + 10 nobody
            xpending s g1 IDLE 0 - + 10
            xpending s g1 IDLE 99999999 - + 10
            xpending s g1 (1-1 (3-1 10
            xpending s g1 - + 0
            xpending s g1 - + -3
            xpending s g1 - + x
            xpending s g1 IDLE x - + 10
            xpending s g1 IDLE 0 - +
            xpending s g1 -
            xpending s nog
            xpending nokey g
            xclaim s g1 carol 0 1-1 2-1 JUSTID
            xclaim s g1 carol 0 1-1 RETRYCOUNT 7
            xclaim s g1 dave 99999999 1-1
            xclaim s g1 dave 0 1-1 IDLE 5 TIME 1 RETRYCOUNT 2 FORCE JUSTID LASTID 9-9
            xclaim s g1 dave 0 3-1 FORCE
            xclaim s g1 dave 0 2-1 FOO
            xclaim s g1 dave x 2-1
            xclaim s g1 dave 0 2-1 IDLE x
            xclaim s g1 dave 0 2-1 TIME x
            xclaim s g1 dave 0 2-1 RETRYCOUNT x
            xclaim s g1 dave 0 2-1 LASTID x
            xclaim s nog dave 0 2-1
            xpending s g1 - + 10
            xinfo groups s
            xdel s 2-1
            xautoclaim s g1 erin 0 0 COUNT 1
            xautoclaim s g1 erin 0 0
            xautoclaim s g1 erin 0 0 JUSTID
            xautoclaim s g1 erin 0 (0 COUNT 0
            xautoclaim s g1 erin x 0
            xautoclaim s g1 erin 0 x
            xautoclaim s g1 erin 0 0 FOO
            xautoclaim s nog erin 0 0
            xautoclaim nokey g erin 0 0
            xack s g1 1-1 5-0
            xack s g1 x
            xack s nog 1-1
            xack nokey g 1-1
            xpending s g1
            xinfo consumers s g1
            xinfo consumers s nog
            xgroup delconsumer s g1 bob
            xgroup delconsumer s g1 nobody
            xinfo groups s
            xinfo stream s full
            xreadgroup GROUP g1 a NOACK STREAMS s >
            xgroup setid s g1 0
            xreadgroup GROUP g1 a NOACK STREAMS s >
            xinfo groups s
            xread STREAMS s 0
            xread COUNT 1 STREAMS s mk 0 0
            xread COUNT -1 STREAMS s 0
            xread STREAMS s $
            xread STREAMS s +
            xread STREAMS s 99-0
            xread STREAMS nokey 0
            xread STREAMS s x
            xread BLOCK x STREAMS s 0
            xread BLOCK -1 STREAMS s 0
            xreadgroup GROUP g1 a STREAMS s $
            xreadgroup GROUP nog a STREAMS s >
            xreadgroup GROUP g1 a STREAMS s > nokey >
            xread GROUP g1 a STREAMS s 0
            xread NOACK STREAMS s 0
            xread STREAMS s > 
            xreadgroup STREAMS s 0
            xreadgroup GROUP g1 a STREAMS s
            xread STREAMS s
            xread COUNT 1
            set str x
            xread STREAMS str 0
            xreadgroup GROUP g a STREAMS str >
            xinfo stream str
            xinfo groups str
            xgroup destroy s g1
            xgroup destroy s g1
            xinfo help
            xinfo help x
            xinfo groups nokey
            xinfo stream mk
            xinfo groups mk
            xinfo stream mk full
            """;

    @Test
    void consumerGroups() {
        script(GROUPS);
    }

    @Test
    void resp3Shapes() {
        resp3();
        script(BASICS);
        redis.call("FLUSHALL");
        basalt.call("FLUSHALL");
        script(GROUPS);
    }

    @Test
    void nodeBoundsFollowTheConfiguration() {
        List<String> lines = new ArrayList<>();
        lines.add("config set stream-node-max-entries 5");
        lines.add("config set stream-node-max-bytes 200");
        for (int i = 1; i <= 120; i++) {
            String value = i % 7 == 0 ? "x".repeat(i) : Integer.toString(i * 131 - 4000);
            String fields = i % 3 == 0 ? "a " + value + " b 2" : "a " + value;
            lines.add("xadd s " + (i % 10 == 0 ? "MAXLEN ~ 40 " : "") + i + "-" + (i % 4) + " " + fields);
            if (i % 11 == 0) lines.add("xdel s " + (i - 3) + "-" + ((i - 3) % 4) + " " + (i - 5) + "-" + ((i - 5) % 4));
            if (i % 13 == 0) lines.add("xtrim s MINID ~ " + (i - 30));
            if (i % 17 == 0) lines.add("xtrim s MINID " + (i - 25));
            if (i % 5 == 0) lines.add("xinfo stream s");
        }
        lines.add("xinfo stream s full count 0");
        lines.add("config set stream-node-max-entries 0");
        lines.add("config set stream-node-max-bytes 0");
        for (int i = 200; i < 260; i++) lines.add("xadd s " + i + " f " + i);
        lines.add("xinfo stream s");
        lines.add("config set stream-node-max-entries 100");
        lines.add("config set stream-node-max-bytes 4096");
        script(String.join("\n", lines));
    }
}
