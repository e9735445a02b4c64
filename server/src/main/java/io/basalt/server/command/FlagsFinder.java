package io.basalt.server.command;

import io.basalt.resp.RespRequest;

/**
 * The flags of a command whose flags depend on its arguments (Redis's getCommandFlags): EVAL and
 * EVALSHA take the flags their script's shebang declares, FCALL its function's
 * (scriptFlagsToCmdFlags). Asked only where Redis asks getCommandFlags and the answer can differ
 * from the published flags (cluster routing: is it a write?), never on the standalone hot path.
 */
@FunctionalInterface
public interface FlagsFinder {
    /** The {@link CommandFlags} bits of {@code req}, given the command's published {@code bits}. */
    int flags(int bits, RespRequest req);
}
