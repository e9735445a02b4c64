package io.basalt.server;

import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.netty.buffer.ByteBuf;

/**
 * The one place every command passes through: lookup, the checks Redis makes in
 * {@code processCommand} (in the same order, with the same error texts), locking the shards of
 * the command's keys in ascending order, the call, and the statistics.
 */
public final class Dispatcher {
    private final BasaltServer server;
    private final CommandTable table;
    private final Keyspace keyspace;

    Dispatcher(BasaltServer server) {
        this.server = server;
        this.table = server.commands();
        this.keyspace = server.keyspace();
    }

    public void dispatch(Client c, RespRequest req) {
        CommandSpec spec = table.lookup(req, 0);
        if (spec == null) {
            unknownCommand(c, req);
            return;
        }
        if (spec.isContainer()) {
            if (req.argc() >= 2) {
                CommandSpec sub = table.lookupSub(spec, req);
                if (sub == null) {
                    c.error("ERR unknown subcommand '" + truncate(req.string(1)) + "'. Try "
                            + req.string(0).toUpperCase(java.util.Locale.ROOT) + " HELP.");
                    return;
                }
                spec = sub;
            }
        }
        if (!spec.arityOk(req.argc()) || spec.handler() == null) {
            spec.rejectedCalls.increment();
            c.error("ERR wrong number of arguments for '" + spec.name + "' command");
            return;
        }
        if (!c.authenticated && !spec.noAuth) {
            spec.rejectedCalls.increment();
            c.error("NOAUTH Authentication required.");
            return;
        }
        call(c, spec, req);
    }

    /** Runs a command that passed every check: locks its keys' shards, calls it, records stats. */
    void call(Client c, CommandSpec spec, RespRequest req) {
        c.touched(spec);
        c.resetErrorFlag();
        int[] keys = c.keyIndexes(req.argc());
        int nkeys = spec.keys(req, keys);
        long start = System.nanoTime();
        try {
            run(c, spec, req, keys, nkeys);
        } catch (RuntimeException | StackOverflowError e) {
            // a bug must cost one command, never the connection or the server
            Log.warning("Command " + spec.name + " failed: " + e);
            c.error("ERR internal error while executing '" + spec.name + "': " + e.getClass().getSimpleName());
        }
        long micros = (System.nanoTime() - start) / 1000;
        spec.calls.increment();
        spec.usec.add(micros);
        if (c.errorReplied()) spec.failedCalls.increment();
        server.stats().commandsProcessed.increment();
        server.afterCommand(c, spec, req, micros);
    }

    private void run(Client c, CommandSpec spec, RespRequest req, int[] keys, int nkeys) {
        if (nkeys <= 0) {
            spec.handler().execute(c, req);
        } else if (nkeys == 1) {
            Shard s = keyspace.shard(shardIndex(req, keys[0]));
            s.lock();
            try {
                spec.handler().execute(c, req);
            } finally {
                s.unlock();
            }
        } else {
            // several keys: lock each distinct shard once, in ascending order (no deadlocks)
            for (int i = 0; i < nkeys; i++) keys[i] = shardIndex(req, keys[i]);
            java.util.Arrays.sort(keys, 0, nkeys);
            int distinct = 0;
            for (int i = 0; i < nkeys; i++) if (i == 0 || keys[i] != keys[i - 1]) keys[distinct++] = keys[i];
            for (int i = 0; i < distinct; i++) keyspace.shard(keys[i]).lock();
            try {
                spec.handler().execute(c, req);
            } finally {
                for (int i = distinct - 1; i >= 0; i--) keyspace.shard(keys[i]).unlock();
            }
        }
    }

    private int shardIndex(RespRequest req, int arg) {
        ByteBuf b = req.buffer();
        int off = req.offset(arg);
        int len = req.length(arg);
        return KeySlots.slot(b, off, len) & (keyspace.shardCount() - 1);
    }

    private void unknownCommand(Client c, RespRequest req) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < req.argc() && args.length() < 128; i++) {
            String a = req.string(i);
            int room = 128 - args.length();
            args.append('\'').append(a.length() > room ? a.substring(0, room) : a).append("' ");
        }
        c.error("ERR unknown command '" + truncate(req.string(0)) + "', with args beginning with: " + args);
    }

    private static String truncate(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }
}
