package io.basalt.server.exec;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.module.ServerModule;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What each write propagates, and the only caller of {@link EffectStream#publish}: Redis's
 * {@code propagatePendingCommands} / {@code alsoPropagate} / {@code propagateDeletion}. A command
 * that changed something propagates itself as sent, unless its handler gave the deterministic
 * form with {@link Client#propagate} (SET ... PXAT for SET EX, SREM for SPOP); the keys a
 * command found expired go before its own records; several records of one command, and the
 * commands of an EXEC, go out as one MULTI ... EXEC unit. Everything is published with the
 * writes' shard locks still held, so the stream's order is the execution order.
 *
 * <p>The per-command state (records given by the handler, expired keys found, an EXEC's
 * records) lives in the {@link Client}; the command running on a thread is known here so that a
 * key expiring under it is logged with it.
 */
public final class Propagation implements ServerModule {
    private static final byte[] MULTI = "MULTI".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXEC = "EXEC".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNLINK = "UNLINK".getBytes(StandardCharsets.US_ASCII);

    private final EffectStream stream;
    /** Whether a data file is loading (nothing propagates then). */
    private final PersistenceGate persistence;
    private final ThreadLocal<Client> running = new ThreadLocal<>();
    private volatile boolean lazyExpire;
    private volatile boolean lazyEviction;

    public Propagation(EffectStream stream, PersistenceGate persistence) {
        this.stream = stream;
        this.persistence = persistence;
    }

    @Override
    public void bind(io.basalt.server.config.Config config) {
        config.bind("lazyfree-lazy-expire", v -> lazyExpire = v.equals("yes"));
        config.bind("lazyfree-lazy-eviction", v -> lazyEviction = v.equals("yes"));
    }

    public EffectStream stream() { return stream; }

    /** Before a command runs (its shards locked): keys it finds expired are logged with it. */
    void begin(Client c) {
        if (stream.active()) running.set(c);
    }

    /**
     * After a command ran, its shards still locked: publishes what it propagates. A write whose
     * dirty count moved past {@code dirtyBefore} propagates itself unless its handler gave records;
     * inside EXEC the records wait for the end of the transaction.
     */
    void afterCommand(Client c, CommandSpec spec, RespRequest req, long dirtyBefore) {
        List<byte[][]> own = c.takePropagated();
        boolean forced = c.takeForceReplication();
        ExecState x = ExecState.of(c);
        if (!stream.active()) {
            x.expiredEffects = null;
            return;
        }
        running.remove();
        List<Effect> expired = x.expiredEffects;
        if (expired != null) x.expiredEffects = null;
        if (!c.kind().propagates()) return;
        boolean changed = spec.write && c.dirtyCount() != dirtyBefore;
        boolean itself = own == null && (changed || forced);
        // a read, or a write that changed nothing, publishes nothing: no list for it
        if (expired == null && own == null && !itself) return;
        List<Effect> rs = expired == null ? new ArrayList<>(2) : expired;
        if (own != null) {
            for (byte[][] r : own) rs.add(new Effect(c.db(), r));
        } else if (itself) {
            byte[][] argv = new byte[req.argc()][];
            for (int i = 0; i < argv.length; i++) argv[i] = req.bytes(i);
            rs.add(new Effect(c.db(), argv, forced && !changed));
        }
        if (rs.isEmpty()) return;
        if (c.inExec()) {
            x.execEffects.addAll(rs);
            return;
        }
        // several records of one command (keys it found expired, SREM batches) replay atomically
        c.lastWriteSeq(stream.publish(rs.size() == 1 ? rs : wrap(rs)));
    }

    /** A blocked client served by another client's write, the locks still held: its pop's records. */
    public void served(Client c) {
        List<byte[][]> own = c.takePropagated();
        if (!stream.active() || own == null || own.isEmpty() || !c.kind().propagates()) return;
        List<Effect> rs = new ArrayList<>(own.size());
        for (byte[][] r : own) rs.add(new Effect(c.db(), r));
        c.lastWriteSeq(stream.publish(rs.size() == 1 ? rs : wrap(rs)));
    }

    /** The end of an EXEC, its locks still held: its records as one MULTI ... EXEC unit. */
    void execDone(Client c) {
        ExecState x = ExecState.of(c);
        List<Effect> rs = x.execEffects;
        if (rs.isEmpty()) return;
        x.execEffects = new ArrayList<>();
        if (!stream.active() || !c.kind().propagates()) return;
        c.lastWriteSeq(stream.publish(rs.size() == 1 ? rs : wrap(rs)));
    }

    /** How many effects a running script's commands collected so far (on its engine client). */
    public int scriptEffects(Client engine) { return ExecState.of(engine).execEffects.size(); }

    /** Forgets the effects a script's commands collected after the first {@code n} (redis.set_repl). */
    public void dropScriptEffects(Client engine, int n) {
        List<Effect> rs = ExecState.of(engine).execEffects;
        while (rs.size() > n) rs.remove(rs.size() - 1);
    }

    /**
     * The end of a script, every shard still locked: the effects of its commands (Redis 7.0
     * replicates effects, never the script) as one MULTI ... EXEC unit, or inside the caller's
     * own EXEC when the script ran in a transaction.
     */
    public void scriptDone(Client caller, Client engine) {
        ExecState e = ExecState.of(engine);
        List<Effect> rs = e.execEffects;
        if (rs.isEmpty()) return;
        e.execEffects = new ArrayList<>();
        if (!stream.active() || !caller.kind().propagates()) return;
        if (caller.inExec()) {
            ExecState.of(caller).execEffects.addAll(rs);
            return;
        }
        caller.lastWriteSeq(stream.publish(rs.size() == 1 ? rs : wrap(rs)));
    }

    private static List<Effect> wrap(List<Effect> rs) {
        List<Effect> all = new ArrayList<>(rs.size() + 2);
        all.add(new Effect(rs.get(0).db(), new byte[][] {MULTI}));
        all.addAll(rs);
        all.add(new Effect(-1, new byte[][] {EXEC}));
        return all;
    }

    /**
     * A key removed by lazy or active expiry, under its shard lock: DEL, or UNLINK with
     * lazyfree-lazy-expire, as Redis's deleteExpiredKeyAndPropagate. Found by a command, it goes
     * out with (before) that command's own records.
     */
    public void expired(int db, byte[] key) {
        if (!stream.active() || loading()) return;
        Effect e = new Effect(db, new byte[][] {lazyExpire ? UNLINK : DEL, key});
        Client c = running.get();
        if (c != null) {
            ExecState x = ExecState.of(c);
            if (x.expiredEffects == null) x.expiredEffects = new ArrayList<>(2);
            x.expiredEffects.add(e);
            return;
        }
        stream.publish(java.util.Collections.singletonList(e));
    }

    /**
     * A key evicted by maxmemory, under its shard lock: DEL, or UNLINK with lazyfree-lazy-eviction,
     * as Redis's propagateDeletion.
     */
    public void evicted(int db, byte[] key) {
        if (!stream.active() || loading()) return;
        stream.publish(java.util.Collections.singletonList(new Effect(db, new byte[][] {lazyEviction ? UNLINK : DEL, key})));
    }

    /** Redis's shouldPropagate: nothing while a data file loads. */
    private boolean loading() {
        return persistence.loading();
    }
}
