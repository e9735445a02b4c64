package io.basalt.server.command;

import io.basalt.resp.RespRequest;

/**
 * Key positions of a command whose keys cannot be described by first/last/step alone
 * (the "movablekeys" commands, e.g. ones with a numkeys argument).
 */
@FunctionalInterface
public interface KeyFinder {
    /** Writes the argument indexes of the keys into {@code out} and returns how many; -1 if the arguments are malformed. */
    int keys(RespRequest args, int[] out);

    /**
     * The key spec whose flags the {@code i}-th of {@code n} keys found carries (COMMAND
     * GETKEYSANDFLAGS), as Redis's getkeys procs set them; -1: the first spec's.
     */
    default int spec(int i, int n) { return -1; }
}
