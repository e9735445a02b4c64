package io.basalt.server;

import io.basalt.resp.RespRequest;
import io.basalt.server.command.CommandSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of a client between MULTI and EXEC/DISCARD: the commands it queued (their arguments
 * copied out of the query buffer, which is reused) and whether one was rejected while queuing,
 * which makes EXEC fail with EXECABORT.
 */
final class Transaction {
    final List<CommandSpec> specs = new ArrayList<>();
    final List<RespRequest> requests = new ArrayList<>();
    /** Redis's CLIENT_DIRTY_EXEC: a command was rejected while queuing. */
    boolean aborted;
    /** A queued command writes: a CLIENT PAUSE WRITE holds the EXEC back. */
    boolean writes;
    /** Bytes of queued arguments, CLIENT LIST's multi-mem. */
    long memory;

    void queue(CommandSpec spec, RespRequest req) {
        byte[][] args = new byte[req.argc()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = req.bytes(i);
            memory += args[i].length;
        }
        specs.add(spec);
        requests.add(RespRequest.of(args));
        writes |= spec.write;
    }

    int size() { return specs.size(); }
}
