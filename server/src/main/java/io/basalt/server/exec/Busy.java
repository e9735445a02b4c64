package io.basalt.server.exec;

/**
 * A long command that keeps the keyspace locked past busy-reply-threshold (a script): while it
 * runs, other clients get its -BUSY error instead of waiting for its locks (Redis's
 * isInsideYieldingLongCommand in processCommand). Implemented by scripting.
 */
public interface Busy {
    /** The error for a command that may not run now ("BUSY ..."), or null when nothing is busy. */
    String busyError();
}
