package io.basalt.server.net;

import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;

import java.util.Collection;
import java.util.Iterator;

/**
 * The per-client limit checks of Redis's {@code clientsCron}, on a timer rather than only when
 * a client produces output.
 *
 * <p>{@code client-output-buffer-limit} is checked after every command, but a client that stops
 * reading makes its channel unwritable, so the server stops reading its commands (see
 * architecture.md), no new output is produced and that check never runs again: a client over the
 * soft limit would keep its pending replies for as long as it stays connected. Redis closes it
 * from {@code clientsCron} once the soft limit has held for its seconds, and also closes a client
 * over a hard limit lowered by {@code CONFIG SET}; so does this task. (The idle {@code timeout}
 * is the server cron's own check, {@code BasaltServer.closeTimedOutClients}.)
 *
 * <p>Like Redis, each run visits {@code clients / hz} clients (at least 5), so every client is
 * visited about once a second whatever the number of connections. A visit only posts the check to
 * the client's event loop, which owns its buffers; the check itself is {@link ClientHandler#cronCheck}.
 */
public final class ClientsCron implements Runnable {
    /** Redis's CLIENTS_CRON_MIN_ITERATIONS. */
    private static final int MIN_ITERATIONS = 5;

    private final BasaltServer server;
    private Iterator<Client> next;

    public ClientsCron(BasaltServer server) {
        this.server = server;
    }

    @Override
    public void run() {
        Collection<Client> clients = server.clients();
        int n = clients.size();
        int visits = Math.min(n, Math.max(MIN_ITERATIONS, n / Math.max(1, server.hz())));
        for (int i = 0; i < visits; i++) {
            if (next == null || !next.hasNext()) {
                next = clients.iterator(); // weakly consistent: clients come and go meanwhile
                if (!next.hasNext()) return;
            }
            Client c = next.next();
            ClientHandler h = c.channel().pipeline().get(ClientHandler.class);
            if (h != null && c.channel().isActive()) c.channel().eventLoop().execute(h::cronCheck);
        }
    }
}
