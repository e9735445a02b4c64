package io.basalt.server.command;

import io.basalt.resp.Ascii;
import io.basalt.resp.RespReader;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command table. Its metadata is Redis 7.0's own, captured from a real redis-server by
 * {@code tools/gen-command-metadata.py} into {@code command-info.resp3} / {@code command-docs.resp3};
 * Basalt adds handlers. A command without a handler is unknown to clients, exactly like a
 * command Redis does not have.
 */
public final class CommandTable {
    private final Map<String, CommandSpec> all = new LinkedHashMap<>();
    private final Map<String, CommandSpec> implemented = new LinkedHashMap<>();
    // open-addressed lookup by lower-case name bytes, so dispatch allocates nothing
    private byte[][] names = new byte[0][];
    private CommandSpec[] specs = new CommandSpec[0];

    public CommandTable() {
        RespValue info = load("command-info.resp3");
        for (RespValue entry : info.elements()) {
            CommandSpec spec = fromInfo(entry, null);
            all.put(spec.name, spec);
        }
        // Basalt's own commands, named and described like module commands (basalt.*): the only
        // names besides Redis's that may get a handler (tools/gen-extension-metadata.py)
        for (RespValue entry : load("extension-command-info.resp3").elements()) {
            CommandSpec spec = fromInfo(entry, null);
            if (all.containsKey(spec.name)) throw new IllegalStateException("extension " + spec.name + " is a Redis command");
            all.put(spec.name, spec);
            extensions.add(spec.name);
        }
        docs(load("command-docs.resp3"));
        docs(load("extension-command-docs.resp3"));
        // ACL command ids, in metadata order (Redis numbers its table the same way, containers
        // before their subcommands)
        int id = 0;
        for (CommandSpec c : all.values()) {
            c.aclId = id++;
            for (CommandSpec s : c.subcommands.values()) s.aclId = id++;
        }
        aclIds = id;
    }

    private int aclIds;

    /** How many ACL command ids there are (the size of a user's command bitmap). */
    public int aclIdCount() { return aclIds; }

    /**
     * Redis's ACLLookupCommand: a command of Redis 7.0's table (implemented or not) by its full
     * name, "get" or "config|get" (case-insensitive); null if there is none. A name with a
     * subcommand part is only found for a container; more than one '|' finds nothing.
     */
    public CommandSpec aclLookup(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        int bar = n.indexOf('|');
        if (bar < 0) return all.get(n);
        if (n.indexOf('|', bar + 1) >= 0) return null;
        CommandSpec parent = all.get(n.substring(0, bar));
        if (parent == null || parent.subcommands.isEmpty()) return null;
        return parent.subcommands.get(n);
    }

    private final Set<String> extensions = new HashSet<>();

    /** True for Basalt's own commands (not Redis commands), such as basalt.backup. */
    public boolean isExtension(String name) { return extensions.contains(name); }

    private void docs(RespValue docs) {
        for (int i = 0; i + 1 < docs.size(); i += 2) {
            String name = docs.get(i).string();
            CommandSpec spec = all.get(name);
            if (spec == null) continue;
            spec.docs = docs.get(i + 1);
            RespValue subDocs = spec.docs.field("subcommands");
            if (subDocs != null) {
                for (int k = 0; k + 1 < subDocs.size(); k += 2) {
                    CommandSpec sub = spec.subcommands.get(subDocs.get(k).string());
                    if (sub != null) sub.docs = subDocs.get(k + 1);
                }
            }
        }
    }

    private static RespValue load(String resource) {
        try (InputStream in = CommandTable.class.getResourceAsStream("/io/basalt/server/" + resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return new RespReader(new java.io.BufferedInputStream(in)).read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CommandSpec fromInfo(RespValue e, CommandSpec parent) {
        String name = e.get(0).string();
        Set<String> flags = new HashSet<>();
        for (RespValue f : e.get(2).elements()) flags.add(f.string());
        CommandSpec spec = new CommandSpec(name, parent, (int) e.get(1).number(), flags,
                (int) e.get(3).number(), (int) e.get(4).number(), (int) e.get(5).number(), e);
        if (e.size() > 9) {
            for (RespValue sub : e.get(9).elements()) {
                CommandSpec s = fromInfo(sub, spec);
                spec.subcommands.put(s.name, s);
            }
        }
        return spec;
    }

    /**
     * Gives {@code name} ("get", "config|get") a handler. Fails fast when Redis 7.0 has no such
     * command and it is not one of Basalt's declared extension commands: Basalt never invents
     * commands under Redis's names.
     */
    public CommandSpec register(String name, Handler handler) {
        CommandSpec spec = find(name);
        if (spec == null) throw new IllegalArgumentException("Redis 7.0 has no command " + name);
        if (spec.handler != null) throw new IllegalStateException("two handlers for " + name);
        spec.handler = handler;
        CommandSpec top = spec.parent == null ? spec : spec.parent;
        if (!implemented.containsKey(top.name)) {
            implemented.put(top.name, top);
            index(top);
        }
        return spec;
    }

    /** Sets how a movable-keys command finds its keys. */
    public void keys(String name, KeyFinder finder) {
        find(name).keyFinder = finder;
    }

    /** Sets how a command's flags follow from its arguments (EVAL's shebang, FCALL's function). */
    public void flags(String name, FlagsFinder finder) {
        find(name).flagsFinder = finder;
    }

    private CommandSpec find(String name) {
        int bar = name.indexOf('|');
        if (bar < 0) return all.get(name);
        CommandSpec parent = all.get(name.substring(0, bar));
        return parent == null ? null : parent.subcommands.get(name);
    }

    private void index(CommandSpec top) {
        int cap = Integer.highestOneBit(Math.max(implemented.size() * 4, 64));
        byte[][] n = new byte[cap][];
        CommandSpec[] s = new CommandSpec[cap];
        for (CommandSpec spec : implemented.values()) {
            byte[] b = spec.name.getBytes(StandardCharsets.US_ASCII);
            int h = hash(b, 0, b.length) & (cap - 1);
            while (n[h] != null) h = (h + 1) & (cap - 1);
            n[h] = b;
            s[h] = spec;
        }
        names = n;
        specs = s;
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 0;
        for (int i = off; i < off + len; i++) h = h * 31 + Ascii.lower(b[i] & 0xff);
        return h ^ (h >>> 16);
    }

    /** The implemented top-level command named by argument {@code i}, case-insensitively, or null. */
    public CommandSpec lookup(RespRequest req, int i) {
        int len = req.length(i);
        if (len > 32) return null;
        int off = req.offset(i);
        io.netty.buffer.ByteBuf buf = req.buffer();
        int h = 0;
        for (int k = 0; k < len; k++) h = h * 31 + Ascii.lower(buf.getByte(off + k) & 0xff);
        h ^= h >>> 16;
        int mask = names.length - 1;
        for (int p = h & mask; names[p] != null; p = (p + 1) & mask) {
            byte[] n = names[p];
            if (n.length != len) continue;
            boolean eq = true;
            for (int k = 0; k < len && eq; k++) eq = Ascii.lower(buf.getByte(off + k) & 0xff) == n[k];
            if (eq) return specs[p];
        }
        return null;
    }

    /** Implemented subcommand of {@code parent} named by argument 1, or null. */
    public CommandSpec lookupSub(CommandSpec parent, RespRequest req) {
        CommandSpec sub = parent.subcommands.get(parent.name + "|" + req.lowerString(1));
        return sub != null && sub.handler != null ? sub : null;
    }

    /**
     * The implemented command named by argument {@code base} of {@code req} with the rest as its
     * arguments (Redis's lookupCommand on argv+base): a subcommand when the command is a
     * container and a second word follows, else the command itself; null if Basalt lacks it.
     */
    public CommandSpec lookupAt(RespRequest req, int base) {
        CommandSpec spec = lookup(req, base);
        if (spec == null || !spec.isContainer() || req.argc() - base < 2) return spec;
        CommandSpec sub = spec.subcommands.get(spec.name + "|" + req.lowerString(base + 1));
        return sub != null && sub.handler != null ? sub : null;
    }

    /** Redis 7.0's metadata for a command or "container|subcommand", implemented or not (tests, tools). */
    public CommandSpec metadata(String name) {
        return find(name);
    }

    /** Every command Redis 7.0 has, implemented or not, in metadata order (tests, tools). */
    public Collection<CommandSpec> allCommands() { return all.values(); }

    /** Implemented top-level commands, in Redis's metadata order. */
    public Collection<CommandSpec> commands() { return implemented.values(); }

    /** Implemented top-level command by lower-case name, or null. */
    public CommandSpec get(String name) {
        CommandSpec s = find(name);
        if (s == null) return null;
        CommandSpec top = s.parent == null ? s : s.parent;
        return implemented.containsKey(top.name) && (s.handler != null || s.isContainer()) ? s : null;
    }

    /** Every implemented command and subcommand (for stats). */
    public List<CommandSpec> allSpecs() {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec c : implemented.values()) {
            if (c.handler != null) out.add(c);
            for (CommandSpec s : c.subcommands.values()) if (s.handler != null) out.add(s);
        }
        return out;
    }

    /** Commands of Redis 7.0 that have metadata but no handler: what is left to build. */
    public List<String> missing() {
        List<String> out = new ArrayList<>();
        for (CommandSpec c : all.values()) {
            if (c.isContainer()) {
                for (CommandSpec s : c.subcommands.values()) if (s.handler == null) out.add(s.name);
            } else if (c.handler == null) {
                out.add(c.name);
            }
        }
        return out;
    }
}
