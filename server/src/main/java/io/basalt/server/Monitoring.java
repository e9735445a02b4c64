package io.basalt.server;

import io.basalt.resp.RespRequest;
import io.basalt.server.command.CommandSpec;

/** Per-command observation after execution: SLOWLOG and LATENCY feed from here. */
final class Monitoring {
    private Monitoring() {}

    static void afterCommand(BasaltServer server, Client c, CommandSpec spec, RespRequest req, long micros) {
        // filled in by the slowlog / latency monitor
    }
}
