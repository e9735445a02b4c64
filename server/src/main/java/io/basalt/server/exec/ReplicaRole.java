package io.basalt.server.exec;

/**
 * What command execution asks of this server's role in replication, for the checks Redis's
 * processCommand makes on a replica (exec does not know the replication package).
 */
public interface ReplicaRole {
    /** min-replicas-to-write unmet: writes get -NOREPLICAS. */
    boolean notEnoughReplicas();

    /** A replica with replica-read-only: writes from anyone but its master get -READONLY. */
    boolean readOnly();

    /**
     * A replica whose link to its master is down while replica-serve-stale-data is no: commands
     * without the "stale" flag get -MASTERDOWN.
     */
    boolean staleDenied();

    /** The role of a master: nothing is refused. */
    ReplicaRole MASTER = new ReplicaRole() {
        @Override
        public boolean notEnoughReplicas() { return false; }

        @Override
        public boolean readOnly() { return false; }

        @Override
        public boolean staleDenied() { return false; }
    };
}
