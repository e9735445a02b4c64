package io.basalt.server.scripting;

import io.basalt.data.Eviction;
import io.basalt.data.Keyspace;
import io.basalt.resp.Doubles;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandFlags;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.config.Config;
import io.basalt.server.exec.Busy;
import io.basalt.server.exec.CommandContext;
import io.basalt.server.exec.Router;
import io.basalt.server.exec.Dispatcher;
import io.basalt.server.exec.Propagation;
import io.basalt.server.exec.ReplicaRole;
import io.basalt.server.module.ServerModule;
import io.basalt.server.stats.ServerStats;
import io.basalt.server.util.Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis 7.0's eval.c and script.c): the script
 * cache, the run of a script with every shard locked (atomic: no other client sees part of it),
 * the checks Redis applies to a script's commands (scriptCall), its effects published as one
 * unit, and the busy state: past busy-reply-threshold other clients get -BUSY and SCRIPT KILL
 * stops a script that has not written.
 *
 * <p>A script runs on the scripting thread, not on the caller's event loop, so that the event
 * loops stay free to answer -BUSY and to take SCRIPT KILL while a script runs long; the caller
 * waits as a blocked client does. Inside EXEC, and for the AOF loader or a master link, it runs
 * inline (the transaction already holds every shard).
 */
public final class Scripting implements ServerModule, Busy {
    static final String BUSY = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    /** Redis's slowscripterr: the busy error while a function runs. */
    static final String BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    private static final String NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

    private final Keyspace keyspace;
    private final Dispatcher dispatcher;
    private final Propagation propagation;
    private final ServerStats stats;
    private final Supplier<Client> engineClients;
    private final ScriptCache cache = new ScriptCache();
    private final LuaEngine engine;
    private Client engineClient;
    private final ExecutorService thread;
    /** The running script (at most one: a script holds every shard), read by other threads. */
    private volatile Run current;
    private volatile long busyMillis = 5000;
    private volatile boolean lazyUserFlush;
    private final Functions functions;

    public Scripting(Keyspace keyspace, Dispatcher dispatcher, Propagation propagation, ServerStats stats,
                     Supplier<Client> engineClients, String version) {
        this.keyspace = keyspace;
        this.dispatcher = dispatcher;
        this.propagation = propagation;
        this.stats = stats;
        this.engineClients = engineClients;
        this.engine = new LuaEngine(version);
        this.functions = new Functions(this, version);
        // a deep stack: Lua recursion is Java recursion in LuaJ
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(null, r, "basalt-scripts", 256L << 20);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void bind(Config config) {
        config.bind("busy-reply-threshold", v -> busyMillis = Long.parseLong(v));
        config.bind("lazyfree-lazy-user-flush", v -> lazyUserFlush = v.equals("yes"));
        config.bind("rdbcompression", v -> functions.compress = v.equals("yes"));
    }

    public void register(CommandTable t) {
        functions.register(t);
        t.register("eval", (c, a) -> eval(c, a, false, false));
        t.register("evalsha", (c, a) -> eval(c, a, true, false));
        t.register("eval_ro", (c, a) -> eval(c, a, false, true));
        t.register("evalsha_ro", (c, a) -> eval(c, a, true, true));
        // getCommandFlags: a script's shebang flags are the command's (cluster routing asks)
        t.flags("eval", (bits, a) -> evalFlags(bits, a, false));
        t.flags("eval_ro", (bits, a) -> evalFlags(bits, a, false));
        t.flags("evalsha", (bits, a) -> evalFlags(bits, a, true));
        t.flags("evalsha_ro", (bits, a) -> evalFlags(bits, a, true));
        t.register("script|load", this::load);
        t.register("script|exists", this::exists);
        t.register("script|flush", this::flush);
        t.register("script|kill", (c, a) -> kill(c, a, true));
        t.register("script|help", (c, a) -> CommandHelp.reply(c, "SCRIPT",
                "DEBUG (YES|SYNC|NO)",
                "    Set the debug mode for subsequent scripts executed.",
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it."));
    }

    /** The function libraries (FUNCTION LOAD, FCALL). */
    public Functions functions() { return functions; }

    /** FUNCTION STATS: the script or function running past busy-reply-threshold. */
    record Running(String name, boolean evalMode, byte[][] command, long durationMillis) {}

    /** The script or function that runs and went busy (Redis answers nothing else before), or null. */
    Running running() {
        Run r = current;
        if (r == null || !r.timedOut()) return null;
        return new Running(r.sha, r.evalMode, r.command, (System.nanoTime() - r.start) / 1_000_000);
    }

    /** INFO memory: the cached scripts. */
    public int cachedScripts() { return cache.size(); }

    public long cacheMemory() { return cache.memory(); }

    // ---------------------------------------------------------------- Busy

    @Override
    public String busyError() {
        Run r = current;
        if (r == null || !r.timedOut()) return null;
        return r.evalMode ? BUSY : BUSY_FUNCTION;
    }

    // ---------------------------------------------------------------- SCRIPT

    private void load(Client c, RespRequest a) {
        if (a.argc() != 3) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        try {
            c.out().bulk(cache.create(a.bytes(2)).sha());
        } catch (ScriptCache.CompileError e) {
            c.error(e.getMessage());
        }
    }

    private void exists(Client c, RespRequest a) {
        c.out().array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) c.out().integer(cache.get(a.string(i)) != null ? 1 : 0);
    }

    private void flush(Client c, RespRequest a) {
        if (a.argc() > 3 || (a.argc() == 3 && !a.string(2).equalsIgnoreCase("sync") && !a.string(2).equalsIgnoreCase("async"))) {
            c.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }
        cache.flush();
        c.out().ok();
    }

    /** Redis's scriptKill: SCRIPT KILL ({@code eval}) or FUNCTION KILL. */
    void kill(Client c, RespRequest a, boolean eval) {
        if (a.argc() != 2) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        Run r = current;
        if (r == null) {
            c.error("NOTBUSY No scripts in execution right now.");
        } else if (r.caller.kind().obeys()) {
            c.error("UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.");
        } else if (r.writeDirty) {
            c.error("UNKILLABLE Sorry the script already executed write commands against the dataset. "
                    + "You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
        } else if (eval && !r.evalMode) {
            c.error(BUSY_FUNCTION);
        } else if (!eval && r.evalMode) {
            c.error(BUSY);
        } else {
            r.killed = true;
            c.out().ok();
        }
    }

    // ---------------------------------------------------------------- EVAL

    private void eval(Client c, RespRequest a, boolean bySha, boolean ro) {
        long numkeys = numkeys(c, a, "ERR value is not an integer or out of range");
        if (numkeys < 0) return;
        ScriptCache.Script script;
        if (bySha) {
            script = a.length(1) == 40 ? cache.get(a.string(1)) : null;
            if (script == null) {
                c.error(NOSCRIPT);
                return;
            }
        } else {
            try {
                script = cache.create(a.bytes(1));
            } catch (ScriptCache.CompileError e) {
                c.error(e.getMessage());
                return;
            }
        }
        int n = (int) numkeys;
        ScriptCache.Script run = script;
        invoke(c, a, 3, n, script.sha(), true, script.flags(), ro, (keys, argv, h) -> engine.run(run.code(), run.sha(), keys, argv, h));
    }

    /**
     * Redis's evalGetCommandFlags: the command flags of an EVAL or EVALSHA of a script that
     * declared flags (the cached script's, else the body's shebang); EVAL's own {@code bits} for a
     * script without a shebang, an unknown SHA or a shebang that does not parse.
     */
    private int evalFlags(int bits, RespRequest a, boolean bySha) {
        if (a.argc() < 2) return bits;
        int flags;
        if (bySha) {
            ScriptCache.Script s = a.length(1) == 40 ? cache.get(a.string(1)) : null;
            if (s == null) return bits;
            flags = s.flags();
        } else {
            // a cached script's flags are its body's shebang: parsing it spares hashing the body
            // (and a body without one is EVAL's own flags, without copying it)
            if (a.length(1) < 2 || a.byteAt(1, 0) != '#' || a.byteAt(1, 1) != '!') return bits;
            try {
                flags = ScriptCache.shebangFlags(a.bytes(1), new int[1]);
            } catch (ScriptCache.CompileError e) {
                return bits;
            }
        }
        return (flags & ScriptCache.EVAL_COMPAT_MODE) != 0 ? bits : commandFlags(bits, flags);
    }

    /**
     * Redis's scriptFlagsToCmdFlags: a script that declared flags is a write unless no-writes,
     * denyoom unless allow-oom or no-writes, stale-safe only with allow-stale, and never merely
     * may-replicate.
     */
    static int commandFlags(int bits, int scriptFlags) {
        bits &= ~(CommandFlags.STALE | CommandFlags.DENYOOM | CommandFlags.WRITE | CommandFlags.MAY_REPLICATE);
        if ((scriptFlags & (ScriptCache.ALLOW_OOM | ScriptCache.NO_WRITES)) == 0) bits |= CommandFlags.DENYOOM;
        if ((scriptFlags & ScriptCache.NO_WRITES) == 0) bits |= CommandFlags.WRITE;
        if ((scriptFlags & ScriptCache.ALLOW_STALE) != 0) bits |= CommandFlags.STALE;
        return bits;
    }

    /**
     * EVAL's and FCALL's numkeys (argument 2) checked against the arguments: the count, or -1
     * after replying the error ({@code notANumber} when it is not an integer).
     */
    static long numkeys(Client c, RespRequest a, String notANumber) {
        long numkeys;
        try {
            numkeys = Numbers.parseLong(a.bytes(2));
        } catch (NumberFormatException e) {
            c.error(notANumber);
            return -1;
        }
        if (numkeys > a.argc() - 3) {
            c.error("ERR Number of keys can't be greater than number of args");
            return -1;
        }
        if (numkeys < 0) {
            c.error("ERR Number of keys can't be negative");
            return -1;
        }
        return numkeys;
    }

    /** What a run executes once every shard is locked: a script or a function, with its host. */
    interface Invocation {
        LuaEngine.Result run(LuaTable keys, LuaTable argv, LuaEngine.Host host);
    }

    /**
     * Runs a script or a function (Redis's scriptPrepareForRun, then the run): the checks of its
     * flags, its keys (from argument {@code first}, {@code n} of them) and arguments as Lua
     * tables, then the run on the scripting thread while the caller waits, or inline inside EXEC
     * and for the AOF loader or a master link.
     */
    void invoke(Client c, RespRequest a, int first, int n, String name, boolean evalMode, int flags, boolean ro, Invocation inv) {
        // a script with a shebang gets the processCommand checks of the command flags its flags
        // make (evalGetCommandFlags), before scriptPrepareForRun's own: -OOM, -READONLY... in
        // Redis's words (FCALL makes them itself, see Functions)
        String refused = evalMode && (flags & ScriptCache.EVAL_COMPAT_MODE) == 0 && !c.inExec() ? commandChecks(c, flags) : null;
        if (refused == null) refused = prepare(c, flags, ro);
        if (refused != null) {
            c.error(refused);
            return;
        }
        LuaTable keys = new LuaTable(n, 0);
        for (int i = 0; i < n; i++) keys.rawset(i + 1, LuaString.valueUsing(a.bytes(first + i)));
        LuaTable argv = new LuaTable(a.argc() - first - n, 0);
        for (int i = first + n; i < a.argc(); i++) argv.rawset(i - first + 1 - n, LuaString.valueUsing(a.bytes(i)));
        boolean readOnly = ro || (flags & (ScriptCache.EVAL_COMPAT_MODE | ScriptCache.NO_WRITES)) == ScriptCache.NO_WRITES;
        boolean allowOom = (flags & (ScriptCache.EVAL_COMPAT_MODE | ScriptCache.ALLOW_OOM)) == ScriptCache.ALLOW_OOM;
        // FUNCTION STATS shows the command of a running function
        byte[][] command = null;
        if (!evalMode) {
            command = new byte[a.argc()][];
            for (int i = 0; i < command.length; i++) command[i] = a.bytes(i);
        }
        // cluster mode: the checks of the keys its commands touch, with the caller's ASKING and
        // READONLY flags and slot as they are now (standalone mode: none, a null check per call)
        Router router = dispatcher.router();
        Router.ScriptScope scope = router == null || c.kind().obeys() ? null
                : router.scriptScope(c, Dispatcher.running(), (flags & (ScriptCache.EVAL_COMPAT_MODE | ScriptCache.ALLOW_CROSS_SLOT)) != 0);
        Call call = new Call(name, evalMode, command, keys, argv, readOnly, allowOom, scope, inv);
        if (c.inExec() || c.kind().obeys() || c.kind() == io.basalt.server.client.ClientKind.SCRIPT) {
            // inside a transaction (every shard held by this thread already) or replaying: inline
            run(c, call, c.out());
            return;
        }
        if (inlineAllowed && provenShort(name)) {
            // a script that ran short every time lately runs on the caller's event loop: the
            // hand-off to the scripting thread and back would cost more than the script
            boolean oom = !call.allowOom() && outOfMemory();
            String busy = dispatcher.lockAllUnlessBusy();
            if (busy != null) {
                c.error(busy);
                return;
            }
            runLocked(c, call, c.out(), oom, true);
            return;
        }
        // the caller waits, as a blocked client, while the scripting thread runs it
        c.scriptRequested();
        boolean resp3 = c.resp3();
        thread.execute(() -> {
            ByteBuf reply = Unpooled.buffer(64);
            try {
                run(c, call, new RespWriter(reply, resp3));
            } catch (RuntimeException | Error e) {
                Log.warning("Script " + name + " failed: " + e);
                reply.clear();
                new RespWriter(reply, resp3).error("ERR internal error while running the script: " + e.getClass().getSimpleName());
            }
            c.channel().eventLoop().execute(() -> c.unblocked(reply));
        });
    }

    /**
     * Scripts and functions (by SHA or name) whose last {@link #SHORT_RUNS} runs each took under
     * {@link #SHORT_NANOS}: they run inline on the caller's event loop. Any longer run puts the
     * script back on the scripting thread, where a long run leaves the event loops free to answer
     * -BUSY and take SCRIPT KILL; a script that has never run starts there too. The cost of the
     * guess: a proven-short script that suddenly runs long (a data-dependent loop) holds up the
     * other clients of its event loop until it ends or is killed from another connection (which
     * gets -BUSY, as from Redis, on every other event loop).
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> shortStreak = new java.util.concurrent.ConcurrentHashMap<>();
    static final int SHORT_RUNS = 8;
    static final long SHORT_NANOS = 1_000_000;

    /** Off with a single event loop: nothing could take SCRIPT KILL while it runs a script. */
    private volatile boolean inlineAllowed;

    /** Whether proven-short scripts may run on the event loops (more than one of them). */
    public void inlineAllowed(boolean allowed) { this.inlineAllowed = allowed; }

    /**
     * The event loop thread held by an inline script past busy-reply-threshold, or null: new
     * connections are given to the other event loops meanwhile, so SCRIPT KILL can get in.
     */
    public Thread stuckEventLoop() {
        Run r = current;
        return r != null && r.inline && r.timedOut ? r.runner : null;
    }

    private boolean provenShort(String name) {
        Integer n = shortStreak.get(name);
        return n != null && n >= SHORT_RUNS;
    }

    /** After a run of {@code name} that took {@code nanos} (script time, not lock waits). */
    private void ran(String name, long nanos) {
        if (nanos >= SHORT_NANOS) {
            shortStreak.remove(name);
            return;
        }
        Integer n = shortStreak.get(name);
        if (n != null && n >= SHORT_RUNS) return;
        if (shortStreak.size() > 100_000) shortStreak.clear(); // bounded, whatever scripts come
        shortStreak.merge(name, 1, Integer::sum);
    }

    /** One invocation: what it runs and how. */
    private record Call(String name, boolean evalMode, byte[][] command, LuaTable keys, LuaTable argv,
                        boolean readOnly, boolean allowOom, Router.ScriptScope scope, Invocation inv) {}

    /**
     * Redis's processCommand checks of a call whose command flags come from the function's flags
     * (scriptFlagsToCmdFlags: a function without no-writes is a write, and denyoom unless
     * allow-oom; only allow-stale runs on a stale replica): the error reply, or null.
     */
    String commandChecks(Client c, int flags) {
        boolean write = (flags & ScriptCache.NO_WRITES) == 0;
        boolean obeys = c.kind().obeys();
        if (write && (flags & ScriptCache.ALLOW_OOM) == 0 && !obeys && outOfMemory()) {
            return "OOM command not allowed when used memory > 'maxmemory'.";
        }
        String disk = dispatcher.writeDenied();
        if (write && disk != null && !obeys) return disk;
        ReplicaRole role = dispatcher.replicaRole();
        if (write && role.notEnoughReplicas()) return "NOREPLICAS Not enough good replicas to write.";
        if (write && !obeys && role.readOnly()) return "READONLY You can't write against a read only replica.";
        if (role.staleDenied() && (flags & ScriptCache.ALLOW_STALE) == 0) {
            return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
        }
        return null;
    }

    /**
     * Redis's scriptPrepareForRun checks for scripts that declared flags (a shebang line): the
     * error reply, or null when the script may run.
     */
    private String prepare(Client c, int flags, boolean ro) {
        ReplicaRole role = dispatcher.replicaRole();
        if ((flags & ScriptCache.EVAL_COMPAT_MODE) != 0) {
            if (role.staleDenied()) return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
            return null;
        }
        // a script that says it cannot run in a cluster (keys it does not declare...); the router
        // exists in cluster mode only
        if ((flags & ScriptCache.NO_CLUSTER) != 0 && dispatcher.router() != null) {
            return "ERR Can not run script on cluster, 'no-cluster' flag is set.";
        }
        if (role.staleDenied() && (flags & ScriptCache.ALLOW_STALE) == 0) {
            return "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.";
        }
        if ((flags & ScriptCache.NO_WRITES) == 0) {
            boolean obeys = c.kind().obeys();
            if (role.readOnly() && !obeys) return "READONLY Can not run script with write flag on readonly replica";
            String disk = dispatcher.writeDenied();
            if (disk != null && !obeys) {
                return disk.startsWith("MISCONF Errors writing to the AOF file")
                        ? "MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. "
                                + "Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: "
                                + disk.substring(disk.indexOf(": ") + 2)
                        : "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. "
                                + "Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";
            }
            if (ro) return "ERR Can not execute a script with write flag using *_ro command.";
            if (role.notEnoughReplicas()) return "NOREPLICAS Not enough good replicas to write.";
        }
        if ((flags & (ScriptCache.ALLOW_OOM | ScriptCache.NO_WRITES)) == 0 && outOfMemory()) {
            return "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";
        }
        return null;
    }

    private boolean outOfMemory() {
        Eviction e = keyspace.eviction();
        return e.maxmemory() != 0 && e.perform() == Eviction.FAIL;
    }

    /** Runs a script with every shard locked, writes its reply into {@code out}, publishes its effects. */
    private void run(Client caller, Call call, RespWriter out) {
        boolean oom = !call.allowOom() && !caller.kind().obeys() && outOfMemory();
        keyspace.lockAll();
        runLocked(caller, call, out, oom, false);
    }

    /** {@link #run} with every shard already locked by this thread; unlocks them. */
    private void runLocked(Client caller, Call call, RespWriter out, boolean oom, boolean inline) {
        Run r;
        try {
            Client e = engineClient;
            if (e == null) engineClient = e = engineClients.get();
            r = new Run(caller, e, call, oom);
            r.inline = inline;
            current = r;
            e.db(caller.db());
            e.resp3(false);
            e.inExec(true);
            e.executing(true);
            LuaEngine.Result result;
            try {
                result = call.inv().run(call.keys(), call.argv(), r);
            } finally {
                e.inExec(false);
                e.executing(false);
                current = null;
                ran(call.name(), System.nanoTime() - r.start);
            }
            if (result.error() != null) {
                out.error(result.error());
                if (!result.errorCounted()) stats.error(result.error());
            } else {
                LuaReplies.write(out, result.value(), r.resp, 0, (msg, counted) -> {
                    if (!counted) stats.error(msg);
                });
            }
            // still under every lock: the script's effects as one unit
            propagation.scriptDone(caller, e);
        } finally {
            keyspace.unlockAll();
        }
        if (r.timedOut) Log.notice("Slow script finished: " + call.name());
        if (!caller.inExec()) dispatcher.blocking().serveReady();
    }

    // ---------------------------------------------------------------- one run

    /** Redis's scriptRunCtx: one script's state while it runs, and the host of its redis.call. */
    private final class Run implements LuaEngine.Host {
        final Client caller;
        final Client engineClient;
        final String sha;
        final boolean evalMode;
        final byte[][] command;
        final boolean readOnly;
        final boolean allowOom;
        final boolean oomAtStart;
        /** The cluster checks of its commands (scriptVerifyClusterState); null in standalone mode. */
        final Router.ScriptScope scope;
        final long start = System.nanoTime();
        final Thread runner = Thread.currentThread();
        final ByteBuf replies = Unpooled.buffer(256);
        int resp = 2;
        int repl = 3;
        volatile boolean writeDirty;
        volatile boolean killed;
        volatile boolean timedOut;
        /** Running on a client's event loop (a proven-short script), not the scripting thread. */
        boolean inline;

        Run(Client caller, Client engineClient, Call call, boolean oomAtStart) {
            this.caller = caller;
            this.engineClient = engineClient;
            this.sha = call.name();
            this.evalMode = call.evalMode();
            this.command = call.command();
            this.readOnly = call.readOnly();
            this.allowOom = call.allowOom();
            this.oomAtStart = oomAtStart;
            this.scope = call.scope();
        }

        /** Past busy-reply-threshold (logged once, as Redis's "Slow script detected"). */
        boolean timedOut() {
            if (timedOut) return true;
            long limit = busyMillis;
            if (limit <= 0 || System.nanoTime() - start < limit * 1_000_000L) return false;
            synchronized (this) {
                if (!timedOut) {
                    timedOut = true;
                    Log.warning("Slow script detected: still in execution after " + (System.nanoTime() - start) / 1_000_000
                            + " milliseconds. You can try killing the script using the " + (evalMode ? "SCRIPT KILL" : "FUNCTION KILL")
                            + " command. Script name is: " + sha + ".");
                }
            }
            return true;
        }

        @Override
        public boolean interrupted() {
            timedOut();
            return killed;
        }

        @Override
        public Thread thread() { return runner; }

        @Override
        public void resp(int protocol) {
            resp = protocol;
            engineClient.resp3(protocol == 3);
        }

        @Override
        public void repl(int flags) { repl = flags; }

        @Override
        public Boolean aclCheck(Varargs a) {
            byte[][] argv = argv(a);
            if (argv == null) return null;
            RespRequest req = RespRequest.of(argv);
            CommandSpec spec = dispatcher.lookupForScript(req);
            if (spec == null) return null;
            return dispatcher.acl().allowed(caller.user(), spec, req);
        }

        /** Redis's luaArgsToRedisArgv: numbers as "%.17g", strings as their bytes; null for anything else. */
        private byte[][] argv(Varargs a) {
            int argc = a.narg();
            byte[][] argv = new byte[argc][];
            for (int i = 0; i < argc; i++) {
                LuaValue v = a.arg(i + 1);
                if (v.type() == LuaValue.TNUMBER) {
                    // not Lua's "%.14g", which loses precision
                    argv[i] = Doubles.format17g(v.todouble()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                } else if (v.type() == LuaValue.TSTRING) {
                    LuaString s = v.checkstring();
                    argv[i] = new byte[s.m_length];
                    s.copyInto(0, argv[i], 0, s.m_length);
                } else {
                    return null;
                }
            }
            return argv;
        }

        /** Redis's luaRedisGenericCommand + scriptCall: the checks, the call, the reply as Lua. */
        @Override
        public LuaValue call(Varargs a) {
            int argc = a.narg();
            if (argc == 0) return LuaReplies.errorTable("Please specify at least one argument for this redis lib call");
            byte[][] argv = argv(a);
            if (argv == null) return LuaReplies.errorTable("Lua redis lib command arguments must be strings or integers");
            RespRequest req = RespRequest.of(argv);
            CommandSpec spec = dispatcher.lookupForScript(req);
            String refused = check(spec, argc, req);
            if (refused != null) return rejected(spec, refused);
            // set before the cluster check, as scriptCall: a write refused there still makes the
            // script unkillable and skips the first-write checks of its later writes
            if (spec.is(CommandFlags.WRITE)) writeDirty = true;
            CommandContext cmd = dispatcher.scriptContext(engineClient, spec, req);
            Router.ScriptScope s = scope;
            if (s != null && (refused = s.check(cmd)) != null) return rejected(spec, refused);
            ByteBuf buf = replies;
            buf.clear();
            engineClient.out().target(buf);
            engineClient.beginReply();
            int before = propagation.scriptEffects(engineClient);
            dispatcher.callFromScript(engineClient, cmd);
            if ((repl & 3) == 0) propagation.dropScriptEffects(engineClient, before);
            return LuaReplies.parse(buf);
        }

        /**
         * scriptCall's error path: the error as a Lua error table (its stats counted here, not
         * again when the script's error is replied), the command's rejected call counted.
         */
        private LuaTable rejected(CommandSpec spec, String refused) {
            LuaTable err = LuaReplies.errorTable(refused);
            err.rawset(LuaReplies.IGNORE_STATS, LuaValue.TRUE);
            stats.error(err.rawget(LuaReplies.ERR).tojstring());
            if (spec != null) spec.rejectedCalls.increment();
            return err;
        }

        /** scriptCall's checks, in its order: the error text, or null. */
        private String check(CommandSpec spec, int argc, RespRequest req) {
            if (spec == null) return "Unknown Redis command called from script";
            if (!spec.arityOk(argc)) return "Wrong number of args calling Redis command from script";
            if (spec.is(CommandFlags.NOSCRIPT)) return "This Redis command is not allowed from script";
            ReplicaRole role = dispatcher.replicaRole();
            if (role.staleDenied() && !spec.is(CommandFlags.STALE)) return "Can not execute the command on a stale replica";
            // Redis's scriptVerifyACL: the script runs as its caller's user
            io.basalt.server.acl.AclUser user = caller.user();
            if (user != null && !user.unrestricted()) {
                io.basalt.server.acl.Acl acl = dispatcher.acl();
                long denied = acl.check(user, spec, req, null);
                if (denied != 0) {
                    int reason = (int) (denied >>> 32);
                    acl.logDenied(caller, caller, reason, io.basalt.server.acl.Acl.CTX_LUA, spec, req, (int) denied);
                    return io.basalt.server.acl.Acl.scriptError(reason);
                }
            }
            if (readOnly && spec.is(CommandFlags.WRITE | CommandFlags.MAY_REPLICATE)) return "Write commands are not allowed from read-only scripts.";
            if (spec.is(CommandFlags.WRITE) && !writeDirty) {
                if (role.readOnly() && !caller.kind().obeys()) return "-READONLY You can't write against a read only replica.";
                String disk = dispatcher.writeDenied();
                if (disk != null) return "-" + disk;
                if (role.notEnoughReplicas()) return "-NOREPLICAS Not enough good replicas to write.";
            }
            if (!allowOom && oomAtStart && !writeDirty && spec.is(CommandFlags.DENYOOM)) {
                return "-OOM command not allowed when used memory > 'maxmemory'.";
            }
            return null;
        }
    }
}
