package io.basalt.server;

import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one place every command passes through: lookup, the checks Redis makes in
 * {@code processCommand} (in the same order, with the same error texts), locking the shards of
 * the command's keys in ascending order, the call, and the statistics.
 */
public final class Dispatcher {
    private final BasaltServer server;
    private final CommandTable table;
    private final Keyspace keyspace;
    private final Blocking blocking;

    Dispatcher(BasaltServer server) {
        this.server = server;
        this.table = server.commands();
        this.keyspace = server.keyspace();
        this.blocking = new Blocking(keyspace);
    }

    /** The clients blocked by BLPOP & co. */
    public Blocking blocking() { return blocking; }

    /**
     * Runs one client command after Redis's {@code processCommand} checks, in its order: lookup
     * (unknown command / subcommand), arity, authentication, RESP2 subscribed mode, a MONITOR's
     * keyspace ban, then CLIENT PAUSE. A command held
     * back by a pause is not run: the client is told to {@link Client#defer() defer} it.
     */
    public void dispatch(Client c, RespRequest req) {
        if (req.is(0, "host:") || req.is(0, "post")) {
            // Redis's guard against HTTP requests smuggled to it (cross-protocol attacks):
            // no reply, the connection is closed at once
            Log.warning("Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: "
                    + "commands to Redis. This is likely due to an attacker attempting to use Cross Protocol "
                    + "Scripting to compromise your Redis instance. Connection from " + c.address() + " aborted.");
            // Redis frees the client before writing anything: replies to commands earlier in
            // the same read are lost too
            c.discardPendingReplies();
            c.closeAfterReply();
            return;
        }
        CommandSpec spec = table.lookup(req, 0);
        if (spec == null) {
            unknownCommand(c, req);
            return;
        }
        if (spec.isContainer() && req.argc() >= 2) {
            CommandSpec sub = table.lookupSub(spec, req);
            if (sub == null) {
                unknownSubcommand(c, req);
                return;
            }
            spec = sub;
        }
        c.lookedUp(spec);
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
        if (c.subscribed() && !c.resp3() && !allowedWhenSubscribed(spec)) {
            // Redis's RESP2 subscribed mode: the connection only carries Pub/Sub traffic
            spec.rejectedCalls.increment();
            c.error("ERR Can't execute '" + spec.name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                    + "are allowed in this context");
            return;
        }
        if (c.monitor() && (spec.write || spec.readonly || mayReplicate(spec))) {
            // a monitor is a replica to Redis, and replicas may not touch the keyspace
            spec.rejectedCalls.increment();
            c.error("ERR Replica can't interact with the keyspace");
            return;
        }
        // replicas, and so monitors, are never paused
        if (!c.monitor() && server.pause().holds(spec)) {
            c.defer();
            return;
        }
        call(c, spec, req);
    }

    /**
     * Redis's CMD_MAY_REPLICATE commands, which COMMAND INFO does not list among the flags:
     * they may propagate something to replicas without being writes.
     */
    private static boolean mayReplicate(CommandSpec spec) {
        switch (spec.name) {
            case "publish", "spublish", "pfcount", "eval", "evalsha", "fcall" -> { return true; }
            default -> { return false; }
        }
    }

    private static boolean allowedWhenSubscribed(CommandSpec spec) {
        switch (spec.name) {
            case "ping", "subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe", "punsubscribe",
                    "quit", "reset" -> { return true; }
            default -> { return false; }
        }
    }

    /** Runs a command that passed every check: locks its keys' shards, calls it, records stats. */
    void call(Client c, CommandSpec spec, RespRequest req) {
        c.touched(spec);
        c.resetErrorFlag();
        int[] keys = c.keyIndexes(req.argc());
        int nkeys = spec.keys(req, keys);
        long start = System.nanoTime();
        // a write may make a key some client is blocked on non-empty. Whether anyone is blocked
        // is checked after the write (a client may block while it waits for the locks), and
        // run() reuses the index array for several keys, hence the copy of their positions
        int[] keyArgs = spec.write && nkeys > 1 ? java.util.Arrays.copyOf(keys, nkeys) : keys;
        // while it runs, messages published to this client go straight into its output (before its reply)
        c.executing = true;
        try {
            run(c, spec, req, keys, nkeys);
        } catch (RuntimeException | StackOverflowError e) {
            // a bug must cost one command, never the connection or the server
            Log.warning("Command " + spec.name + " failed: " + e);
            c.error("ERR internal error while executing '" + spec.name + "': " + e.getClass().getSimpleName());
        } finally {
            c.executing = false;
        }
        long micros = (System.nanoTime() - start) / 1000;
        spec.calls.increment();
        spec.usec.add(micros);
        if (c.errorReplied()) spec.failedCalls.increment();
        server.stats().commandsProcessed.increment();
        server.afterCommand(c, spec, req, micros);
        // after the locks are released and outside the command's time, as Redis's
        // handleClientsBlockedOnKeys: serve the clients blocked on the keys it wrote
        if (spec.write && blocking.active()) {
            try {
                java.util.List<byte[]> written = new java.util.ArrayList<>(Math.max(nkeys, 0));
                for (int i = 0; i < nkeys; i++) written.add(req.bytes(keyArgs[i]));
                blocking.written(spec.name, written);
            } catch (RuntimeException e) {
                Log.warning("Serving blocked clients after " + spec.name + " failed: " + e);
            }
        }
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

    // ---------------------------------------------------------------- unknown command errors

    /**
     * "unknown command '%.128s', with args beginning with: " + "'%.*s' " per argument while the
     * list is shorter than 128 bytes. Built from bytes, as Redis's printf does: truncation counts
     * bytes, and an argument ends at its first NUL byte (C strings).
     */
    private void unknownCommand(Client c, RespRequest req) {
        ByteArrayOutputStream m = new ByteArrayOutputStream(64);
        ascii(m, "ERR unknown command '");
        cString(m, req, 0, 128);
        ascii(m, "', with args beginning with: ");
        int argsStart = m.size();
        for (int i = 1; i < req.argc() && m.size() - argsStart < 128; i++) {
            m.write('\'');
            cString(m, req, i, 128 - (m.size() - 1 - argsStart));
            ascii(m, "' ");
        }
        c.error(m.toByteArray());
    }

    /** "unknown subcommand '%.128s'. Try %s HELP." with the container's name in upper case. */
    private void unknownSubcommand(Client c, RespRequest req) {
        ByteArrayOutputStream m = new ByteArrayOutputStream(64);
        ascii(m, "ERR unknown subcommand '");
        cString(m, req, 1, 128);
        ascii(m, "'. Try ");
        int n = cLength(req, 0, Integer.MAX_VALUE);
        for (int k = 0; k < n; k++) {
            int b = req.byteAt(0, k) & 0xff;
            m.write(b >= 'a' && b <= 'z' ? b - 32 : b);
        }
        ascii(m, " HELP.");
        c.error(m.toByteArray());
    }

    private static void ascii(ByteArrayOutputStream m, String s) {
        m.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes argument i as printf's "%.Ns" would: at most max bytes, stopping at a NUL. */
    private static void cString(ByteArrayOutputStream m, RespRequest req, int i, int max) {
        int n = cLength(req, i, max);
        for (int k = 0; k < n; k++) m.write(req.byteAt(i, k));
    }

    private static int cLength(RespRequest req, int i, int max) {
        int len = Math.min(req.length(i), Math.max(0, max));
        for (int k = 0; k < len; k++) if (req.byteAt(i, k) == 0) return k;
        return len;
    }
}
