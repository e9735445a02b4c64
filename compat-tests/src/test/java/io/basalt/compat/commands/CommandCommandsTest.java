package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COMMAND and its subcommands against redis-server. Redis lists commands (and the subcommands
 * of a container) in the order of a randomly seeded hash table, different in every process, so
 * whole lists are compared as sets of entries, each entry byte for byte. Containers are compared
 * with Redis's entry cut down to the subcommands Basalt implements.
 */
class CommandCommandsTest extends DifferentialTest {

    private static CommandTable table() { return BasaltInstance.shared().server().commands(); }

    /** Every command with a handler, Basalt's extension commands (basalt.*) included. */
    private static List<CommandSpec> implemented() { return new ArrayList<>(table().commands()); }

    /** The implemented commands Redis has, which must look exactly like Redis's. */
    private static List<CommandSpec> redisCommands() {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec s : table().commands()) if (!table().isExtension(s.name)) out.add(s);
        return out;
    }

    private static Set<String> implementedNames() {
        Set<String> names = new TreeSet<>();
        for (CommandSpec s : redisCommands()) {
            names.add(s.name);
            for (CommandSpec sub : s.subcommands().values()) if (sub.handler() != null) names.add(sub.name);
        }
        return names;
    }

    @Test
    void helpCountAndErrors() {
        same("COMMAND", "HELP");
        same("COMMAND", "NOSUCH");
        same("COMMAND", "COUNT", "x");
        same("COMMAND", "HELP", "x");
        same("COMMAND", "LIST", "FOO");
        same("COMMAND", "LIST", "FILTERBY", "FOO", "x");
        same("COMMAND", "LIST", "FILTERBY", "PATTERN");
        same("COMMAND", "LIST", "FILTERBY", "MODULE", "nosuch");
        same("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcategory");
        same("COMMAND", "GETKEYS");
        assertEquals(implemented().size(), basalt.call("COMMAND", "COUNT").number());
        assertEquals(basalt.call("COMMAND", "COUNT").number(), basalt.call("COMMAND").size());
    }

    @Test
    void infoOfEveryImplementedCommandIsRedisOwn() {
        for (boolean three : new boolean[]{false, true}) {
            if (three) resp3();
            for (CommandSpec s : redisCommands()) {
                RespValue r = redis.call("COMMAND", "INFO", s.name);
                RespValue b = basalt.call("COMMAND", "INFO", s.name);
                assertEquals(normalizeInfo(r.get(0)), normalizeInfo(b.get(0)), s.name + (three ? " resp3" : " resp2"));
                for (CommandSpec sub : s.subcommands().values()) {
                    if (sub.handler() == null) continue;
                    same("COMMAND", "INFO", sub.name);
                    same("COMMAND", "INFO", sub.name.toUpperCase());
                }
            }
        }
    }

    @Test
    void infoOfUnknownOrUnimplementedNamesIsNull() {
        same("COMMAND", "INFO", "nosuch");
        same("COMMAND", "INFO", "get", "nosuch", "GET", "client|nosuch", "a|b|c");
        resp3();
        same("COMMAND", "INFO", "nosuch", "get");
        assertTrue(basalt.call("COMMAND", "INFO", "module|load").get(0).isNull());
        assertTrue(basalt.call("COMMAND", "INFO", "module|list").get(0).isNull());
    }

    @Test
    void commandWithoutArgumentsListsEveryImplementedCommandOnce() {
        for (boolean three : new boolean[]{false, true}) {
            if (three) resp3();
            RespValue all = basalt.call("COMMAND");
            RespValue info = basalt.call("COMMAND", "INFO");
            assertEquals(all.rawString(), info.rawString());
            Map<String, String> byName = new TreeMap<>();
            for (RespValue e : all.elements()) byName.put(e.get(0).string(), normalizeInfo(e));
            assertEquals(implemented().size(), byName.size());
            byName.keySet().removeIf(n -> table().isExtension(n)); // checked in CommandTableTest
            Map<String, String> expected = new TreeMap<>();
            for (RespValue e : redis.call("COMMAND").elements()) {
                String name = e.get(0).string();
                if (byName.containsKey(name)) expected.put(name, normalizeInfo(e));
            }
            assertEquals(expected, byName);
        }
    }

    @Test
    void docsMatchRedisForPlainCommands() {
        for (boolean three : new boolean[]{false, true}) {
            if (three) resp3();
            // what redis-cli fetches for its interactive hints
            same("COMMAND", "DOCS", "get");
            same("COMMAND", "DOCS", "set");
            same("COMMAND", "DOCS", "ping", "echo", "select");
            same("COMMAND", "DOCS", "hello");
            same("COMMAND", "DOCS", "nosuch");
            same("COMMAND", "DOCS", "get", "nosuch", "client|id", "CLIENT|KILL");
            // not implemented by Basalt: absent, like an unknown name
            assertEquals(0, basalt.call("COMMAND", "DOCS", "module|load").size());
            for (CommandSpec s : redisCommands()) {
                RespValue r = redis.call("COMMAND", "DOCS", s.name);
                RespValue b = basalt.call("COMMAND", "DOCS", s.name);
                assertEquals(normalizeDocs(r), normalizeDocs(b), s.name);
            }
        }
    }

    @Test
    void docsWithoutArgumentsCoverEveryImplementedCommand() {
        for (boolean three : new boolean[]{false, true}) {
            if (three) resp3();
            RespValue b = basalt.call("COMMAND", "DOCS");
            assertEquals(three ? '%' : '*', b.type());
            Map<String, String> got = new TreeMap<>();
            for (int i = 0; i < b.size(); i += 2) got.put(b.get(i).string(), b.get(i + 1).rawString());
            assertEquals(implemented().size(), got.size());
            for (CommandSpec s : implemented()) {
                assertEquals(normalizeDocs(basalt.call("COMMAND", "DOCS", s.name)),
                        normalizeDocs(mapOf(s.name, b)), s.name);
            }
        }
    }

    @Test
    void listMatchesRedisRestrictedToImplementedCommands() {
        Set<String> mine = implementedNames();
        Set<String> listed = asSet(basalt.call("COMMAND", "LIST"));
        assertTrue(listed.remove("basalt.backup"), "COMMAND LIST lists the extension commands too");
        assertEquals(Set.of("basalt.backup"), asSet(basalt.call("COMMAND", "LIST", "FILTERBY", "MODULE", "basalt")));
        assertEquals(mine, listed);
        assertEquals(filter(asSet(redis.call("COMMAND", "LIST")), mine), listed);
        for (String[] f : new String[][]{{"PATTERN", "client*"}, {"PATTERN", "*GET*"}, {"pattern", "c?ient|[ik]*"},
                {"ACLCAT", "connection"}, {"aclcat", "READ"}, {"ACLCAT", "dangerous"}, {"MODULE", "x"}}) {
            Set<String> r = filter(asSet(redis.call("COMMAND", "LIST", "FILTERBY", f[0], f[1])), mine);
            Set<String> b = asSet(basalt.call("COMMAND", "LIST", "FILTERBY", f[0], f[1]));
            b.removeIf(n -> table().isExtension(n));
            assertEquals(r, b, String.join(" ", f));
        }
    }

    @Test
    void getkeys() {
        for (boolean three : new boolean[]{false, true}) {
            if (three) resp3();
            same("COMMAND", "GETKEYS", "get", "k");
            same("COMMAND", "GETKEYS", "GET", "k");
            same("COMMAND", "GETKEYS", "set", "k", "v", "EX", "10");
            same("COMMAND", "GETKEYS", "nosuch", "k");
            same("COMMAND", "GETKEYS", "get");
            same("COMMAND", "GETKEYS", "get", "a", "b");
            same("COMMAND", "GETKEYS", "set", "k");
            same("COMMAND", "GETKEYS", "ping", "x");
            same("COMMAND", "GETKEYS", "client", "list");
            same("COMMAND", "GETKEYS", "client");
            same("COMMAND", "GETKEYS", "client", "nosuch");
            same("COMMAND", "GETKEYS", "command", "getkeys", "get", "x");
            same("COMMAND", "GETKEYSANDFLAGS", "get", "k");
            same("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v");
            same("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "get");
            same("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "NX", "GET");
            same("COMMAND", "GETKEYSANDFLAGS", "nosuch");
            // keys found by a command's own key finder (movablekeys): each with its spec's flags
            same("COMMAND", "GETKEYSANDFLAGS", "sort", "k1", "store", "k2");
            same("COMMAND", "GETKEYSANDFLAGS", "sort", "k1", "limit", "0", "1", "get", "#", "store", "k2");
            same("COMMAND", "GETKEYSANDFLAGS", "sort_ro", "k1");
            same("COMMAND", "GETKEYSANDFLAGS", "migrate", "h", "1", "", "0", "100", "keys", "a", "b", "c");
            same("COMMAND", "GETKEYSANDFLAGS", "georadius", "k1", "0", "0", "1", "km", "storedist", "k3");
        }
    }

    @Test
    void helpAndDocsParseLikeRedisCliExpects() {
        // redis-cli turns each COMMAND DOCS entry into a hint from "arguments"; the entries must
        // be maps with the keys Redis gives, for RESP2 (flat) and RESP3
        RespValue docs = basalt.call("COMMAND", "DOCS", "set");
        RespValue set = docs.field("set");
        assertNotNull(set);
        assertNotNull(set.field("arguments"));
        assertEquals("string", set.field("group").string());
        assertEquals("1.0.0", set.field("since").string());
    }

    // ---------------------------------------------------------------- helpers

    private static RespValue mapOf(String name, RespValue docsMap) {
        for (int i = 0; i < docsMap.size(); i += 2) {
            if (docsMap.get(i).string().equals(name)) {
                return new RespValue(docsMap.type(), null, 0, List.of(docsMap.get(i), docsMap.get(i + 1)),
                        null);
            }
        }
        throw new AssertionError("no docs for " + name);
    }

    private static Set<String> asSet(RespValue v) {
        Set<String> s = new TreeSet<>();
        for (RespValue e : v.elements()) s.add(e.string());
        return s;
    }

    private static Set<String> filter(Set<String> s, Set<String> keep) {
        Set<String> out = new TreeSet<>(s);
        out.retainAll(keep);
        return out;
    }

    /**
     * A COMMAND INFO entry as text: its own bytes, except that a container's subcommand
     * entries are reduced to those Basalt implements and sorted (Redis's order is random).
     */
    static String normalizeInfo(RespValue e) {
        if (e.isNull() || e.size() < 10 || e.get(9).size() == 0) return e.rawString();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) sb.append(e.get(i).rawString());
        Set<String> subs = new TreeSet<>();
        for (RespValue sub : e.get(9).elements()) {
            CommandSpec spec = table().get(sub.get(0).string());
            if (spec != null && spec.handler() != null) subs.add(sub.rawString());
        }
        sb.append("subcommands:").append(subs);
        return sb.toString();
    }

    /** A COMMAND DOCS reply as text, with "subcommands" cut to Basalt's and sorted. */
    static String normalizeDocs(RespValue docsMap) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < docsMap.size(); i += 2) {
            sb.append(docsMap.get(i).rawString());
            RespValue d = docsMap.get(i + 1);
            for (int k = 0; k < d.size(); k += 2) {
                sb.append(d.get(k).rawString());
                if ("subcommands".equals(d.get(k).string())) {
                    Map<String, String> subs = new TreeMap<>();
                    RespValue m = d.get(k + 1);
                    for (int j = 0; j < m.size(); j += 2) {
                        CommandSpec spec = table().get(m.get(j).string());
                        if (spec != null && spec.handler() != null) subs.put(m.get(j).string(), m.get(j + 1).rawString());
                    }
                    sb.append(subs);
                } else {
                    sb.append(d.get(k + 1).rawString());
                }
            }
        }
        return sb.toString();
    }
}
