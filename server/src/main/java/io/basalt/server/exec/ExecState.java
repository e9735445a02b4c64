package io.basalt.server.exec;

import io.basalt.server.client.Client;

import java.util.ArrayList;
import java.util.List;

/**
 * What command execution keeps per client, in the client's exec {@link Client.Slot}: the
 * dispatcher's reused command context, Redis's multiState (the MULTI queue), its watched_keys
 * and CLIENT_DIRTY_CAS, and the effects a running EXEC or command collects for the effect
 * stream. Made on the client's event loop by its first command; other threads only read it
 * ({@link #peek}: CLIENT LIST) or set the CAS flag of a client that WATCHes (so has one).
 */
public final class ExecState {
    private static final Client.Slot<ExecState> SLOT = Client.Slot.of("exec");

    /** The running command's keys, slots and shards (reused from command to command). */
    final CommandContext context = new CommandContext();
    /**
     * The context of the command this thread is executing (a queued one inside EXEC), null
     * between commands. Per thread, not per client: a blocked client is served on another
     * client's thread after that client's command, and must not see a stale context whose
     * request buffer has been reused. Netty's FastThreadLocal: an array index on event loops.
     */
    static final io.netty.util.concurrent.FastThreadLocal<CommandContext> RUNNING = new io.netty.util.concurrent.FastThreadLocal<>();
    /** Between MULTI and EXEC/DISCARD, the queued commands; null otherwise (read by CLIENT LIST). */
    volatile Transaction multi;
    /** Redis's CLIENT_DIRTY_CAS: a watched key changed; set by writers on other threads. */
    volatile boolean dirtyCas;
    /** The keys this client WATCHes (event loop only). */
    final List<Watches.WatchedKey> watched = new ArrayList<>();
    /** The records of the commands of a running EXEC, published as one MULTI ... EXEC unit. */
    List<Effect> execEffects = new ArrayList<>();
    /** Keys the running command found expired: their DELs go before its own records. */
    List<Effect> expiredEffects;

    private ExecState() {}

    /** {@code c}'s state, made on first use: call on {@code c}'s event loop only. */
    static ExecState of(Client c) {
        ExecState s = c.get(SLOT);
        if (s == null) c.set(SLOT, s = new ExecState());
        return s;
    }

    /**
     * The slot of {@code key} if it is a key of the command this thread is executing (the slot the
     * dispatcher hashed, found by comparing the bytes), else -1.
     */
    public static int runningSlot(byte[] key) {
        CommandContext r = RUNNING.get();
        return r == null ? -1 : r.slotOf(key);
    }

    /** {@code c}'s state if it has one (any thread). */
    static ExecState peek(Client c) { return c.get(SLOT); }

    // ---------------------------------------------------------------- MULTI/EXEC and WATCH

    /** True between MULTI and EXEC/DISCARD (flag 'x' in CLIENT LIST). */
    public static boolean inMulti(Client c) {
        ExecState s = peek(c);
        return s != null && s.multi != null;
    }

    /** MULTI: starts queuing. */
    static void beginMulti(Client c) { of(c).multi = new Transaction(); }

    /** Redis's flagTransaction: a command rejected while queuing makes the EXEC fail. */
    static void flagTransaction(Client c) {
        Transaction t = of(c).multi;
        if (t != null) t.aborted = true;
    }

    /** Redis's discardTransaction (DISCARD, EXEC, RESET): drops the queue and every watch. */
    public static void discardTransaction(Client c) {
        ExecState s = of(c);
        s.multi = null;
        s.dirtyCas = false;
        c.server().watches().unwatchAll(c);
    }

    /** UNWATCH: forgets the watches and a broken CAS, keeps a MULTI. */
    static void unwatch(Client c) {
        c.server().watches().unwatchAll(c);
        of(c).dirtyCas = false;
    }

    /** Whether a watched key changed (flag 'd' in CLIENT LIST); WATCH then is pointless. */
    public static boolean dirtyCas(Client c) {
        ExecState s = peek(c);
        return s != null && s.dirtyCas;
    }

    /** CLIENT LIST multi: queued commands, -1 outside MULTI. */
    public static int multiCount(Client c) {
        ExecState s = peek(c);
        Transaction t = s == null ? null : s.multi;
        return t == null ? -1 : t.size();
    }

    /** CLIENT LIST multi-mem. */
    public static long multiMemory(Client c) {
        ExecState s = peek(c);
        Transaction t = s == null ? null : s.multi;
        return t == null ? 0 : t.memory;
    }
}
