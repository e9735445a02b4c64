package io.basalt.persistence.aof;

/** A manifest or append-only file that cannot be used; the message is what the log shows. */
public final class AofException extends Exception {
    public AofException(String message) { super(message); }

    public AofException(String message, Throwable cause) { super(message, cause); }
}
