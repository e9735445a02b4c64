package io.basalt.server.exec;

import io.basalt.server.client.Client;
import io.basalt.server.client.ClientKind;

/**
 * Where a command is told it belongs to another node: Redis Cluster's redirects, asked where
 * Redis asks {@code getNodeByQuery} (after authentication, before the OOM check), per command,
 * for each command queued by MULTI, and for the whole queue at EXEC. Standalone mode has no
 * router (the dispatcher then skips both calls). Clients whose {@link ClientKind#obeys() kind
 * obeys} (the AOF replay, the master link) are never routed.
 */
public interface Router {
    /**
     * The redirect for {@code cmd} from the slot table alone (MOVED, CROSSSLOT, CLUSTERDOWN ...),
     * as the error text to reply without its '-', or null to run it here. For EXEC, {@code cmd}
     * is the EXEC and {@code queued} the contexts of the queued commands (else null).
     */
    String route(Client c, CommandContext cmd, java.util.List<CommandContext> queued);

    /**
     * The check that needs the keys' shards locked (ASK and TRYAGAIN depend on which keys
     * exist in a slot being migrated or imported): called just before the handler runs, and
     * at EXEC with the transaction's shards locked. Null to run it here.
     */
    String confirmLocked(Client c, CommandContext cmd, java.util.List<CommandContext> queued);

    /**
     * Whether {@link #confirmLocked} has nothing to decide for {@code cmd} (outside EXEC): the
     * caller may then skip locking its shards for it. A script's caller asks, so that the event
     * loop does not wait for the shards a running script holds just to learn it is in the
     * common case.
     */
    default boolean settled(Client c, CommandContext cmd) { return false; }

    /**
     * After every client command, whatever its outcome, with the command looked up (null for an
     * unknown one): Redis's resetClient, where cluster mode drops the one-shot ASKING flag.
     */
    default void afterCommand(Client c, io.basalt.server.command.CommandSpec spec) {}

    /**
     * The cluster checks of the commands a script or function runs (Redis's
     * scriptVerifyClusterState), taken when {@code caller} invokes it, on the caller's thread
     * (its ASKING and READONLY flags are copied then: ASKING is dropped once the invoking command
     * returns, which is before a script handed to the scripting thread runs). {@code invocation}
     * is the EVAL or FCALL; {@code allowCrossSlot} whether the script may touch keys of several
     * slots (no shebang, or allow-cross-slot-keys). Never asked for a client that obeys. Null:
     * the script's commands are not checked (a router that redirects by other rules).
     */
    default ScriptScope scriptScope(Client caller, CommandContext invocation, boolean allowCrossSlot) { return null; }

    /** One script's view of the cluster: asked for each command it calls. */
    interface ScriptScope {
        /**
         * Redis's scriptVerifyClusterState for {@code cmd} (every shard held by the script): the
         * error as Redis words it (without "ERR ", which the script's error path adds), or null.
         */
        String check(CommandContext cmd);
    }
}
