package io.basalt.server.module;

import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;

/**
 * A subsystem as the server sees it: the moments every subsystem may care about, so that
 * {@link BasaltServer} only composes them and a new subsystem (replication, cluster, scripting)
 * hooks in by being added, not by edits to the connection handler or the cron.
 */
public interface ServerModule {
    /** When added to the server: binds the configuration directives this subsystem owns. */
    default void bind(io.basalt.server.config.Config config) {}

    /** A client's connection closed (on its event loop): forget what this subsystem holds for it. */
    default void clientClosed(Client c) {}

    /** One tick of the server cron (hz times a second, on the cron thread). */
    default void cron() {}

    /** A module that only has periodic work. */
    static ServerModule cron(Runnable task) {
        return new ServerModule() {
            @Override
            public void cron() { task.run(); }
        };
    }
}
