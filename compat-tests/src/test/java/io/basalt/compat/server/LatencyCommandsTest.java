package io.basalt.compat.server;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyCommandsTest extends DifferentialTest {

    @Test
    void deterministicReplies() {
        same("LATENCY", "HELP");
        same("LATENCY", "NOSUCH");
        same("LATENCY", "RESET");
        same("LATENCY", "LATEST");
        same("LATENCY", "HISTORY", "command");
        same("LATENCY", "GRAPH", "command");
        same("LATENCY", "DOCTOR");
        same("LATENCY", "HISTOGRAM", "nosuchcommand");
        same("LATENCY", "LATEST", "x");
        same("LATENCY", "HISTORY");
        resp3();
        same("LATENCY", "DOCTOR");
        same("LATENCY", "HISTOGRAM", "nosuchcommand");
    }

    @Test
    void doctorWhenEnabledWithoutSpikes() {
        try {
            redis.call("CONFIG", "SET", "latency-monitor-threshold", "1000");
            basalt.call("CONFIG", "SET", "latency-monitor-threshold", "1000");
            same("LATENCY", "DOCTOR");
        } finally {
            redis.call("CONFIG", "SET", "latency-monitor-threshold", "0");
            basalt.call("CONFIG", "SET", "latency-monitor-threshold", "0");
        }
    }

    @Test
    void eventsAreRecordedAboveTheThreshold() {
        try {
            basalt.call("CONFIG", "SET", "latency-monitor-threshold", "5");
            basalt.call("DEBUG", "SLEEP", "0.02");
            RespValue latest = basalt.call("LATENCY", "LATEST");
            assertEquals(1, latest.size());
            assertEquals("command", latest.get(0).get(0).string());
            assertTrue(latest.get(0).get(2).number() >= 5);
            assertEquals(1, basalt.call("LATENCY", "HISTORY", "command").size());
            String graph = basalt.call("LATENCY", "GRAPH", "command").string();
            assertTrue(graph.startsWith("command - high "), graph);
            assertTrue(basalt.call("LATENCY", "DOCTOR").string().contains("1. command: 1 latency spikes"));
            assertEquals(1, basalt.call("LATENCY", "RESET", "command", "nosuch").number());
            assertEquals(0, basalt.call("LATENCY", "LATEST").size());
        } finally {
            basalt.call("CONFIG", "SET", "latency-monitor-threshold", "0");
            basalt.call("LATENCY", "RESET");
        }
    }

    @Test
    void histogramShape() {
        redis.call("CONFIG", "RESETSTAT");
        basalt.call("CONFIG", "RESETSTAT");
        same("SET", "a", "1");
        same("SET", "a", "2");
        same("CONFIG", "GET", "hz");
        RespValue r = redis.call("LATENCY", "HISTOGRAM", "set", "config", "get");
        RespValue b = basalt.call("LATENCY", "HISTOGRAM", "set", "config", "get");
        assertEquals(r.size(), b.size());
        java.util.Map<String, Long> redisCalls = new java.util.HashMap<>();
        for (int i = 0; i < r.size(); i += 2) redisCalls.put(r.get(i).string(), r.get(i + 1).get(1).number());
        for (int i = 0; i < b.size(); i += 2) {
            RespValue body = b.get(i + 1);
            assertEquals("calls", body.get(0).string());
            assertEquals(redisCalls.get(b.get(i).string()), body.get(1).number(), b.get(i).string());
            assertEquals("histogram_usec", body.get(2).string());
            RespValue h = body.get(3);
            assertEquals(body.get(1).number(), h.get(h.size() - 1).number());
        }
    }
}
