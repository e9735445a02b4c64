package io.basalt.persistence.backup;

/** A backup that cannot be made, verified or restored; the message says why, naming the file. */
public final class BackupException extends Exception {
    public BackupException(String message) { super(message); }

    public BackupException(String message, Throwable cause) { super(message, cause); }
}
