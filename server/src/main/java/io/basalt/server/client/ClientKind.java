package io.basalt.server.client;

/**
 * What a client is, which decides what it may skip: Redis tells these apart by flags and magic
 * ids ({@code CLIENT_ID_AOF}, {@code CLIENT_MASTER}, {@code mustObeyClient}); Basalt names them
 * and gives each its privileges here, so no code compares client ids.
 */
public enum ClientKind {
    /** A connection from a user: every check applies, its writes propagate. */
    NORMAL(false, true),
    /**
     * The AOF replay at startup (Redis's fake client with CLIENT_ID_AOF): runs what the file holds
     * while the server is loading, and propagates nothing (the records are already in the log).
     */
    AOF_LOADER(true, false),
    /**
     * The link to this server's master (Redis's CLIENT_MASTER): obeys without checks and writes
     * the master's stream into this server's own AOF.
     */
    MASTER(true, true),
    /**
     * The client a script's redis.call runs on (Redis's lua client, CLIENT_SCRIPT): checked by
     * scripting as Redis's scriptCall does; its effects are collected into the script's unit.
     */
    SCRIPT(false, true);

    private final boolean obeys;
    private final boolean propagates;

    ClientKind(boolean obeys, boolean propagates) {
        this.obeys = obeys;
        this.propagates = propagates;
    }

    /**
     * Redis's mustObeyClient: the commands come from a source of truth (the AOF, the master), so
     * they run while loading and are never redirected to another cluster node.
     */
    public boolean obeys() { return obeys; }

    /** Whether the effects of its commands go to the effect stream (AOF, replicas). */
    public boolean propagates() { return propagates; }
}
