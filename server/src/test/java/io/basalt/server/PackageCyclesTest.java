package io.basalt.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packages of {@code io.basalt.server} must not depend on each other in a cycle: a cycle
 * means no package can be understood, tested or replaced without the others, which is what the
 * package split is for (docs/architecture.md, "Package map").
 *
 * <p>Reads the compiled classes (as ArchUnit or jdeps would): every type a class uses is named in
 * its constant pool, including the ones it only reaches through a call chain such as
 * {@code c.server().keyspace()}, which never show as an import.
 *
 * <p>{@link #LAYERS} says which way dependencies go; a new package must be placed there.
 * {@link #KNOWN} lists the edges that still point up, each closing a cycle, with the reason it
 * exists. The tests fail on a cycle that does not go through a known edge, on any other edge
 * that points up, and on a known edge that no longer exists, so the list can only shrink.
 */
class PackageCyclesTest {
    private static final Path CLASSES = Path.of("target/classes/io/basalt/server");

    /**
     * The layers, bottom first: a package may use the packages of the layers below it (and of its
     * own layer, without a cycle), never the ones above. docs/architecture.md, "Package map".
     */
    static final List<Set<String>> LAYERS = List.of(
            Set.of("util", "config", "stats"),
            Set.of("client"),
            Set.of("command"),
            Set.of("module"),
            Set.of("exec"),
            Set.of("blocking", "pubsub"),
            Set.of("commands", "acl"),
            Set.of("tracking", "persist", "replication", "scripting", "cluster"),
            Set.of("admin"),
            Set.of("net"),
            Set.of("ops"),
            Set.of("(root)", "cli"));

    /**
     * Upward edges that still exist ("from -> to"), each closing a cycle: the debt left by the
     * package split, to be removed, never added to (see docs/architecture.md, "Package map").
     */
    static final Set<String> KNOWN = Set.of(
            // BasaltServer is still the handlers' service locator (c.server().keyspace() ...) and
            // some subsystems' (Client, Dispatcher, Persistence, AppendOnly, Backup, Monitoring
            // take it whole). Constructor injection, as Tracking, KeyspaceEvents, Blocking and
            // Propagation now have, and a narrower view for the handlers remove these.
            "client -> (root)",
            "exec -> (root)",
            "commands -> (root)",
            "persist -> (root)",
            "admin -> (root)",
            "net -> (root)",
            // the dispatcher builds Blocking and serves it after each command; BlockingCommands
            // reaches it as c.server().dispatcher().blocking(). BasaltServer is to build it and
            // register its serve step as a CommandHooks, as Tracking does
            "exec -> blocking",
            // MEMORY DOCTOR/STATS reuse INFO's used-memory figures
            "commands -> admin",
            // a connection carries its ACL user, and the dispatcher checks every command against
            // it (Acl.check, with the key positions of the CommandContext). A permission-check
            // interface in exec, implemented by acl, and the user held as that interface's type,
            // remove these
            "client -> acl",
            "exec -> acl");

    @Test
    void noCyclesBetweenServerPackages() throws IOException {
        Map<String, Map<String, Set<String>>> graph = dependencies();
        Map<String, Set<String>> checked = new TreeMap<>();
        graph.forEach((from, tos) -> {
            Set<String> kept = new TreeSet<>();
            for (String to : tos.keySet()) if (!KNOWN.contains(from + " -> " + to)) kept.add(to);
            checked.put(from, kept);
        });
        List<String> problems = new ArrayList<>();
        for (List<String> scc : stronglyConnected(checked)) {
            if (scc.size() < 2) continue;
            StringBuilder b = new StringBuilder("package cycle between " + scc + ":");
            for (String from : scc) {
                for (String to : checked.get(from)) {
                    if (scc.contains(to)) b.append("\n  ").append(from).append(" -> ").append(to)
                            .append(" (").append(graph.get(from).get(to)).append(')');
                }
            }
            problems.add(b.toString());
        }
        if (!problems.isEmpty()) fail(String.join("\n", problems));
    }

    @Test
    void dependenciesPointDownTheLayers() throws IOException {
        Map<String, Map<String, Set<String>>> graph = dependencies();
        List<String> problems = new ArrayList<>();
        graph.forEach((from, tos) -> tos.forEach((to, classes) -> {
            int f = layer(from), t = layer(to);
            if (f < 0) problems.add("package " + from + " has no layer in LAYERS");
            else if (t > f && !KNOWN.contains(from + " -> " + to)) {
                problems.add(from + " -> " + to + " points up the layers: " + classes);
            }
        }));
        for (String edge : KNOWN) {
            String[] e = edge.split(" -> ");
            if (!graph.getOrDefault(e[0], Map.of()).containsKey(e[1])) {
                problems.add("known edge " + edge + " is gone: remove it from KNOWN");
            }
        }
        if (!problems.isEmpty()) fail(String.join("\n", new TreeSet<>(problems)));
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) if (LAYERS.get(i).contains(pkg)) return i;
        return -1;
    }

    /** The test reads the compiled classes: make sure it found them and sees their dependencies. */
    @Test
    void readsTheClasses() throws IOException {
        Map<String, Map<String, Set<String>>> graph = dependencies();
        assertTrue(graph.containsKey("(root)") && graph.containsKey("commands"), graph.keySet().toString());
        assertTrue(graph.get("(root)").containsKey("config"), "BasaltServer uses config");
        assertTrue(graph.get("commands").containsKey("client"), "the handlers take a Client");
    }

    /** A class of the server module named inside a class file: its package path, then its name. */
    private static final Pattern REFERENCE = Pattern.compile("io/basalt/server/((?:[a-z]\\w*/)*)([A-Z][\\w$]*)");

    /** package -> package it depends on -> the classes that make the dependency ("A -> B"). */
    static Map<String, Map<String, Set<String>>> dependencies() throws IOException {
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(CLASSES)) {
            files = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path f : files) {
            String rel = CLASSES.relativize(f).toString().replace('\\', '/');
            int slash = rel.lastIndexOf('/');
            String from = name(slash < 0 ? "" : rel.substring(0, slash));
            String cls = outer(rel.substring(slash + 1).replace(".class", ""));
            Map<String, Set<String>> out = graph.computeIfAbsent(from, k -> new TreeMap<>());
            for (String text : utf8Constants(Files.readAllBytes(f))) {
                Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    String path = m.group(1);
                    String to = name(path.isEmpty() ? "" : path.substring(0, path.length() - 1));
                    if (!to.equals(from)) out.computeIfAbsent(to, k -> new TreeSet<>()).add(cls + " -> " + outer(m.group(2)));
                }
            }
        }
        return graph;
    }

    private static String name(String path) {
        return path.isEmpty() ? "(root)" : path.replace('/', '.');
    }

    private static String outer(String binaryName) {
        int d = binaryName.indexOf('$');
        return d < 0 ? binaryName : binaryName.substring(0, d);
    }

    /**
     * The UTF-8 entries of a class file's constant pool: every class, field and method type the
     * class names (class references, descriptors, generic signatures) is spelled out in them.
     */
    static List<String> utf8Constants(byte[] b) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
        if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        List<String> out = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> out.add(in.readUTF());
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // long and double take two slots
                }
                case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        return out;
    }

    /** Tarjan's strongly connected components. */
    static List<List<String>> stronglyConnected(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : g.keySet()) {
            if (!index.containsKey(v)) strongConnect(v, g, index, low, stack, onStack, out, counter);
        }
        return out;
    }

    private static void strongConnect(String v, Map<String, Set<String>> g, Map<String, Integer> index,
                                      Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                      List<List<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, g, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> scc = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                scc.add(w);
            } while (!w.equals(v));
            out.add(scc);
        }
    }
}
