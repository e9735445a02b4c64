package io.basalt.server.acl;

/** A rule ACL SETUSER (or an ACL file, or a user directive) cannot apply, with Redis's reason. */
public final class AclException extends Exception {
    static final String UNKNOWN = "Unknown command or category name in ACL";
    static final String SYNTAX = "Syntax error";
    static final String KEYS_AFTER_ALL = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid "
            + "and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    static final String CHANNELS_AFTER_ALL = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not "
            + "valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    static final String NO_SUCH_PASSWORD = "The password you are trying to remove from the user does not exist";
    static final String BAD_HASH = "The password hash must be exactly 64 characters and contain only lowercase "
            + "hexadecimal characters";
    static final String DUPLICATE_USER = "Duplicate user found. A user can only be defined once in config files";
    static final String FIRSTARG_OF_SUBCOMMAND = "Allowing first-arg of a subcommand is not supported";

    public AclException(String reason) {
        super(reason, null, false, false);
    }

    /** Redis's ENOENT: an unknown command or category (an ACL file reports these in full). */
    public boolean unknownName() { return UNKNOWN.equals(getMessage()); }
}
