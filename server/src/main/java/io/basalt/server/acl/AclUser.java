package io.basalt.server.acl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An ACL user (Redis 7.0's {@code user}): its name and its current {@link State}. Connections
 * authenticated as the user keep a reference to this object, so a change by ACL SETUSER (which
 * publishes a new state) applies to them at once, as in Redis where the user struct is updated in
 * place.
 */
public final class AclUser {
    static final int ENABLED = 1;
    static final int DISABLED = 1 << 1;
    static final int NOPASS = 1 << 2;
    static final int SKIP_SANITIZE = 1 << 3;
    static final int SANITIZE = 1 << 4;
    /** Redis's ACLUserFlags, in the order ACL LIST and GETUSER print them. */
    static final String[] FLAG_NAMES = {"on", "off", "nopass", "skip-sanitize-payload", "sanitize-payload"};

    /** The name (bytes as ISO-8859-1 characters: user names are binary in Redis). */
    public final String name;
    volatile State state;

    AclUser(String name, State state) {
        this.name = name;
        this.state = state;
    }

    /** Whether the user may run every command on every key and channel (the check can be skipped). */
    public boolean unrestricted() { return state.unrestricted; }

    /** A user's flags, passwords and selectors; never changed once published. */
    static final class State {
        int flags;
        final List<String> passwords = new ArrayList<>();
        final List<AclSelector> selectors = new ArrayList<>();
        /** The root selector allows every command, key and channel: the check costs nothing. */
        boolean unrestricted;
        /** The description, computed once per state (Redis's acl_string). */
        String described;

        /** Redis's ACLCreateUser: disabled, no passwords, a root selector allowing nothing. */
        static State fresh(AclTable t, int pubsubDefault) {
            State s = new State();
            s.flags = DISABLED;
            s.selectors.add(new AclSelector(AclSelector.ROOT | pubsubDefault, t.ids));
            return s;
        }

        State copy() {
            State s = new State();
            s.flags = flags;
            s.passwords.addAll(passwords);
            for (AclSelector sel : selectors) s.selectors.add(sel.copy());
            return s;
        }

        AclSelector root() { return selectors.get(0); }

        /** Computes what checks read; called before the state is published. */
        State seal() {
            int all = AclSelector.ALLCOMMANDS | AclSelector.ALLKEYS | AclSelector.ALLCHANNELS;
            unrestricted = (root().flags & all) == all;
            described = null;
            return this;
        }

        boolean enabled() { return (flags & ENABLED) != 0 && (flags & DISABLED) == 0; }

        boolean nopass() { return (flags & NOPASS) != 0; }

        /**
         * Redis's ACLSetUser for the user-level rules (flags, passwords, selectors, reset); the
         * rest goes to the root selector.
         */
        void apply(AclTable t, String op, int pubsubDefault) throws AclException {
            if (op.isEmpty()) return;
            if (op.equalsIgnoreCase("on")) {
                flags = (flags | ENABLED) & ~DISABLED;
            } else if (op.equalsIgnoreCase("off")) {
                flags = (flags | DISABLED) & ~ENABLED;
            } else if (op.equalsIgnoreCase("skip-sanitize-payload")) {
                flags = (flags | SKIP_SANITIZE) & ~SANITIZE;
            } else if (op.equalsIgnoreCase("sanitize-payload")) {
                flags = (flags | SANITIZE) & ~SKIP_SANITIZE;
            } else if (op.equalsIgnoreCase("nopass")) {
                flags |= NOPASS;
                passwords.clear();
            } else if (op.equalsIgnoreCase("resetpass")) {
                flags &= ~NOPASS;
                passwords.clear();
            } else if (op.charAt(0) == '>' || op.charAt(0) == '#') {
                String hash;
                if (op.charAt(0) == '>') {
                    hash = hash(op.substring(1).getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    hash = op.substring(1);
                    if (!validHash(hash)) throw new AclException(AclException.BAD_HASH);
                }
                if (!passwords.contains(hash)) passwords.add(hash);
                flags &= ~NOPASS;
            } else if (op.charAt(0) == '<' || op.charAt(0) == '!') {
                String hash;
                if (op.charAt(0) == '<') {
                    hash = hash(op.substring(1).getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    hash = op.substring(1);
                    if (!validHash(hash)) throw new AclException(AclException.BAD_HASH);
                }
                if (!passwords.remove(hash)) throw new AclException(AclException.NO_SUCH_PASSWORD);
            } else if (op.charAt(0) == '(' && op.charAt(op.length() - 1) == ')') {
                AclSelector s = new AclSelector(pubsubDefault, t.ids);
                for (String part : Acl.splitArgs(op.substring(1, op.length() - 1))) s.apply(t, part);
                selectors.add(s);
            } else if (op.equalsIgnoreCase("clearselectors")) {
                while (selectors.size() > 1) selectors.remove(selectors.size() - 1);
            } else if (op.equalsIgnoreCase("reset")) {
                apply(t, "resetpass", pubsubDefault);
                apply(t, "resetkeys", pubsubDefault);
                apply(t, "resetchannels", pubsubDefault);
                if (pubsubDefault != 0) apply(t, "allchannels", pubsubDefault);
                apply(t, "off", pubsubDefault);
                apply(t, "sanitize-payload", pubsubDefault);
                apply(t, "clearselectors", pubsubDefault);
                apply(t, "-@all", pubsubDefault);
            } else {
                root().apply(t, op);
            }
        }

        /** Redis's ACLDescribeUser: flags, password hashes, the root selector, then "(...)" per selector. */
        String describe(AclTable t) {
            String d = described;
            if (d != null) return d;
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < FLAG_NAMES.length; j++) if ((flags & (1 << j)) != 0) b.append(FLAG_NAMES[j]).append(' ');
            for (String p : passwords) b.append('#').append(p).append(' ');
            for (AclSelector s : selectors) {
                if ((s.flags & AclSelector.ROOT) != 0) b.append(s.describe(t));
                else b.append(" (").append(s.describe(t)).append(')');
            }
            return described = b.toString();
        }

        /** Redis's ACLCheckUserCredentials past the user lookup. */
        boolean accepts(byte[] password) {
            if (!enabled()) return false;
            if (nopass()) return true;
            byte[] hashed = hash(password).getBytes(StandardCharsets.ISO_8859_1);
            boolean ok = false;
            for (String p : passwords) ok |= MessageDigest.isEqual(hashed, p.getBytes(StandardCharsets.ISO_8859_1));
            return ok;
        }
    }

    /** Redis's ACLHashPassword: SHA-256 in lower-case hex. */
    static String hash(byte[] password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean validHash(String h) {
        if (h.length() != 64) return false;
        for (int i = 0; i < 64; i++) {
            char c = h.charAt(i);
            if ((c < 'a' || c > 'f') && (c < '0' || c > '9')) return false;
        }
        return true;
    }
}
