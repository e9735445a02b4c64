package io.basalt.server.exec;

/**
 * One record of the write-effect stream: a command in the form that reproduces its effect
 * (Redis's propagated argv) and the database it runs in; {@code db} is -1 for records that belong
 * to no database (the MULTI/EXEC around an atomic block).
 */
public record Effect(int db, byte[][] argv) {}
