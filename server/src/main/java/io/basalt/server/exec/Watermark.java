package io.basalt.server.exec;

/**
 * A position that only advances, behind which replies can be held: the AOF's fsynced offset
 * with appendfsync always (group commit), and later the offset replicas acknowledged (WAIT).
 * {@link #position()} is how far the producer has gone, {@link #reached()} how far it is safe.
 */
public interface Watermark {
    /** Everything published so far ends here. */
    long position();

    /** Everything up to here is safe (durable, acknowledged). */
    long reached();

    /**
     * Runs {@code action} once {@code position} is reached (at once if it already is), on
     * whatever thread advances the mark: it must only hand work over (to an event loop).
     */
    void whenReached(long position, Runnable action);
}
