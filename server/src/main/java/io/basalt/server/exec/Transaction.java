package io.basalt.server.exec;

import io.basalt.resp.RespRequest;
import io.basalt.server.command.CommandFlags;

import java.util.ArrayList;
import java.util.List;

/**
 * The state of a client between MULTI and EXEC/DISCARD: the commands it queued (their arguments
 * copied out of the query buffer, which is reused, with the keys and slots found when they were
 * queued) and whether one was rejected while queuing, which makes EXEC fail with EXECABORT.
 */
public final class Transaction {
    final List<CommandContext> commands = new ArrayList<>();
    /** Redis's CLIENT_DIRTY_EXEC: a command was rejected while queuing. */
    boolean aborted;
    /** Redis's mstate.cmd_flags: the union of the queued commands' flags (a write: a CLIENT PAUSE WRITE holds EXEC). */
    int flags;
    /** Redis's mstate.cmd_inv_flags: the flags some queued command lacks (a non-"loading" one: EXEC waits for the load). */
    int missingFlags;
    /** Bytes of queued arguments, CLIENT LIST's multi-mem. */
    public long memory;

    /** Queues {@code cmd}; {@code withFlags}: keep its flags as queued (cluster routing reads them). */
    void queue(CommandContext cmd, boolean withFlags) {
        RespRequest req = cmd.request();
        byte[][] args = new byte[req.argc()][];
        for (int i = 0; i < args.length; i++) {
            args[i] = req.bytes(i);
            memory += args[i].length;
        }
        commands.add(cmd.copy(RespRequest.of(args), withFlags));
        flags |= cmd.spec().bits;
        missingFlags |= ~cmd.spec().bits;
    }

    /** Whether a queued command has {@link CommandFlags} {@code flag}. */
    boolean any(int flag) { return (flags & flag) != 0; }

    /** Whether some queued command lacks {@code flag}. */
    boolean notAll(int flag) { return (missingFlags & flag) != 0; }

    public int size() { return commands.size(); }
}
