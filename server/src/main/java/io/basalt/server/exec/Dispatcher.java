package io.basalt.server.exec;

import io.basalt.data.Keyspace;
import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.acl.Acl;
import io.basalt.server.blocking.Blocking;
import io.basalt.server.client.Client;
import io.basalt.server.client.ClientPause;
import io.basalt.server.command.CommandFlags;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.util.Log;

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
    private final int shardMask;
    private final Blocking blocking;
    private final Propagation propagation;
    /** The RDB/AOF rules for writes (MISCONF, the rewrite's serialize-before-write). */
    private final PersistenceGate persistence;
    /** The ACL users' permission checks. */
    private final Acl acl;
    /** Client-side caching's steps around each command. */
    private final CommandHooks hooks;
    /** Cluster redirects; null in standalone mode, where routing costs one null check. */
    private volatile Router router;
    /** Whether this server is a replica that refuses writes or stale reads. */
    private volatile ReplicaRole role = ReplicaRole.MASTER;
    /** A script running past busy-reply-threshold (null: scripting is not installed). */
    private volatile Busy busy;

    public Dispatcher(BasaltServer server, PersistenceGate persistence, CommandHooks hooks) {
        this.server = server;
        this.persistence = persistence;
        this.hooks = hooks;
        this.table = server.commands();
        this.acl = server.acl();
        this.keyspace = server.keyspace();
        this.shardMask = keyspace.shardCount() - 1;
        this.propagation = server.propagation();
        this.blocking = new Blocking(keyspace, persistence, propagation, server.stats());
    }

    /** The ACL checks (scripts check their commands with them). */
    public Acl acl() { return acl; }

    /** The clients blocked by BLPOP & co. */
    public Blocking blocking() { return blocking; }

    /** Installs the router of cluster mode (null: standalone, nothing is redirected). */
    public void router(Router r) { this.router = r; }

    /** The router of cluster mode, null in standalone mode. */
    public Router router() { return router; }

    /** Installs the source of -BUSY (scripting). */
    public void busy(Busy b) { this.busy = b; }

    /** Installs what a replica refuses (read-only, stale data). */
    public void replicaRole(ReplicaRole r) { this.role = r; }

    /** What this server's replication role refuses (scripts check it for their commands). */
    public ReplicaRole replicaRole() { return role; }

    /** Why writes are refused now (MISCONF), or null. */
    public String writeDenied() { return persistence.writeDenied(); }

    /**
     * Runs one client command after Redis's {@code processCommand} checks, in its order: lookup
     * (unknown command / subcommand), arity, authentication, RESP2 subscribed mode, a MONITOR's
     * keyspace ban, then CLIENT PAUSE. A command held
     * back by a pause is not run: the client is told to {@link Client#defer() defer} it.
     */
    public void dispatch(Client c, RespRequest req) {
        hooks.beforeCommand(c);
        CommandSpec spec = process(c, req);
        hooks.afterCommand(c);
        // a command held back by CLIENT PAUSE has not run yet: it comes back whole, as Redis's
        // postponed client is not reset until its command runs
        Router r = router;
        if (r != null && !c.deferred()) r.afterCommand(c, spec);
    }

    /** The checks and the call; returns the command looked up (null: unknown). */
    private CommandSpec process(Client c, RespRequest req) {
        ExecState x = ExecState.of(c);
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
            return null;
        }
        CommandSpec spec = table.lookup(req, 0);
        if (spec == null) {
            ExecState.flagTransaction(c);
            unknownCommand(c, req);
            return null;
        }
        if (spec.isContainer() && req.argc() >= 2) {
            CommandSpec sub = table.lookupSub(spec, req);
            if (sub == null) {
                ExecState.flagTransaction(c);
                unknownSubcommand(c, req);
                return null;
            }
            spec = sub;
        }
        c.lookedUp(spec.name, spec.bits);
        if (!spec.arityOk(req.argc()) || spec.handler() == null) {
            reject(c, spec, "ERR wrong number of arguments for '" + spec.name + "' command");
            return spec;
        }
        if (!c.authenticated() && !spec.is(CommandFlags.NO_AUTH) && acl.authRequired(c)) {
            reject(c, spec, "NOAUTH Authentication required.");
            return spec;
        }
        if (x.multi != null && spec.is(CommandFlags.NO_MULTI)) {
            reject(c, spec, "ERR Command not allowed inside a transaction");
            return spec;
        }
        // the keys, their slots and shards, found once for routing, locking, propagation and ACLs
        CommandContext cmd = x.context.of(spec, req, shardMask);
        // Redis's ACLCheckAllPerm: a user allowed everything (the default one) costs one read
        io.basalt.server.acl.AclUser user = c.user();
        if (user != null && !user.unrestricted()) {
            long denied = acl.check(user, spec, req, cmd);
            if (denied != 0) {
                int reason = (int) (denied >>> 32);
                acl.logDenied(c, c, reason, x.multi != null ? Acl.CTX_MULTI : Acl.CTX_TOPLEVEL, spec, req, (int) denied);
                reject(c, spec, Acl.noPermError(reason, spec));
                return spec;
            }
        }
        Router r = router;
        if (r != null && !c.kind().obeys()) {
            String redirect = r.route(c, cmd, queuedFor(c, spec));
            if (redirect != null) {
                redirect(c, spec, redirect);
                return spec;
            }
        }
        if (outOfMemory(c, spec)) {
            reject(c, spec, "OOM command not allowed when used memory > 'maxmemory'.");
            return spec;
        }
        // Redis's writeCommandsDeniedByDiskError: the last BGSAVE failed (with
        // stop-writes-on-bgsave-error) or the AOF cannot be written, so no write is accepted
        // that could not be persisted (the acknowledged data stays as it is)
        // (a replica's master is obeyed regardless: Redis only logs it)
        String diskError = persistence.writeDenied();
        boolean write = spec.is(CommandFlags.WRITE) || execHas(c, spec, CommandFlags.WRITE);
        if (diskError != null && !c.kind().obeys() && (write || spec.is(CommandFlags.PING))) {
            reject(c, spec, diskError);
            return spec;
        }
        ReplicaRole replica = role;
        if (write && replica.notEnoughReplicas()) {
            reject(c, spec, "NOREPLICAS Not enough good replicas to write.");
            return spec;
        }
        if (write && !c.kind().obeys() && replica.readOnly()) {
            reject(c, spec, "READONLY You can't write against a read only replica.");
            return spec;
        }
        if (c.subscribed() && !c.resp3() && !spec.is(CommandFlags.SUBSCRIBED_OK)) {
            // Redis's RESP2 subscribed mode: the connection only carries Pub/Sub traffic
            reject(c, spec, "ERR Can't execute '" + spec.name + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
                    + "are allowed in this context");
            return spec;
        }
        // replica-serve-stale-data no, the link to the master down: only "stale" commands run
        if (replica.staleDenied() && (!spec.is(CommandFlags.STALE) || execNotAll(c, spec, CommandFlags.STALE))) {
            reject(c, spec, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
            return spec;
        }
        if (c.monitor() && spec.is(CommandFlags.WRITE | CommandFlags.READONLY | CommandFlags.MAY_REPLICATE)) {
            // a monitor is a replica to Redis, and replicas may not touch the keyspace
            reject(c, spec, "ERR Replica can't interact with the keyspace");
            return spec;
        }
        // Redis's loading check: while the data files load, only commands flagged "loading" run
        // (an EXEC only if all it queued are); the AOF replay itself obeys
        if (server.loadingData() && !c.kind().obeys() && denyWhileLoading(c, spec)) {
            reject(c, spec, "LOADING Redis is loading the dataset in memory");
            return spec;
        }
        // a script running past busy-reply-threshold: only allow_busy commands (SCRIPT KILL,
        // SHUTDOWN NOSAVE, the transaction commands...) run, as Redis's processCommand
        Busy b = busy;
        if (b != null && !spec.is(CommandFlags.ALLOW_BUSY)) {
            String error = b.busyError();
            if (error != null) {
                reject(c, spec, error);
                return spec;
            }
        }
        // replicas, and so monitors, are never paused; nor is what obeys (the AOF, the master)
        if (!c.monitor() && !c.kind().obeys() && holdsForPause(c, spec)) {
            c.defer();
            return spec;
        }
        if (x.multi != null && !spec.is(CommandFlags.TRANSACTION_CONTROL)) {
            // Redis's queueMultiCommand: the command runs at EXEC
            x.multi.queue(cmd, r != null);
            c.out().simple("QUEUED");
            return spec;
        }
        call(c, cmd);
        return spec;
    }

    /** For EXEC, the commands it would run (the router checks them as one); else null. */
    private static java.util.List<CommandContext> queuedFor(Client c, CommandSpec spec) {
        Transaction t = ExecState.of(c).multi;
        return spec.is(CommandFlags.EXEC) && t != null ? t.commands : null;
    }

    /**
     * Redis's clusterRedirectClient in processCommand: a redirected EXEC discards the
     * transaction (no EXECABORT), any other command flags it; counted as a rejected call.
     */
    private void redirect(Client c, CommandSpec spec, String error) {
        spec.rejectedCalls.increment();
        if (spec.is(CommandFlags.EXEC)) ExecState.discardTransaction(c);
        else ExecState.flagTransaction(c);
        c.error(error);
    }

    private static boolean denyWhileLoading(Client c, CommandSpec spec) {
        if (!spec.is(CommandFlags.LOADING)) return true;
        return execNotAll(c, spec, CommandFlags.LOADING);
    }

    /** An EXEC whose queue holds a command with {@code flag}. */
    private static boolean execHas(Client c, CommandSpec spec, int flag) {
        Transaction t = ExecState.of(c).multi;
        return spec.is(CommandFlags.EXEC) && t != null && t.any(flag);
    }

    /** An EXEC whose queue holds a command without {@code flag}. */
    private static boolean execNotAll(Client c, CommandSpec spec, int flag) {
        Transaction t = ExecState.of(c).multi;
        return spec.is(CommandFlags.EXEC) && t != null && t.notAll(flag);
    }

    /**
     * Redis's maxmemory step of processCommand: evicts what the policy allows (before the
     * command's shards are locked, as Redis evicts before it executes), then tells whether the
     * command must be refused: a denyoom command, an EXEC of a queued denyoom command, or
     * anything but EXEC/DISCARD/QUIT/RESET inside MULTI (queuing would grow without bound).
     * During a CLIENT PAUSE nothing is evicted and nothing refused (isSafeToPerformEvictions).
     */
    private boolean outOfMemory(Client c, CommandSpec spec) {
        io.basalt.data.Eviction eviction = keyspace.eviction();
        if (eviction.maxmemory() == 0 || server.pause().type() != ClientPause.NONE) return false;
        boolean oom = eviction.perform() == io.basalt.data.Eviction.FAIL;
        if (!oom) return false;
        if (spec.is(CommandFlags.DENYOOM)) return true;
        if (spec.is(CommandFlags.EXEC)) return execHas(c, spec, CommandFlags.DENYOOM);
        return ExecState.inMulti(c) && !spec.is(CommandFlags.OOM_EXEMPT_IN_MULTI);
    }

    /**
     * Redis's rejectCommand: the error, counted as a rejected call, and a doomed transaction. A
     * rejected EXEC ends the transaction, with the reason inside the EXECABORT error.
     */
    private void reject(Client c, CommandSpec spec, String error) {
        spec.rejectedCalls.increment();
        ExecState.flagTransaction(c);
        if (spec.is(CommandFlags.EXEC)) { // even outside MULTI, as in Redis
            ExecState.discardTransaction(c);
            String reason = error.startsWith("ERR ") ? error.substring(4) : error;
            c.error("EXECABORT Transaction discarded because of: " + reason);
            return;
        }
        c.error(error);
    }

    /**
     * CLIENT PAUSE: a paused write is held back when issued, whether it would run or be queued;
     * an EXEC is a write if it holds one.
     */
    private boolean holdsForPause(Client c, CommandSpec spec) {
        ClientPause pause = server.pause();
        if (pause.type() == ClientPause.NONE) return false;
        if (pause.holds(spec.is(CommandFlags.PAUSED_BY_WRITE))) return true;
        return execHas(c, spec, CommandFlags.WRITE);
    }

    /** Runs a command that passed every check: locks its keys' shards, calls it, records stats. */
    void call(Client c, CommandContext cmd) {
        CommandSpec spec = cmd.spec();
        RespRequest req = cmd.request();
        c.touched(spec.name, spec.bits);
        c.resetErrorFlag();
        long start = System.nanoTime();
        // while it runs, messages published to this client go straight into its output (before
        // its reply); the commands of an EXEC run inside the EXEC's own call
        boolean nested = c.executing();
        c.executing(true);
        long dirtyBefore = c.dirtyCount();
        // handlers find their keys' shards from the slots hashed here (ExecState.runningSlot)
        CommandContext outer = ExecState.RUNNING.get();
        ExecState.RUNNING.set(cmd);
        boolean ran = true;
        try {
            ran = run(c, cmd);
        } catch (BusyWait e) {
            // its shards are held by a script that went past busy-reply-threshold meanwhile
            c.error(e.getMessage());
            ran = false;
        } catch (RuntimeException | StackOverflowError e) {
            // a bug must cost one command, never the connection or the server
            Log.warning("Command " + spec.name + " failed: " + e);
            c.error("ERR internal error while executing '" + spec.name + "': " + e.getClass().getSimpleName());
        } finally {
            ExecState.RUNNING.set(outer);
            c.executing(nested);
        }
        // invalidations of keys this client tracks and just changed: after its reply (after the
        // whole EXEC for a transaction), as Redis's trackingHandlePendingKeyInvalidations
        if (!nested) hooks.afterCall(c);
        if (!ran) { // redirected with its keys locked (ASK, TRYAGAIN): rejected, as in processCommand
            spec.rejectedCalls.increment();
            return;
        }
        long micros = (System.nanoTime() - start) / 1000;
        spec.calls.increment();
        spec.usec.add(micros);
        if (c.errorReplied()) spec.failedCalls.increment();
        // Redis's server.dirty: what the command changed (a write that changed nothing, such as
        // SETBIT of a bit to its value or PERSIST of a key without a TTL, counts nothing). The
        // commands of an EXEC, and of a script (on its engine client), count themselves: the
        // EXEC does not count them again
        if (!spec.is(CommandFlags.EXEC)) {
            long changed = c.dirtyCount() - dirtyBefore;
            if (changed > 0) server.stats().dirty.add(changed);
        }
        server.stats().commandsProcessed.increment();
        server.afterCommand(c, spec, req, micros);
        // after the locks are released and outside the command's time, as Redis's
        // handleClientsBlockedOnKeys: serve the clients blocked on the keys it created (after the
        // whole transaction for the commands of an EXEC, which still holds its locks)
        if (!nested) {
            try {
                blocking.serveReady();
            } catch (RuntimeException e) {
                Log.warning("Serving blocked clients after " + spec.name + " failed: " + e);
            }
        }
    }

    // ---------------------------------------------------------------- EXEC

    /**
     * EXEC: runs the queued commands as one atomic step. The shards of every key the commands
     * and the watched keys name are locked first, in ascending order (all of them if a command
     * works on the whole keyspace, such as FLUSHALL, KEYS or SORT with patterns), and held until
     * the last command is done, so no other client sees part of the transaction; the commands
     * themselves relock their shards reentrantly. Commands that are not in a transaction never
     * take more than their own shards.
     */
    public void exec(Client c) {
        Transaction t = ExecState.of(c).multi;
        if (t == null) {
            c.error("ERR EXEC without MULTI");
            return;
        }
        int[] shards = execShards(c, t);
        try {
            lockShards(shards, shards.length);
        } catch (BusyWait e) {
            reject(c, table.get("exec"), e.getMessage());
            return;
        }
        try {
            if (server.watches().anyExpired(c)) ExecState.of(c).dirtyCas = true;
            if (t.aborted) {
                ExecState.discardTransaction(c);
                c.error("EXECABORT Transaction discarded because of previous errors.");
                return;
            }
            if (ExecState.of(c).dirtyCas) {
                ExecState.discardTransaction(c);
                c.out().nullArray();
                return;
            }
            Router r = router;
            if (r != null && !c.kind().obeys()) {
                String redirect = r.confirmLocked(c, ExecState.of(c).context, t.commands);
                if (redirect != null) {
                    ExecState.discardTransaction(c);
                    c.error(redirect);
                    return;
                }
            }
            server.watches().unwatchAll(c);
            c.inExec(true);
            try {
                c.out().array(t.size());
                for (CommandContext queued : t.commands) {
                    // Redis's execCommand checks the ACL again: the rules may have changed since
                    io.basalt.server.acl.AclUser user = c.user();
                    long denied = user == null || user.unrestricted() ? 0 : acl.check(user, queued.spec(), queued.request(), queued);
                    if (denied != 0) {
                        int reason = (int) (denied >>> 32);
                        acl.logDenied(c, c, reason, Acl.CTX_MULTI, queued.spec(), queued.request(), (int) denied);
                        c.error(Acl.execNoPermError(reason));
                        continue;
                    }
                    call(c, queued);
                }
                // still under the transaction's locks: its effects as one MULTI ... EXEC unit
                propagation.execDone(c);
            } finally {
                c.inExec(false);
                ExecState.discardTransaction(c);
            }
        } finally {
            for (int i = shards.length - 1; i >= 0; i--) keyspace.shard(shards[i]).unlock();
        }
    }

    /** The distinct shards an EXEC locks, ascending. */
    private int[] execShards(Client c, Transaction t) {
        java.util.BitSet set = new java.util.BitSet(keyspace.shardCount());
        for (CommandContext q : t.commands) {
            if (q.anyKey()) {
                set.set(0, keyspace.shardCount());
                break;
            }
            for (int i = 0; i < q.shardCount(); i++) set.set(q.shard(i));
        }
        for (Watches.WatchedKey w : ExecState.of(c).watched) set.set(io.basalt.data.Slots.slot(w.key) & shardMask);
        return set.stream().toArray();
    }

    /** Locks the command's shards and executes it; false when the router redirected it instead. */
    private boolean run(Client c, CommandContext cmd) {
        CommandSpec spec = cmd.spec();
        int n = cmd.shardCount();
        if (n == 0) {
            if (spec.is(CommandFlags.WRITE) && propagation.stream().active()) {
                // FLUSHALL, SWAPDB & co.: every shard stays locked until the effect is published,
                // so the stream orders them exactly as they ran against other clients' writes
                lockShards(null, keyspace.shardCount());
                try {
                    for (int i = 0; i < keyspace.shardCount(); i++) persistence.beforeWrite(keyspace.shard(i));
                    // a keyless write propagates unless it failed, whether or not it counted a change
                    long dirty = c.dirtyCount();
                    propagation.begin(c);
                    spec.handler().execute(c, cmd.request());
                    propagation.afterCommand(c, spec, cmd.request(), c.errorReplied() ? c.dirtyCount() : dirty - 1);
                } finally {
                    keyspace.unlockAll();
                }
            } else {
                execute(c, cmd);
            }
            return true;
        }
        if (spec.is(CommandFlags.SCRIPT)) {
            // the script locks every shard itself, on the thread it runs on; in cluster mode what
            // depends on which declared keys exist (ASK, TRYAGAIN) is decided first, with their
            // shards held for the check (inside EXEC the EXEC decided it for its whole queue);
            // a stable slot needs no check, and no wait for the shards a running script holds
            Router r = router;
            if (r != null && !c.kind().obeys() && !c.inExec() && !r.settled(c, cmd)) {
                String redirect;
                lockShards(cmd, n);
                try {
                    redirect = r.confirmLocked(c, cmd, null);
                } finally {
                    for (int i = n - 1; i >= 0; i--) keyspace.shard(cmd.shard(i)).unlock();
                }
                if (redirect != null) {
                    c.error(redirect);
                    return false;
                }
            }
            execute(c, cmd);
            return true;
        }
        lockShards(cmd, n);
        try {
            Router r = router;
            if (r != null && !c.kind().obeys() && !c.inExec()) {
                String redirect = r.confirmLocked(c, cmd, null);
                if (redirect != null) {
                    c.error(redirect);
                    return false;
                }
            }
            if (spec.is(CommandFlags.WRITE)) {
                for (int i = 0; i < n; i++) persistence.beforeWrite(keyspace.shard(cmd.shard(i)));
            }
            execute(c, cmd);
            return true;
        } finally {
            for (int i = n - 1; i >= 0; i--) keyspace.shard(cmd.shard(i)).unlock();
        }
    }

    /**
     * Locks {@code n} shards in ascending order: {@code shards[i]}, the context's shards, or all
     * of them (both null). While a script holds them past busy-reply-threshold, gives up (the
     * ones taken are released) with {@link BusyWait}, so an event loop never waits for a script
     * that may never end: its clients get -BUSY and SCRIPT KILL can reach the server.
     */
    private void lockShards(Object shards, int n) {
        for (int i = 0; i < n; i++) {
            int s = shards == null ? i : shards instanceof int[] a ? a[i] : ((CommandContext) shards).shard(i);
            io.basalt.data.Shard shard = keyspace.shard(s);
            if (shard.tryLock()) continue;
            Busy b = busy;
            if (b == null) {
                shard.lock();
                continue;
            }
            while (!shard.tryLock(1_000_000L)) {
                String error = b.busyError();
                if (error != null) {
                    for (int k = i - 1; k >= 0; k--) {
                        keyspace.shard(shards == null ? k : shards instanceof int[] a ? a[k] : ((CommandContext) shards).shard(k)).unlock();
                    }
                    throw new BusyWait(error);
                }
            }
        }
    }

    /**
     * Every shard locked, for a script run inline on an event loop; or, while another script
     * holds them past busy-reply-threshold, the -BUSY error (nothing locked), as any command gets.
     */
    public String lockAllUnlessBusy() {
        try {
            lockShards(null, keyspace.shardCount());
            return null;
        } catch (BusyWait e) {
            return e.getMessage();
        }
    }

    /** A lock wait given up because a script went busy: the error is the command's reply. */
    private static final class BusyWait extends RuntimeException {
        BusyWait(String error) { super(error, null, false, false); }
    }

    /**
     * The handler, with the command's shards locked; its effect published under the same locks;
     * then, for a tracking client's read, the keys it may now cache are remembered (a write to
     * them cannot come between).
     */
    private void execute(Client c, CommandContext cmd) {
        CommandSpec spec = cmd.spec();
        long dirty = c.dirtyCount();
        propagation.begin(c);
        spec.handler().execute(c, cmd.request());
        propagation.afterCommand(c, spec, cmd.request(), dirty);
        if (spec.is(CommandFlags.READONLY)) hooks.afterRead(c, cmd);
    }

    // ---------------------------------------------------------------- commands from scripts

    /** Redis's lookupCommand for a script's command: the command or its subcommand, null if unknown. */
    public CommandSpec lookupForScript(RespRequest req) {
        return table.lookupAt(req, 0);
    }

    /**
     * Runs a command a script issued (Redis's call from scriptCall), after the script's checks,
     * on the script's engine client, with every shard already locked by the script.
     */
    public void callFromScript(Client engine, CommandContext cmd) {
        engine.lookedUp(cmd.spec().name, cmd.spec().bits);
        call(engine, cmd);
    }

    /**
     * The keys, slots and shards of a command a script issues, in the engine client's reused
     * context: what the cluster checks read, then {@link #callFromScript} runs.
     */
    public CommandContext scriptContext(Client engine, CommandSpec spec, RespRequest req) {
        return ExecState.of(engine).context.of(spec, req, shardMask);
    }

    /**
     * The context of the command {@code c} is executing on this thread (the EVAL or FCALL a
     * script was invoked by, a queued one inside EXEC), or null.
     */
    public static CommandContext running() { return ExecState.RUNNING.get(); }

    /** Inside EXEC: the commands of {@code c}'s transaction (EXEC checks them as one); else null. */
    public static java.util.List<CommandContext> transaction(Client c) {
        Transaction t = ExecState.of(c).multi;
        return t == null ? null : t.commands;
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
