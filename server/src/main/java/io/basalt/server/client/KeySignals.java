package io.basalt.server.client;

/**
 * Where a client's handlers report key changes: Redis's {@code signalModifiedKey} and
 * {@code notifyKeyspaceEvent}, through {@link Client#signalModified} and
 * {@link Client#notifyKeyspaceEvent}. Implemented by {@code pubsub.KeyspaceEvents}, which fans
 * the changes out (WATCH, tracking, blocking) and publishes the notifications; the client gets
 * it when it is made, so the client package does not depend on Pub/Sub.
 */
public interface KeySignals {
    /** {@code key} of {@code db} was changed by {@code by}'s command. */
    void modified(Client by, int db, byte[] key);

    /** A keyspace notification of {@code type} (KeyspaceEvents' flags) for {@code key} of {@code db}. */
    void notify(int type, String event, byte[] key, int db);
}
