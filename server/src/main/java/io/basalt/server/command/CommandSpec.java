package io.basalt.server.command;

import io.basalt.resp.RespValue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * One command (or subcommand) as data: the metadata Redis 7.0 publishes for it through COMMAND
 * (arity, flags, key positions, ACL categories) and COMMAND DOCS, plus Basalt's handler and
 * statistics. Dispatch, COMMAND/COMMAND INFO/DOCS/GETKEYS, INFO commandstats and key locking all
 * read from here, so they cannot disagree.
 */
public final class CommandSpec {
    /** Full name as Redis prints it: "get", or "config|get" for a subcommand. */
    public final String name;
    /** Name as the user types it: "get", or "get" for "config|get". */
    public final String shortName;
    public final CommandSpec parent;
    public final int arity;
    public final Set<String> flags;
    public final int firstKey;
    public final int lastKey;
    public final int keyStep;
    public final boolean write;
    public final boolean readonly;
    public final boolean noAuth;
    public final boolean denyOom;
    public final boolean movableKeys;
    /** This command's entry of the COMMAND reply, decoded from Redis's RESP3 reply. */
    public final RespValue info;
    /** This command's entry of the COMMAND DOCS reply (the value of the name -> docs map), or null. */
    RespValue docs;
    final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();

    Handler handler;
    KeyFinder keyFinder;

    public final LongAdder calls = new LongAdder();
    public final LongAdder usec = new LongAdder();
    public final LongAdder rejectedCalls = new LongAdder();
    public final LongAdder failedCalls = new LongAdder();

    CommandSpec(String name, CommandSpec parent, int arity, Set<String> flags, int firstKey, int lastKey,
                int keyStep, RespValue info) {
        this.name = name;
        this.parent = parent;
        this.shortName = parent == null ? name : name.substring(name.indexOf('|') + 1);
        this.arity = arity;
        this.flags = flags;
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.info = info;
        this.write = flags.contains("write");
        this.readonly = flags.contains("readonly");
        this.noAuth = flags.contains("no_auth");
        this.denyOom = flags.contains("denyoom");
        this.movableKeys = flags.contains("movablekeys");
    }

    public Handler handler() { return handler; }

    public KeyFinder keyFinder() { return keyFinder; }

    public RespValue docs() { return docs; }

    public boolean isContainer() { return !subcommands.isEmpty(); }

    public Map<String, CommandSpec> subcommands() { return subcommands; }

    public boolean arityOk(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /**
     * Argument indexes of the keys of {@code args}, written to {@code out}; returns the count, or
     * -1 when a movable-keys command's arguments don't say where its keys are.
     */
    public int keys(io.basalt.resp.RespRequest args, int[] out) {
        if (keyFinder != null) return keyFinder.keys(args, out);
        if (firstKey <= 0) return 0;
        int last = lastKey < 0 ? args.argc() + lastKey : lastKey;
        int n = 0;
        for (int i = firstKey; i <= last && i < args.argc(); i += keyStep) out[n++] = i;
        return n;
    }

    public void resetStats() {
        calls.reset();
        usec.reset();
        rejectedCalls.reset();
        failedCalls.reset();
    }
}
