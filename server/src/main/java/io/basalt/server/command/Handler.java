package io.basalt.server.command;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;

/**
 * Executes one command. Arity, authentication and key locking are done before the call, so a
 * handler only implements the command: it reads {@code args} and writes exactly one reply
 * through {@code c.out()} (errors through {@link Client#error}, so they are counted).
 */
@FunctionalInterface
public interface Handler {
    void execute(Client c, RespRequest args);
}
