package io.basalt.server.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server-wide state of CLIENT PAUSE: which commands are held back (all, or only those that
 * write or may replicate) and until when. Clients whose command is held back park their
 * connection (they stop reading and keep the command in their query buffer) and register a
 * waker here; CLIENT UNPAUSE wakes them all at once, and each also re-checks on its own when the
 * pause time runs out, so no thread ever blocks waiting.
 */
public final class ClientPause {
    /** Pause types, ordered by how much they hold back (Redis keeps the most restrictive). */
    public static final int NONE = 0;
    public static final int WRITE = 1;
    public static final int ALL = 2;

    /**
     * Why clients are paused (Redis's pause_purpose): each purpose pauses and unpauses on its
     * own, and the most restrictive pause in force applies, so CLIENT UNPAUSE does not end the
     * pause of a FAILOVER in progress.
     */
    public enum Purpose { CLIENT_COMMAND, SHUTDOWN, FAILOVER }

    private final int[] types = new int[Purpose.values().length];
    private final long[] ends = new long[Purpose.values().length];
    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();

    /** CLIENT PAUSE: extends the pause to {@code end} and to the more restrictive type. */
    public void pause(long end, int newType) { pause(Purpose.CLIENT_COMMAND, end, newType); }

    /** A pause for {@code purpose} until {@code end} (Long.MAX_VALUE: until unpaused). */
    public synchronized void pause(Purpose purpose, long end, int newType) {
        int p = purpose.ordinal();
        if (System.currentTimeMillis() >= ends[p]) {
            types[p] = NONE;
            ends[p] = 0;
        }
        if (newType > types[p]) types[p] = newType;
        if (end > ends[p]) ends[p] = end;
    }

    /** CLIENT UNPAUSE: ends the pause of CLIENT PAUSE now and wakes the parked clients. */
    public void unpause() { unpause(Purpose.CLIENT_COMMAND); }

    /** Ends the pause of {@code purpose}; parked clients re-check (another pause may hold them). */
    public void unpause(Purpose purpose) {
        synchronized (this) {
            types[purpose.ordinal()] = NONE;
            ends[purpose.ordinal()] = 0;
        }
        wakeAll();
    }

    /** The pause type in force now (NONE once every pause time has passed). */
    public synchronized int type() {
        long now = System.currentTimeMillis();
        int t = NONE;
        for (int p = 0; p < types.length; p++) if (types[p] > t && now < ends[p]) t = types[p];
        return t;
    }

    /** Milliseconds until the current pause ends (0 when not paused). */
    public synchronized long remainingMillis() {
        long now = System.currentTimeMillis();
        long end = 0;
        for (int p = 0; p < types.length; p++) if (types[p] != NONE && ends[p] > end) end = ends[p];
        return Math.max(0, Math.min(end - now, Integer.MAX_VALUE));
    }

    /**
     * Whether a command must wait: every command under ALL; under WRITE, {@code write} ones:
     * writes and may-replicate ones (Redis's CMD_MAY_REPLICATE: no writes, but replication
     * traffic), {@code CommandFlags.PAUSED_BY_WRITE}.
     */
    public boolean holds(boolean write) {
        int t = type();
        if (t == NONE) return false;
        if (t == ALL) return true;
        return write;
    }

    /** Registers a waker for a parked client; it runs on unpause. */
    public void await(Runnable waker) { waiters.add(waker); }

    public void cancel(Runnable waker) { waiters.remove(waker); }

    /** Clients parked by the pause now (one waker each): counted in INFO's blocked_clients. */
    public int parkedClients() { return waiters.size(); }

    private void wakeAll() {
        for (Runnable r : waiters) {
            waiters.remove(r);
            r.run();
        }
    }
}
