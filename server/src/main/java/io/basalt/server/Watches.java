package io.basalt.server;

/** WATCH: which clients watch which keys (see {@link KeyspaceEvents#modified}). */
public final class Watches {
    /** A watched key changed: the transactions of its watchers will fail. */
    void touch(int db, byte[] key) {
    }

    /** A database is about to be flushed or swapped. */
    void flushing(int db, int swapWith) {
    }
}
