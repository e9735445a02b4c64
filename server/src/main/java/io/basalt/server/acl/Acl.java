package io.basalt.server.acl;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.command.KeySpec;
import io.basalt.server.config.ConfigFile;
import io.basalt.server.exec.CommandContext;
import io.basalt.server.util.Log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The ACL registry of one server (Redis 7.0's acl.c): the users, the default user (which
 * requirepass sets the password of), the permission check every command goes through, the ACL
 * log, and the ACL file. Rule texts, descriptions and errors are Redis's.
 *
 * <p>Changes (SETUSER, DELUSER, LOAD, CONFIG SET requirepass) are serialised on this object and
 * publish a new immutable state per user; checks read a user's state without locking. A user
 * whose root selector allows everything is checked with one volatile read.
 */
public final class Acl {
    /** CLIENT LIST's line for a client (ACL LOG's client-info), given by the server (net sits above). */
    private java.util.function.Function<Client, String> clientInfo = c -> "id=" + c.id();

    public void clientInfo(java.util.function.Function<Client, String> f) { this.clientInfo = f; }

    // reasons, in Redis's order (ACL_DENIED_*): a higher one wins when selectors disagree
    public static final int OK = 0;
    public static final int DENIED_CMD = 1;
    public static final int DENIED_KEY = 2;
    public static final int DENIED_AUTH = 3;
    public static final int DENIED_CHANNEL = 4;
    // log contexts
    public static final int CTX_TOPLEVEL = 0;
    public static final int CTX_MULTI = 1;
    public static final int CTX_LUA = 2;

    static final int CH_SUBSCRIBE = 1;
    static final int CH_PUBLISH = 2;
    static final int CH_PATTERN = 4;

    private static final long LOG_GROUPING_MILLIS = 60_000;

    final AclTable table;
    /** Users by name, in byte order (Redis's rax): ACL LIST, USERS and SAVE follow it. */
    private TreeMap<String, AclUser> users = new TreeMap<>();
    private final AclUser defaultUser;
    private final ArrayDeque<LogEntry> log = new ArrayDeque<>();
    private volatile long logMaxLen = 128;
    /** {@link AclSelector#ALLCHANNELS} when acl-pubsub-default is allchannels, else 0. */
    private volatile int pubsubDefault;
    private volatile String aclFile = "";
    /** The connections, for killing those of a deleted or changed user. */
    private final Supplier<Collection<Client>> clients;
    /** The subscriptions of a connection by kind (channels, patterns, shard channels). */
    private final Subscriptions subscriptions;

    /** What the ACL asks the Pub/Sub layer. */
    public interface Subscriptions {
        /** The client's subscriptions of one kind: 0 channels, 1 patterns, 2 shard channels. */
        List<byte[]> of(Client c, int kind);
    }

    public Acl(CommandTable commands, Supplier<Collection<Client>> clients, Subscriptions subscriptions) {
        this.table = new AclTable(commands);
        this.clients = clients;
        this.subscriptions = subscriptions;
        this.defaultUser = new AclUser("default", defaultState());
        users.put("default", defaultUser);
    }

    /** Redis's ACLCreateDefaultUser: +@all ~* &* on nopass. */
    private AclUser.State defaultState() {
        AclUser.State s = AclUser.State.fresh(table, pubsubDefault);
        try {
            for (String op : new String[] {"+@all", "~*", "&*", "on", "nopass"}) s.apply(table, op, pubsubDefault);
        } catch (AclException e) {
            throw new IllegalStateException(e);
        }
        return s.seal();
    }

    public AclUser defaultUser() { return defaultUser; }

    // ---------------------------------------------------------------- configuration

    /** acllog-max-len: as in Redis, a shorter log is trimmed when the next entry is added. */
    public void logMaxLen(long n) { logMaxLen = n; }

    public void pubsubDefault(boolean allChannels) { pubsubDefault = allChannels ? AclSelector.ALLCHANNELS : 0; }

    public void aclFile(String file) { aclFile = file == null ? "" : file; }

    public String aclFile() { return aclFile; }

    /**
     * Redis's ACLUpdateDefaultUserPassword (requirepass): the default user's passwords are reset,
     * then set to this one, or nopass for an empty one.
     */
    public synchronized void requirePass(String password) {
        AclUser.State s = defaultUser.state.copy();
        try {
            s.apply(table, "resetpass", pubsubDefault);
            if (password == null || password.isEmpty()) s.apply(table, "nopass", pubsubDefault);
            else s.apply(table, ">" + latin1(password.getBytes(StandardCharsets.UTF_8)), pubsubDefault);
        } catch (AclException e) {
            throw new IllegalStateException(e);
        }
        defaultUser.state = s.seal();
    }

    // ---------------------------------------------------------------- authentication

    /**
     * Redis's authRequired: the default user has a password (or is off) and the connection has
     * not authenticated.
     */
    public boolean authRequired(Client c) {
        if (c.authenticated()) return false;
        AclUser.State d = defaultUser.state;
        return !d.nopass() || !d.enabled();
    }

    /** Whether a new connection starts authenticated as the default user (Redis's clientSetDefaultAuth). */
    public boolean defaultAuthenticated() {
        AclUser.State d = defaultUser.state;
        return d.nopass() && d.enabled();
    }

    /** Whether the default user is on and takes this password (the admin HTTP API's check). */
    public boolean defaultAccepts(byte[] password) {
        AclUser.State d = defaultUser.state;
        return d.enabled() && d.accepts(password);
    }

    /** Whether the default user needs no password (protected mode applies then). */
    public boolean defaultNopass() { return defaultUser.state.nopass(); }

    /**
     * Redis's ACLAuthenticateUser: on success the connection is authenticated as the user;
     * otherwise an "auth" entry goes to the ACL log. {@code user} and {@code password} are bytes.
     */
    public boolean authenticate(Client c, byte[] user, byte[] password, String commandName) {
        AclUser u;
        synchronized (this) {
            u = users.get(latin1(user));
        }
        if (u != null && u.state.accepts(password)) {
            c.user(u);
            c.authenticated(true);
            return true;
        }
        log(c, DENIED_AUTH, io.basalt.server.exec.ExecState.inMulti(c) ? CTX_MULTI : CTX_TOPLEVEL, latin1(user), commandName);
        return false;
    }

    /** The user called {@code name} (bytes as ISO-8859-1 characters), or null. */
    public synchronized AclUser user(String name) { return users.get(name); }

    // ---------------------------------------------------------------- checks

    /**
     * Redis's ACLCheckAllUserCommandPerm: 0 when the user may run the command, else the reason
     * in the high 32 bits and the argument index of the key or channel in the low ones.
     * {@code ctx} (may be null) holds the keys the dispatcher found.
     */
    public long check(AclUser u, CommandSpec spec, RespRequest req, CommandContext ctx) {
        AclUser.State st = u.state;
        if (st.unrestricted) return 0;
        List<AclSelector> selectors = st.selectors;
        // one selector (the common case) needs no cache of the keys between selectors
        if (selectors.size() == 1) return check(selectors.get(0), spec, req, ctx, null);
        int relevant = DENIED_CMD;
        int lastIdx = 0;
        Keys[] cache = new Keys[1];
        for (AclSelector s : selectors) {
            long r = check(s, spec, req, ctx, cache);
            if (r == 0) return 0;
            int code = (int) (r >>> 32);
            int idx = (int) r;
            if (code > relevant || (code == relevant && idx > lastIdx)) {
                relevant = code;
                lastIdx = idx;
            }
        }
        return ((long) relevant << 32) | lastIdx;
    }

    /** Whether a user may run a command, for redis.acl_check_cmd. */
    public boolean allowed(AclUser u, CommandSpec spec, RespRequest req) {
        return u == null || check(u, spec, req, null) == 0;
    }

    /** The keys of a command with the access each needs (Redis's getKeysFromCommandWithSpecs). */
    private static final class Keys {
        int n;
        int[] pos;
        int[] access;
    }

    private long check(AclSelector s, CommandSpec spec, RespRequest req, CommandContext ctx, Keys[] cache) {
        if ((s.flags & AclSelector.ALLCOMMANDS) == 0 && !spec.noAuth && !s.bit(spec.aclId)) {
            // the command may still be allowed with this first argument (+select|0)
            List<String> first = s.firstArgs == null || req.argc() < 2 ? null : s.firstArgs.get(spec.aclId);
            if (first == null) return (long) DENIED_CMD << 32;
            int idx = spec.parent != null ? 2 : 1;
            if (idx >= req.argc()) return (long) DENIED_CMD << 32;
            String arg = latin1(req.bytes(idx));
            boolean match = false;
            for (String f : first) match |= f.equalsIgnoreCase(arg);
            if (!match) return (long) DENIED_CMD << 32;
        }
        if ((s.flags & AclSelector.ALLKEYS) == 0 && spec.hasKeys()) {
            int uniform = spec.aclUniformKeyAccess;
            if (uniform >= 0 && ctx != null && ctx.spec() == spec) {
                for (int i = 0; i < ctx.keyCount(); i++) {
                    int idx = ctx.keyIndex(i);
                    if (!s.keyAllowed(req.buffer(), req.offset(idx), req.length(idx), uniform)) return ((long) DENIED_KEY << 32) | idx;
                }
            } else if (spec.aclId == table.setId) {
                // Redis's setGetKeys: the key is read too only with GET
                if (req.argc() > 1 && !s.keyAllowed(req.buffer(), req.offset(1), req.length(1), setAccess(req))) {
                    return ((long) DENIED_KEY << 32) | 1;
                }
            } else {
                Keys k = cache == null ? null : cache[0];
                if (k == null) k = keys(spec, req);
                if (cache != null) cache[0] = k;
                for (int i = 0; i < k.n; i++) {
                    int idx = k.pos[i];
                    if (!s.keyAllowed(req.buffer(), req.offset(idx), req.length(idx), k.access[i])) return ((long) DENIED_KEY << 32) | idx;
                }
            }
        }
        int kind = table.channelKind[spec.aclId];
        if ((s.flags & AclSelector.ALLCHANNELS) == 0 && kind != 0) {
            int stop = (kind & CH_PUBLISH) != 0 ? Math.min(2, req.argc()) : req.argc();
            for (int i = 1; i < stop; i++) {
                if (!AclSelector.channelAllowed(s.channels, req.bytes(i), (kind & CH_PATTERN) != 0)) return ((long) DENIED_CHANNEL << 32) | i;
            }
        }
        return 0;
    }

    private static int setAccess(RespRequest req) {
        for (int i = 3; i < req.argc(); i++) {
            if (req.is(i, "get")) return KeySpec.ACL_READ | KeySpec.ACL_WRITE;
        }
        return KeySpec.ACL_WRITE;
    }

    private static Keys keys(CommandSpec spec, RespRequest req) {
        Keys k = new Keys();
        int argc = Math.max(req.argc(), 1);
        k.pos = new int[argc];
        int[] specOf = new int[argc];
        k.n = spec.keysAt(req, 0, k.pos, specOf);
        k.access = new int[Math.max(k.n, 0)];
        int first = spec.firstKeySpec();
        int lastSpec = -1;
        for (int j = 0; j < spec.keySpecCount(); j++) if (spec.aclKeyAccess(j) != 0) lastSpec = j;
        for (int i = 0; i < k.n; i++) {
            if (spec.name.equals("bitfield")) {
                k.access[i] = bitfieldAccess(req);
            } else if (specOf[i] >= 0) {
                k.access[i] = spec.aclKeyAccess(specOf[i]);
            } else {
                // found by the command's own key finder (SORT, GEORADIUS, MIGRATE): the source
                // key as its first spec says, the STORE destinations as the last one
                int j = i == 0 ? first : lastSpec;
                k.access[i] = j >= 0 ? spec.aclKeyAccess(j) : spec.aclKeyAccessAll();
            }
        }
        return k;
    }

    /** Redis's bitfieldGetKeys: read-only unless a SET or INCRBY (or a syntax error) is met. */
    private static int bitfieldAccess(RespRequest req) {
        int argc = req.argc();
        for (int i = 2; i < argc; i++) {
            int rem = argc - i - 1;
            if (req.is(i, "get") && rem >= 2) i += 2;
            else if ((req.is(i, "set") || req.is(i, "incrby")) && rem >= 3) return KeySpec.ACL_READ | KeySpec.ACL_WRITE;
            else if (req.is(i, "overflow") && rem >= 1) i += 1;
            else return KeySpec.ACL_READ | KeySpec.ACL_WRITE;
        }
        return KeySpec.ACL_READ;
    }

    /** Redis's processCommand texts for a refused command (without the leading '-'). */
    public static String noPermError(int reason, CommandSpec spec) {
        switch (reason) {
            case DENIED_CMD: return "NOPERM this user has no permissions to run the '" + spec.name + "' command";
            case DENIED_KEY: return "NOPERM this user has no permissions to access one of the keys used as arguments";
            case DENIED_CHANNEL: return "NOPERM this user has no permissions to access one of the channels used as arguments";
            default: return "ERR no permission";
        }
    }

    /** Redis's execCommand text for a queued command the ACL now refuses. */
    public static String execNoPermError(int reason) {
        String why;
        switch (reason) {
            case DENIED_CMD: why = "no permission to execute the command or subcommand"; break;
            case DENIED_KEY: why = "no permission to touch the specified keys"; break;
            case DENIED_CHANNEL: why = "no permission to access one of the channels used as arguments"; break;
            default: why = "no permission";
        }
        return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. "
                + "This command is no longer allowed for the following reason: " + why;
    }

    /** Redis's getAclErrorMessage: the reason a script's redis.call was refused. */
    public static String scriptError(int reason) {
        switch (reason) {
            case DENIED_CMD: return "The user executing the script can't run this command or subcommand";
            case DENIED_KEY: return "The user executing the script can't access at least one of the keys mentioned in the command arguments";
            case DENIED_CHANNEL: return "The user executing the script can't publish to the channel mentioned in the command";
            default: return "The user executing the script lacking the permissions for the command";
        }
    }

    // ---------------------------------------------------------------- the ACL log

    /** One ACL LOG entry (Redis's ACLLogEntry). */
    static final class LogEntry {
        long count = 1;
        int reason;
        int context;
        String object;
        String username;
        long ctime;
        String clientInfo;
    }

    /**
     * Redis's addACLLogEntry for a refused command: the object is the command's full name, or
     * the key or channel at {@code argpos}. {@code infoOf} is the client whose CLIENT LIST line
     * is logged (a script's caller).
     */
    public void logDenied(Client c, Client infoOf, int reason, int context, CommandSpec spec, RespRequest req, int argpos) {
        String object = reason == DENIED_CMD ? spec.name : latin1(req.bytes(argpos));
        AclUser u = c.user();
        log(infoOf, reason, context, u == null ? "default" : u.name, object);
    }

    private void log(Client c, int reason, int context, String username, String object) {
        LogEntry e = new LogEntry();
        e.reason = reason;
        e.context = context;
        e.username = username;
        e.object = object;
        e.ctime = System.currentTimeMillis();
        e.clientInfo = clientInfo.apply(c);
        synchronized (log) {
            int scan = 10;
            for (Iterator<LogEntry> it = log.iterator(); it.hasNext() && scan-- > 0; ) {
                LogEntry cur = it.next();
                if (cur.reason == e.reason && cur.context == e.context && Math.abs(cur.ctime - e.ctime) <= LOG_GROUPING_MILLIS
                        && cur.object.equals(e.object) && cur.username.equals(e.username)) {
                    it.remove();
                    cur.clientInfo = e.clientInfo;
                    cur.ctime = e.ctime;
                    cur.count++;
                    log.addFirst(cur);
                    return;
                }
            }
            log.addFirst(e);
            while (log.size() > logMaxLen) log.removeLast();
        }
    }

    /** The newest {@code count} log entries. */
    List<LogEntry> logEntries(long count) {
        synchronized (log) {
            List<LogEntry> out = new ArrayList<>();
            for (LogEntry e : log) {
                if (out.size() >= count) break;
                out.add(e);
            }
            return out;
        }
    }

    void resetLog() {
        synchronized (log) {
            log.clear();
        }
    }

    // ---------------------------------------------------------------- users

    /**
     * Redis's ACLStringSetUser: the rules are applied to a copy of the user (or a new one), and
     * only if all are valid does the user change; clients subscribed to channels the user may
     * no longer access are disconnected. Returns the error text, or null.
     */
    public synchronized String setUser(String name, List<String> rules) {
        List<String> merged = mergeSelectors(rules);
        if (merged == null) {
            return "Unmatched parenthesis in acl selector starting at '" + rules.get(unmatched(rules)) + "'.";
        }
        AclUser u = users.get(name);
        AclUser.State tmp = u == null ? AclUser.State.fresh(table, pubsubDefault) : u.state.copy();
        for (String op : merged) {
            try {
                tmp.apply(table, op, pubsubDefault);
            } catch (AclException e) {
                return "Error in ACL SETUSER modifier '" + op + "': " + e.getMessage();
            }
        }
        tmp.seal();
        if (u == null) {
            users.put(name, new AclUser(name, tmp));
        } else {
            AclUser.State old = u.state;
            u.state = tmp;
            killPubSubClientsIfNeeded(u, old, tmp);
        }
        return null;
    }

    /** ACL DELUSER: the number of users deleted; their connections are closed. */
    public synchronized int delUsers(Client self, List<String> names) {
        int deleted = 0;
        for (String n : names) {
            AclUser u = users.remove(n);
            if (u == null) continue;
            deleted++;
            killClientsOf(self, u);
        }
        return deleted;
    }

    /** Redis's ACLFreeUserAndKillClients: the caller is closed after its reply, the others at once. */
    private void killClientsOf(Client self, AclUser u) {
        for (Client c : new ArrayList<>(clients.get())) {
            if (c.user() != u) continue;
            c.user(defaultUser);
            c.authenticated(false);
            if (c == self) c.closeAfterReply();
            else c.kill();
        }
    }

    /** Redis's ACLKillPubsubClientsIfNeeded. */
    private void killPubSubClientsIfNeeded(AclUser u, AclUser.State original, AclUser.State updated) {
        List<AclSelector.ChannelPattern> upcoming = new ArrayList<>();
        for (AclSelector s : updated.selectors) {
            if ((s.flags & AclSelector.ALLCHANNELS) != 0) return;
            upcoming.addAll(s.channels);
        }
        boolean superset = true;
        for (AclSelector s : original.selectors) {
            if ((s.flags & AclSelector.ALLCHANNELS) != 0) {
                superset = false;
                break;
            }
            for (AclSelector.ChannelPattern p : s.channels) {
                boolean found = false;
                for (AclSelector.ChannelPattern q : upcoming) found |= q.text.equals(p.text);
                if (!found) superset = false;
            }
        }
        if (superset) return;
        for (Client c : new ArrayList<>(clients.get())) {
            if (c.user() != u || c.subscriptions() + c.patternSubscriptions() + c.shardSubscriptions() == 0) continue;
            boolean kill = false;
            for (byte[] p : subscriptions.of(c, 1)) kill |= !AclSelector.channelAllowed(upcoming, p, true);
            for (byte[] ch : subscriptions.of(c, 0)) kill |= !AclSelector.channelAllowed(upcoming, ch, false);
            for (byte[] ch : subscriptions.of(c, 2)) kill |= !AclSelector.channelAllowed(upcoming, ch, false);
            if (kill) {
                if (c.executing()) c.closeAfterReply();
                else c.kill();
            }
        }
    }

    synchronized List<AclUser> users() { return new ArrayList<>(users.values()); }

    /** "user NAME rules..." as ACL LIST and the ACL file show a user. */
    String describeLine(AclUser u) { return "user " + u.name + " " + u.state.describe(table); }

    String describe(AclUser.State s) { return s.describe(table); }

    AclTable table() { return table; }

    // ---------------------------------------------------------------- selectors in arguments

    /**
     * Redis's ACLMergeSelectorArguments: a selector spread over several arguments ("(~x" "+get)")
     * becomes one; null when a parenthesis is left open.
     */
    static List<String> mergeSelectors(List<String> args) {
        List<String> out = new ArrayList<>();
        StringBuilder selector = null;
        for (String op : args) {
            if (selector == null && !op.isEmpty() && op.charAt(0) == '(' && op.charAt(op.length() - 1) != ')') {
                selector = new StringBuilder(op);
                continue;
            }
            if (selector != null) {
                selector.append(' ').append(op);
                if (!op.isEmpty() && op.charAt(op.length() - 1) == ')') {
                    out.add(selector.toString());
                    selector = null;
                }
                continue;
            }
            out.add(op);
        }
        return selector == null ? out : null;
    }

    private static int unmatched(List<String> args) {
        int start = -1;
        for (int j = 0; j < args.size(); j++) {
            String op = args.get(j);
            if (start < 0 && !op.isEmpty() && op.charAt(0) == '(' && op.charAt(op.length() - 1) != ')') {
                start = j;
            } else if (start >= 0 && !op.isEmpty() && op.charAt(op.length() - 1) == ')') {
                start = -1;
            }
        }
        return Math.max(start, 0);
    }

    /** Redis's sdssplitargs (a selector's rules). */
    static List<String> splitArgs(String s) {
        List<String> l = ConfigFile.splitArgs(s);
        return l == null ? List.of(s) : l;
    }

    static boolean hasSpaces(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f' || c == 0) return true;
        }
        return false;
    }

    public static String latin1(byte[] b) { return new String(b, StandardCharsets.ISO_8859_1); }

    // ---------------------------------------------------------------- users from the configuration

    private final List<List<String>> configured = new ArrayList<>();

    /**
     * Redis's ACLAppendUserForLoading (a "user" directive): checked now, applied once the server
     * starts. Returns the error text, or null.
     */
    public synchronized String addConfiguredUser(List<String> argv) {
        if (argv.isEmpty()) return "Error in user declaration 'user': Wrong format";
        for (List<String> u : configured) {
            if (u.get(0).equals(argv.get(0))) return "Error in user declaration '" + argv.get(0) + "': " + AclException.DUPLICATE_USER;
        }
        List<String> rules = argv.subList(1, argv.size());
        List<String> merged = mergeSelectors(rules);
        if (merged == null) return "Error in user declaration '" + rules.get(unmatched(rules)) + "': Wrong format";
        AclUser.State fake = AclUser.State.fresh(table, pubsubDefault);
        for (int j = 0; j < merged.size(); j++) {
            try {
                fake.apply(table, merged.get(j), pubsubDefault);
            } catch (AclException e) {
                // Redis names the argument at the failing rule's index (counted from "user")
                if (!e.unknownName()) return "Error in user declaration '" + (j < argv.size() ? (j == 0 ? "user" : argv.get(j - 1)) : "") + "': " + e.getMessage();
            }
        }
        List<String> copy = new ArrayList<>();
        copy.add(argv.get(0));
        copy.addAll(merged);
        configured.add(copy);
        return null;
    }

    /**
     * Redis's ACLLoadUsersAtStartup: the users of "user" directives, or those of the ACL file
     * (both at once is refused). Returns the fatal error, or null.
     */
    public synchronized String loadAtStartup() {
        if (!aclFile.isEmpty() && !configured.isEmpty()) {
            return "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. "
                    + "This setup is very likely to lead to configuration errors and security holes, please define either "
                    + "an ACL file or declare users directly in your redis.conf, but not both.";
        }
        for (List<String> def : configured) {
            String name = def.get(0);
            if (hasSpaces(name)) return "Spaces not allowed in ACL usernames";
            AclUser u = users.get(name);
            AclUser.State s;
            if (u == null) {
                s = AclUser.State.fresh(table, pubsubDefault);
            } else {
                s = u.state.copy();
                try {
                    s.apply(table, "reset", pubsubDefault);
                } catch (AclException e) {
                    throw new IllegalStateException(e);
                }
            }
            for (String op : def.subList(1, def.size())) {
                try {
                    s.apply(table, op, pubsubDefault);
                } catch (AclException e) {
                    return "Error loading ACL rule '" + op + "' for the user named '" + name + "': " + e.getMessage();
                }
            }
            if (!s.enabled()) {
                Log.notice("The user '" + name + "' is disabled (there is no 'on' modifier in the user description). "
                        + "Make sure this is not a configuration error.");
            }
            if (u == null) users.put(name, new AclUser(name, s.seal()));
            else u.state = s.seal();
        }
        if (!aclFile.isEmpty()) {
            String errors = loadFile(null);
            if (errors != null) return "Aborting Redis startup because of ACL errors: " + errors;
        }
        return null;
    }

    /** The users for CONFIG REWRITE's "user" lines (none when an ACL file is used). */
    public synchronized List<String> configLines() {
        List<String> out = new ArrayList<>();
        if (!aclFile.isEmpty()) return out;
        for (AclUser u : users.values()) out.add(describeLine(u));
        return out;
    }

    // ---------------------------------------------------------------- the ACL file

    /**
     * Redis's ACLLoadFromFile: every line is checked and, only if the whole file is valid, the
     * users are replaced (the default user's rules copied into the existing default user, every
     * other user's connections closed). Returns the errors, or null.
     */
    public synchronized String loadFile(Client self) {
        String text;
        try {
            text = latin1(Files.readAllBytes(Path.of(aclFile)));
        } catch (IOException e) {
            return "Error loading ACLs, opening file '" + aclFile + "': " + ioReason(e);
        }
        StringBuilder errors = new StringBuilder();
        TreeMap<String, AclUser> loaded = new TreeMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNum = i + 1;
            String line = strip(lines[i], " \t\r\n");
            if (line.isEmpty()) continue;
            List<String> argv = new ArrayList<>(List.of(line.split(" ", -1)));
            if (!argv.get(0).equals("user") || argv.size() < 2) {
                errors.append(aclFile).append(':').append(lineNum).append(" should start with user keyword followed by the username. ");
                continue;
            }
            String name = argv.get(1);
            if (hasSpaces(name)) {
                errors.append("'").append(aclFile).append(':').append(lineNum).append(": username '").append(name)
                        .append("' contains invalid characters. ");
                continue;
            }
            if (loaded.containsKey(name)) {
                errors.append("WARNING: Duplicate user '").append(name).append("' found on line ").append(lineNum).append(". ");
                continue;
            }
            AclUser.State s = AclUser.State.fresh(table, pubsubDefault);
            loaded.put(name, new AclUser(name, s));
            List<String> merged = mergeSelectors(argv.subList(2, argv.size()));
            if (merged == null) {
                errors.append(aclFile).append(':').append(lineNum).append(": Unmatched parenthesis in selector definition.");
                merged = List.of();
            }
            boolean syntaxError = false;
            for (String op : merged) {
                op = strip(op, "\t\r\n");
                try {
                    s.apply(table, op, pubsubDefault);
                } catch (AclException e) {
                    if (e.unknownName()) {
                        errors.append(aclFile).append(':').append(lineNum).append(": Error in applying operation '").append(op)
                                .append("': ").append(e.getMessage()).append(". ");
                    } else if (!syntaxError) {
                        errors.append(aclFile).append(':').append(lineNum).append(": ").append(e.getMessage()).append(". ");
                        syntaxError = true;
                    }
                }
            }
            s.seal();
        }
        if (errors.length() > 0) {
            return errors.append("WARNING: ACL errors detected, no change to the previously active ACL rules was performed").toString();
        }
        AclUser newDefault = loaded.remove("default");
        defaultUser.state = newDefault != null ? newDefault.state : defaultState();
        TreeMap<String, AclUser> old = users;
        loaded.put("default", defaultUser);
        users = loaded;
        for (Map.Entry<String, AclUser> e : old.entrySet()) {
            if (e.getValue() != defaultUser) killClientsOf(self, e.getValue());
        }
        return null;
    }

    /** Redis's ACLSaveToFile: every user as a "user" line, written to a temporary file then renamed. */
    public synchronized boolean saveFile() {
        StringBuilder b = new StringBuilder();
        for (AclUser u : users.values()) b.append(describeLine(u)).append('\n');
        Path target = Path.of(aclFile);
        Path tmp = Path.of(aclFile + ".tmp-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis());
        try {
            Files.write(tmp, b.toString().getBytes(StandardCharsets.ISO_8859_1));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            Log.warning("Writing ACL file for ACL SAVE: " + e.getMessage());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
            return false;
        }
    }

    private static String ioReason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "No such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        return e.getMessage();
    }

    private static String strip(String s, String chars) {
        int a = 0;
        int b = s.length();
        while (a < b && chars.indexOf(s.charAt(a)) >= 0) a++;
        while (b > a && chars.indexOf(s.charAt(b - 1)) >= 0) b--;
        return s.substring(a, b);
    }
}
