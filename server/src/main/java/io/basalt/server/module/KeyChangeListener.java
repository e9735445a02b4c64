package io.basalt.server.module;

import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;

/**
 * What a subsystem hears about key changes through {@link KeyspaceEvents}: Redis's
 * {@code signalModifiedKey}, {@code dbAdd}'s {@code signalKeyAsReady}, {@code signalFlushedDb}
 * and SWAPDB, in the order listeners were added. Called under the shard locks of the change
 * (every shard for flushes and swaps), so a listener must only record and hand work over.
 */
public interface KeyChangeListener {
    /** {@code key} of {@code db} changed or was deleted, by client {@code by} (null: expiry, eviction). */
    default void modified(Client by, int db, byte[] key) {}

    /** {@code key} of {@code db} was created. */
    default void added(int db, byte[] key) {}

    /** {@code db} (-1: every database) is about to be emptied by {@code by} (FLUSHDB, FLUSHALL). */
    default void flushing(Client by, int db) {}

    /** SWAPDB {@code a} {@code b}, before the swap. */
    default void swapping(int a, int b) {}

    /** SWAPDB {@code a} {@code b}, after the swap. */
    default void swapped(int a, int b) {}
}
