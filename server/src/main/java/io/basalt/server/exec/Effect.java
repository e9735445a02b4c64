package io.basalt.server.exec;

/**
 * One record of the write-effect stream: a command in the form that reproduces its effect
 * (Redis's propagated argv) and the database it runs in; {@code db} is -1 for records that belong
 * to no database (the MULTI/EXEC around an atomic block). {@code replicasOnly} marks what Redis
 * propagates with PROPAGATE_REPL alone (a standalone PUBLISH): replicas get it, the AOF does not.
 */
public record Effect(int db, byte[][] argv, boolean replicasOnly) {
    public Effect(int db, byte[][] argv) {
        this(db, argv, false);
    }
}
