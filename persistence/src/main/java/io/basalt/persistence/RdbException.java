package io.basalt.persistence;

/** A malformed, truncated or unsupported RDB file or DUMP payload. */
public class RdbException extends RuntimeException {
    public RdbException(String message) { super(message); }

    public RdbException(String message, Throwable cause) { super(message, cause); }
}
