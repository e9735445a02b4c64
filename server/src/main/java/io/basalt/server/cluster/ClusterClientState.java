package io.basalt.server.cluster;

import io.basalt.server.client.Client;

/**
 * What cluster mode keeps per connection: Redis's CLIENT_ASKING (one-shot, set by ASKING) and
 * CLIENT_READONLY (READONLY until READWRITE or RESET). Kept in the client's cluster
 * {@link Client.Slot}, made by the first ASKING or READONLY, read on the client's event loop
 * (CLIENT LIST reads the READONLY bit from other threads: a plain int, a moment stale at worst).
 */
public final class ClusterClientState {
    static final Client.Slot<ClusterClientState> SLOT = Client.Slot.of("cluster");

    static final int ASKING = 1;
    static final int READONLY = 2;

    int flags;
    /** While an EXEC runs scripts: the slot they share (Redis's c->slot), null otherwise. */
    ClusterRouter.CallerSlot execScripts;

    private ClusterClientState() {}

    static ClusterClientState of(Client c) {
        ClusterClientState s = c.get(SLOT);
        if (s == null) c.set(SLOT, s = new ClusterClientState());
        return s;
    }

    /** The client's flags (ASKING, READONLY), 0 when it never set one. */
    static int flags(Client c) {
        ClusterClientState s = c.get(SLOT);
        return s == null ? 0 : s.flags;
    }

    /** CLIENT LIST's 'r' flag: the connection is READONLY. */
    public static boolean readonly(Client c) {
        return (flags(c) & READONLY) != 0;
    }

    /** RESET: Redis's clearClientConnectionState drops ASKING and READONLY. */
    public static void reset(Client c) {
        ClusterClientState s = c.get(SLOT);
        if (s != null) s.flags = 0;
    }
}
