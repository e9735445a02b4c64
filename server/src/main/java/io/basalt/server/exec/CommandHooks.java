package io.basalt.server.exec;

import io.basalt.server.client.Client;

/**
 * A subsystem's steps around every command, where Redis's processCommand, call and resetClient
 * call into it: today client-side caching ({@code tracking.Tracking}), which sits above exec.
 * Called on the client's event loop; each step returns at once when the subsystem has nothing
 * to do, so a server without tracking clients pays a call the JIT inlines.
 */
public interface CommandHooks {
    /** Before a command is processed (Redis's processCommand: tracking-table-max-keys). */
    void beforeCommand(Client c);

    /** After a read-only command ran, its shards still locked (trackingRememberKeys). */
    void afterRead(Client c, CommandContext cmd);

    /** After a command and its reply, outside an EXEC's commands (pending invalidations). */
    void afterCall(Client c);

    /** When the client's command is done, its reply written (Redis's resetClient). */
    void afterCommand(Client c);
}
