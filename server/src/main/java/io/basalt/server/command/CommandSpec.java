package io.basalt.server.command;

import io.basalt.resp.RespRequest;
import io.basalt.resp.RespValue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * One command (or subcommand) as data: the metadata Redis 7.0 publishes for it through COMMAND
 * (arity, flags, key positions, ACL categories) and COMMAND DOCS, plus Basalt's handler and
 * statistics. Dispatch, COMMAND/COMMAND INFO/DOCS/GETKEYS, INFO commandstats and key locking all
 * read from here, so they cannot disagree.
 */
public final class CommandSpec {
    /** Full name as Redis prints it: "get", or "config|get" for a subcommand. */
    public final String name;
    /** Name as the user types it: "get", or "get" for "config|get". */
    public final String shortName;
    public final CommandSpec parent;
    public final int arity;
    public final Set<String> flags;
    public final int firstKey;
    public final int lastKey;
    public final int keyStep;
    public final boolean write;
    public final boolean readonly;
    public final boolean noAuth;
    public final boolean denyOom;
    public final boolean movableKeys;
    /** {@link CommandFlags} bits: the published flags and the command's roles. */
    public final int bits;
    /** ACL categories ({@link io.basalt.server.command.AclCategories} bits) from the metadata. */
    public final long aclCategories;
    /** The command's index in ACL permission bitmaps (Redis's command id), set by the table. */
    public int aclId = -1;
    /**
     * The key access ({@link KeySpec#ACL_READ}/{@link KeySpec#ACL_WRITE}) every key of this
     * command needs when the legacy key range finds exactly the keys of its specs and they all ask
     * the same (GET, MGET, DEL...): the ACL check then reads the positions the dispatcher found
     * anyway. -1 when the keys must be found per spec (several kinds, movable or variable flags).
     */
    public final int aclUniformKeyAccess;
    /** This command's entry of the COMMAND reply, decoded from Redis's RESP3 reply. */
    public final RespValue info;
    /** This command's entry of the COMMAND DOCS reply (the value of the name -> docs map), or null. */
    RespValue docs;
    final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();

    Handler handler;
    KeyFinder keyFinder;
    /** Where the flags depend on the arguments (scripts), else null: {@link #flags(RespRequest)}. */
    FlagsFinder flagsFinder;
    /** Redis's key specs of this command (COMMAND INFO's 9th element). */
    final KeySpec[] keySpecs;
    private final boolean hasKeySpec;
    private final boolean hasVariableFlags;
    /** A spec of unknown type or flagged incomplete: only the command's own code knows all its keys. */
    private final boolean hasUnknownSpec;

    public final LongAdder calls = new LongAdder();
    public final LongAdder usec = new LongAdder();
    public final LongAdder rejectedCalls = new LongAdder();
    public final LongAdder failedCalls = new LongAdder();

    CommandSpec(String name, CommandSpec parent, int arity, Set<String> flags, int firstKey, int lastKey,
                int keyStep, RespValue info) {
        this.name = name;
        this.parent = parent;
        this.shortName = parent == null ? name : name.substring(name.indexOf('|') + 1);
        this.arity = arity;
        this.flags = flags;
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.keyStep = keyStep;
        this.info = info;
        this.write = flags.contains("write");
        this.readonly = flags.contains("readonly");
        this.noAuth = flags.contains("no_auth");
        this.denyOom = flags.contains("denyoom");
        this.movableKeys = flags.contains("movablekeys");
        this.bits = CommandFlags.of(flags, name, parent == null ? name : parent.name);
        this.keySpecs = KeySpec.of(info);
        boolean any = false;
        boolean vf = false;
        boolean unknown = false;
        for (KeySpec k : keySpecs) {
            any |= !k.notKey;
            vf |= k.variableFlags;
            unknown |= k.unknownType() || k.incomplete;
        }
        this.hasKeySpec = any;
        this.hasVariableFlags = vf;
        this.hasUnknownSpec = unknown;
        this.aclCategories = io.basalt.server.command.AclCategories.of(info);
        int uniform = -2;
        for (KeySpec k : keySpecs) {
            if (k.notKey) continue;
            if (uniform == -2) uniform = k.aclAccess;
            else if (uniform != k.aclAccess) uniform = -1;
        }
        this.aclUniformKeyAccess = uniform < 0 || movableKeys || vf || unknown ? -1 : uniform;
    }

    /** The ACL key access ({@link KeySpec#ACL_READ}/{@link KeySpec#ACL_WRITE}) of key spec {@code spec}. */
    public int aclKeyAccess(int spec) { return keySpecs[spec].aclAccess; }

    /** The union of the ACL key access of every key spec: what a key found by a key finder needs at most. */
    public int aclKeyAccessAll() {
        int a = 0;
        for (KeySpec k : keySpecs) if (!k.notKey) a |= k.aclAccess;
        return a;
    }

    /** Whether the command has any of the {@link CommandFlags} {@code flag}. */
    public boolean is(int flag) { return (bits & flag) != 0; }

    /**
     * Redis's getCommandFlags: the flags of this call of the command, which for EVAL, EVALSHA and
     * FCALL (and their _RO forms) are their script's declared ones; {@link #bits} for the rest.
     */
    public int flags(RespRequest req) {
        FlagsFinder f = flagsFinder;
        return f == null ? bits : f.flags(bits, req);
    }

    /**
     * Whether argument {@code i} of {@code req} is a secret that the slow log and MONITOR show as
     * "(redacted)": AUTH and HELLO ... AUTH passwords and ACL SETUSER's arguments, as Redis redacts them.
     */
    public boolean redacted(RespRequest req, int i) {
        if (name.equals("auth")) return i >= 1;
        // ACL SETUSER: the user name and every rule (passwords among them), as Redis redacts them
        if (name.equals("acl|setuser")) return i >= 2;
        if (name.equals("hello") && i >= 3) {
            return req.is(i - 1, "AUTH") || req.is(i - 2, "AUTH");
        }
        return false;
    }

    /** Redis's doesCommandHaveKeys: a key spec that is not "not_key", or a key finder of its own. */
    public boolean hasKeys() { return hasKeySpec || keyFinder != null; }

    /** A key spec flagged variable_flags: the real flags depend on the arguments (SET ... GET, BITFIELD). */
    public boolean hasVariableFlags() { return hasVariableFlags; }

    public boolean noMandatoryKeys() { return is(CommandFlags.NO_MANDATORY_KEYS); }

    /** Key specs in Redis's order; {@link #keyFlags(int)} gives a spec's flags. */
    public int keySpecCount() { return keySpecs.length; }

    public RespValue keyFlags(int spec) { return keySpecs[spec].flags; }

    /** Index of the first spec that describes real keys (not "not_key"), or -1. */
    public int firstKeySpec() {
        for (int i = 0; i < keySpecs.length; i++) if (!keySpecs[i].notKey) return i;
        return -1;
    }

    public Handler handler() { return handler; }

    public KeyFinder keyFinder() { return keyFinder; }

    public RespValue docs() { return docs; }

    public boolean isContainer() { return !subcommands.isEmpty(); }

    public Map<String, CommandSpec> subcommands() { return subcommands; }

    public boolean arityOk(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /**
     * Argument indexes of the keys of {@code args}, written to {@code out}; returns the count, or
     * -1 when a movable-keys command's arguments don't say where its keys are.
     */
    public int keys(io.basalt.resp.RespRequest args, int[] out) {
        if (keyFinder != null) return keyFinder.keys(args, out);
        if (movableKeys) {
            // keys found by Redis's own key specs; where one cannot be applied (malformed
            // arguments, or a spec of unknown type) the keys the others find are still locked
            int n = KeySpec.find(keySpecs, args, 0, out, null, false);
            return n >= 0 ? n : KeySpec.find(keySpecs, args, 0, out, null, true);
        }
        if (firstKey <= 0) return 0;
        int last = lastKey < 0 ? args.argc() + lastKey : lastKey;
        int n = 0;
        for (int i = firstKey; i <= last && i < args.argc() && n < out.length; i += keyStep) out[n++] = i;
        return n;
    }

    /**
     * Keys of a command given inside another one (COMMAND GETKEYS: {@code base} is 2), following
     * Redis's getKeysFromCommandWithSpecs: the key specs when they are reliable, else the
     * command's own key finder. Without a finder, specs of unknown type are skipped (what
     * Redis's native finders return for the well-formed part) and malformed arguments give no keys.
     * Positions are relative to {@code base}; {@code specOf[i]} is the spec that found key i,
     * or -1 when a key finder found it.
     */
    public int keysAt(io.basalt.resp.RespRequest req, int base, int[] pos, int[] specOf) {
        if (hasKeySpec && !hasVariableFlags) {
            int n = KeySpec.find(keySpecs, req, base, pos, specOf, false);
            if (n >= 0) return n;
        }
        if (keyFinder != null) {
            byte[][] argv = new byte[req.argc() - base][];
            for (int i = 0; i < argv.length; i++) argv[i] = req.bytes(base + i);
            int n = keyFinder.keys(io.basalt.resp.RespRequest.of(argv), pos);
            for (int i = 0; i < n; i++) {
                int spec = keyFinder.spec(i, n);
                specOf[i] = spec >= 0 && spec < keySpecs.length ? spec : -1;
            }
            return Math.max(n, 0);
        }
        // specs of unknown type are skipped (what Redis's native finders return for the
        // well-formed part); variable-flags specs still give the right positions
        return Math.max(0, KeySpec.find(keySpecs, req, base, pos, specOf, hasUnknownSpec));
    }

    public void resetStats() {
        calls.reset();
        usec.reset();
        rejectedCalls.reset();
        failedCalls.reset();
    }
}
