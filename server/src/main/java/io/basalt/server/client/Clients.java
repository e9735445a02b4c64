package io.basalt.server.client;

import java.util.Collection;

/** The connected clients, by id: what CLIENT LIST/KILL and tracking's redirections look up. */
public interface Clients {
    /** The client with {@code id}, or null when it is not connected. */
    Client client(long id);

    /** Every connected client. */
    Collection<Client> clients();
}
