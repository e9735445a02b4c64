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

    private volatile int type = NONE;
    private volatile long endMillis;
    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();

    /** CLIENT PAUSE: extends the pause to {@code end} and to the more restrictive type. */
    public synchronized void pause(long end, int newType) {
        if (expired(System.currentTimeMillis())) {
            type = NONE;
            endMillis = 0;
        }
        if (newType > type) type = newType;
        if (end > endMillis) endMillis = end;
    }

    /** CLIENT UNPAUSE: ends the pause now and wakes every parked client. */
    public void unpause() {
        synchronized (this) {
            type = NONE;
            endMillis = 0;
        }
        wakeAll();
    }

    private boolean expired(long now) {
        return now >= endMillis;
    }

    /** The pause type in force now (NONE once the pause time has passed). */
    public int type() {
        int t = type;
        if (t != NONE && expired(System.currentTimeMillis())) return NONE;
        return t;
    }

    /** Milliseconds until the current pause ends (0 when not paused). */
    public long remainingMillis() {
        return Math.max(0, endMillis - System.currentTimeMillis());
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

    private void wakeAll() {
        for (Runnable r : waiters) {
            waiters.remove(r);
            r.run();
        }
    }
}
