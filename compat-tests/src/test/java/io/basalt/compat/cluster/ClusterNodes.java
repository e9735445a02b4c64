package io.basalt.compat.cluster;

import redis.clients.jedis.Jedis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster of separate OS processes on 127.0.0.1 for cluster tests (DESIGN.md §5: nodes in
 * tests are processes, so kill -9 and restarts are real). Each node is a real {@code redis-server}
 * or a Basalt JVM, started from a redis.conf in a temporary directory of its own with
 * {@code cluster-enabled yes} and {@code cluster-config-file nodes.conf}, so that a node restarted
 * from its directory comes back with its identity and its view of the cluster, as in production.
 *
 * <p>The cluster is formed, extended and checked with {@code redis-cli --cluster} (the tool users
 * run, and the one whose protocol Basalt must satisfy, research/cluster.md §1.7), never by
 * sending CLUSTER MEET/ADDSLOTS ourselves. Every process is stopped by its PID on
 * {@link #close()}, and killed on JVM exit if a test forgot.
 */
public final class ClusterNodes implements AutoCloseable {
    /** What a node runs. */
    public enum Kind { REDIS, BASALT }

    /**
     * Which kinds a test cluster is made of. Each test says which layouts it runs by default (the
     * suite's time budget); {@code -Dbasalt.cluster.nodes} or {@code BASALT_CLUSTER_NODES}
     * (comma-separated layouts, or {@code all}) chooses others, e.g. {@code redis} to prove a
     * test against the reference alone.
     */
    public enum Layout {
        REDIS, BASALT, MIXED;

        /** Kinds for n nodes; MIXED alternates, starting with redis-server. */
        public List<Kind> kinds(int n) {
            List<Kind> k = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                k.add(this == REDIS ? Kind.REDIS : this == BASALT ? Kind.BASALT : i % 2 == 0 ? Kind.REDIS : Kind.BASALT);
            }
            return k;
        }

        /** The kind of an extra node added later (a join): Basalt in a mixed cluster. */
        public Kind extra() {
            return this == REDIS ? Kind.REDIS : Kind.BASALT;
        }

        public boolean enabled(Layout... byDefault) {
            String v = System.getProperty("basalt.cluster.nodes", System.getenv("BASALT_CLUSTER_NODES"));
            if (v == null || v.isBlank()) return java.util.Arrays.asList(byDefault).contains(this);
            Set<String> on = Stream.of(v.toLowerCase(Locale.ROOT).split("[,\\s]+")).collect(Collectors.toSet());
            return on.contains("all") || on.contains(name().toLowerCase(Locale.ROOT));
        }
    }

    /** Live processes of every harness in this JVM, killed if the JVM exits with them running. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    /** Client ports handed out in this JVM (with port+10000, the bus): never twice, even if free. */
    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "cluster-nodes-reaper"));
    }

    private final int nodeTimeoutMs;
    private final List<Node> nodes = new ArrayList<>();

    private ClusterNodes(int nodeTimeoutMs) {
        this.nodeTimeoutMs = nodeTimeoutMs;
    }

    /**
     * Starts one node per kind, each a cluster of its own (not yet joined: see {@link #create}).
     * The node timeout should stay ≥ 2000 ms when several JVMs share 2 cores, or starved nodes
     * are marked failed (research/cluster.md §6).
     */
    public static ClusterNodes start(List<Kind> kinds, int nodeTimeoutMs) {
        ClusterNodes c = new ClusterNodes(nodeTimeoutMs);
        try {
            // all processes first, then wait for them: the JVMs start up in parallel
            List<Node> started = new ArrayList<>();
            for (Kind k : kinds) started.add(c.launch(k));
            for (Node n : started) n.awaitPort();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public Node node(int i) {
        return nodes.get(i);
    }

    public int nodeTimeoutMs() {
        return nodeTimeoutMs;
    }

    /** Starts one more node, alone (join it with {@link #addNode}). */
    public Node add(Kind kind) {
        Node n = launch(kind);
        n.awaitPort();
        return n;
    }

    /**
     * {@code redis-cli --cluster create} over every node started so far, with {@code replicas}
     * replicas per master, then waits until the cluster is healthy.
     */
    public void create(int replicas) {
        List<String> args = new ArrayList<>(List.of("--cluster", "create"));
        for (Node n : nodes) args.add(n.address());
        args.addAll(List.of("--cluster-replicas", Integer.toString(replicas), "--cluster-yes"));
        Cli r = cli(Duration.ofSeconds(60), args.toArray(new String[0]));
        if (r.code() != 0 || !r.out().contains("[OK] All 16384 slots covered")) {
            throw new IllegalStateException("redis-cli --cluster create failed:\n" + r.out() + logs());
        }
        awaitHealthy(Duration.ofSeconds(30));
    }

    /**
     * {@code redis-cli --cluster add-node}: the node joins as a master without slots (or as a
     * replica of {@code master} when given), then waits until every node agrees.
     */
    public void addNode(Node node, Node master) {
        Node seed = nodes.stream().filter(n -> n != node && n.alive()).findFirst().orElseThrow();
        List<String> args = new ArrayList<>(List.of("--cluster", "add-node", node.address(), seed.address()));
        if (master != null) args.addAll(List.of("--cluster-slave", "--cluster-master-id", master.id()));
        Cli r = cli(Duration.ofSeconds(60), args.toArray(new String[0]));
        if (r.code() != 0 || !r.out().contains("[OK] New node added correctly")) {
            throw new IllegalStateException("redis-cli --cluster add-node failed:\n" + r.out() + logs());
        }
        awaitHealthy(Duration.ofSeconds(30));
    }

    /** {@code redis-cli --cluster check} against a live node. */
    public Cli check() {
        Node seed = nodes.stream().filter(Node::alive).findFirst().orElseThrow();
        return cli(Duration.ofSeconds(30), "--cluster", "check", seed.address());
    }

    /** Whether {@code check} found nothing wrong (all slots covered, agreement, no open slots). */
    public static boolean checkPassed(Cli r) {
        return r.code() == 0 && r.out().contains("[OK] All 16384 slots covered") && !r.out().contains("[ERR]")
                && !r.out().contains("[WARNING]");
    }

    /**
     * Waits until every live node reports cluster_state:ok and knows every node of the harness,
     * and, when all nodes are alive, until {@code redis-cli --cluster check} passes (it connects
     * to every node it learns of, so it can only pass with none down).
     */
    public void awaitHealthy(Duration timeout) {
        await(timeout, "cluster healthy", () -> {
            for (Node n : nodes) {
                if (!n.alive()) continue;
                String info = n.clusterInfo();
                if (!info.contains("cluster_state:ok")) return false;
                if (!info.contains("cluster_known_nodes:" + nodes.size())) return false;
            }
            if (!rolesAgree()) return false;
            return nodes.stream().anyMatch(n -> !n.alive()) || checkPassed(check());
        });
    }

    /**
     * Whether every live node sees every live node in the same role (master, or replica of the
     * same master). {@code redis-cli --cluster create} sends CLUSTER REPLICATE last and its check
     * compares slots only, so right after it a master may still list its replica as an empty
     * master until that replica's next PING: a test looking for "the replica of M" must wait.
     */
    public boolean rolesAgree() {
        java.util.Map<String, String> first = null;
        Set<String> live = new java.util.HashSet<>();
        for (Node n : nodes) if (n.alive()) live.add(n.id());
        for (Node n : nodes) {
            if (!n.alive()) continue;
            java.util.Map<String, String> roles = new java.util.TreeMap<>();
            for (String line : n.clusterNodes().split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length < 4 || !live.contains(f[0])) continue;
                roles.put(f[0], f[2].contains("slave") ? "replica of " + f[3] : "master");
            }
            if (first == null) first = roles;
            else if (!first.equals(roles)) return false;
        }
        return true;
    }

    /** Polls every 100 ms until the condition holds; fails with the nodes' views and logs. */
    public void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) return;
            } catch (RuntimeException e) {
                // a node still starting or just killed: try again until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what + "\n" + views() + logs());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }

    /** CLUSTER NODES of every live node, for failure messages. */
    public String views() {
        StringBuilder b = new StringBuilder();
        for (Node n : nodes) {
            b.append("--- ").append(n).append(n.alive() ? "" : " (down)").append('\n');
            if (!n.alive()) continue;
            try {
                b.append(n.clusterNodes()).append('\n');
            } catch (RuntimeException e) {
                b.append(e).append('\n');
            }
        }
        return b.toString();
    }

    /** The last lines of every node's log, for failure messages. */
    public String logs() {
        StringBuilder b = new StringBuilder();
        for (Node n : nodes) {
            b.append("--- log of ").append(n).append('\n');
            try {
                List<String> lines = Files.readAllLines(n.dir().resolve("node.log"), StandardCharsets.UTF_8);
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                b.append(e).append('\n');
            }
        }
        return b.toString();
    }

    /** Stops every node (SIGTERM by PID, then SIGKILL if it lingers) and removes their directories. */
    @Override
    public void close() {
        for (Node n : nodes) n.stop();
        for (Node n : nodes) {
            TAKEN.remove(n.port());
            try (Stream<Path> files = Files.walk(n.dir())) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException ignored) {
                // best effort: a leftover temporary directory harms nothing
            }
        }
    }

    // ---------------------------------------------------------------- redis-cli

    /** A finished redis-cli run: its exit code and its stdout and stderr together. */
    public record Cli(int code, String out) {}

    /** Runs redis-cli with the arguments; a run past the timeout is killed and reported as code -1. */
    public static Cli cli(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary("REDIS_CLI", "redis-cli"));
        cmd.addAll(List.of(args));
        try {
            File out = File.createTempFile("redis-cli", ".out");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!done) {
                    p.destroyForcibly().waitFor();
                }
                return new Cli(done ? p.exitValue() : -1, Files.readString(out.toPath(), StandardCharsets.UTF_8));
            } finally {
                out.delete();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String binary(String env, String name) {
        String v = System.getenv(env);
        if (v != null && !v.isEmpty()) return v;
        for (String dir : new String[]{"/usr/bin/", "/usr/local/bin/"}) {
            if (new File(dir + name).canExecute()) return dir + name;
        }
        return name;
    }

    // ---------------------------------------------------------------- nodes

    private Node launch(Kind kind) {
        try {
            int port = freePortPair();
            Path dir = Files.createTempDirectory(baseDir(), "cluster-node-" + port + "-");
            Node n = new Node(kind, port, dir, nodeTimeoutMs);
            nodes.add(n);
            n.start();
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where node directories go: /dev/shm when there is one. A node writes and fsyncs nodes.conf
     * on every configuration change (each CLUSTER SETSLOT of a resharding, every epoch bump):
     * several milliseconds each on a disk, which made a 4096-slot rebalance take a minute, and
     * nothing on tmpfs. The files survive a kill -9 there as well as on disk (same kernel).
     * {@code -Dbasalt.cluster.dir} chooses another place.
     */
    private static Path baseDir() throws IOException {
        String configured = System.getProperty("basalt.cluster.dir");
        Path base = configured != null ? Path.of(configured) : Path.of("/dev/shm");
        if (Files.isDirectory(base) && Files.isWritable(base)) return base;
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * A client port p with p and the bus port p+10000 both free on 127.0.0.1. Chosen in
     * 12000-21999 so that both stay below Linux's ephemeral range (32768+), where an outgoing
     * connection of anything on the machine could take the port between this check and the bind.
     */
    static int freePortPair() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int p = 12000 + rnd.nextInt(10000);
            if (TAKEN.contains(p) || !free(p) || !free(p + 10000)) continue;
            if (TAKEN.add(p)) return p;
        }
        throw new IllegalStateException("no free port pair p, p+10000 in 12000-31999");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One cluster node: a process, its ports and its directory (redis.conf, nodes.conf, node.log). */
    public static final class Node {
        private final Kind kind;
        private final int port;
        private final Path dir;
        private Process process;
        private String id;

        Node(Kind kind, int port, Path dir, int nodeTimeoutMs) throws IOException {
            this.kind = kind;
            this.port = port;
            this.dir = dir;
            // the same file for both kinds, written once: a restart reads it again, and finds
            // nodes.conf next to it (dir is absolute, so the working directory does not matter)
            List<String> conf = new ArrayList<>(List.of(
                    "port " + port,
                    "bind 127.0.0.1",
                    "dir " + dir,
                    "daemonize no",
                    "cluster-enabled yes",
                    "cluster-config-file nodes.conf",
                    "cluster-node-timeout " + nodeTimeoutMs,
                    "save \"\"",
                    "appendonly no",
                    "enable-debug-command yes"));
            // six JVMs on one machine must not compete for the operations HTTP port
            if (kind == Kind.BASALT) conf.add("basalt-http-port 0");
            Files.write(dir.resolve("redis.conf"), conf, StandardCharsets.UTF_8);
        }

        public Kind kind() { return kind; }

        public int port() { return port; }

        public int busPort() { return port + 10000; }

        public Path dir() { return dir; }

        public String address() { return "127.0.0.1:" + port; }

        public long pid() { return process.pid(); }

        public synchronized boolean alive() { return process != null && process.isAlive(); }

        /** This node's id (CLUSTER MYID), kept across restarts as nodes.conf keeps it. */
        public String id() {
            if (id == null) id = call(j -> j.clusterMyId());
            return id;
        }

        public String clusterInfo() { return call(Jedis::clusterInfo); }

        public String clusterNodes() { return call(Jedis::clusterNodes); }

        /** "master" or "slave", as INFO replication says. */
        public String role() { return infoField("replication", "role"); }

        /** One field of an INFO section, or null. */
        public String infoField(String section, String field) {
            String info = call(j -> j.info(section));
            for (String line : info.split("\r?\n")) {
                if (line.startsWith(field + ":")) return line.substring(field.length() + 1).trim();
            }
            return null;
        }

        /** Runs a Jedis call on a fresh connection (no pool to go stale across kills and restarts). */
        public <T> T call(java.util.function.Function<Jedis, T> f) {
            try (Jedis j = new Jedis("127.0.0.1", port, 5000)) {
                return f.apply(j);
            }
        }

        private synchronized void start() throws IOException {
            List<String> cmd = new ArrayList<>();
            if (kind == Kind.REDIS) {
                cmd.add(binary("REDIS_SERVER", "redis-server"));
            } else {
                // this test JVM's classpath holds the server module and its dependencies (under
                // surefire, java.class.path is the real test classpath, not the booter jar); a small
                // heap, one collector thread, no C2: six of these share two cores in tests
                String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
                cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ActiveProcessorCount=1",
                        "-Dio.netty.tryReflectionSetAccessible=true",
                        "-cp", cp, "io.basalt.server.Main"));
            }
            cmd.add(dir.resolve("redis.conf").toString());
            process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile())).start();
            LIVE.add(process);
        }

        private void awaitPort() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(kind == Kind.BASALT ? 60 : 10);
            while (System.nanoTime() < deadline) {
                if (!alive()) throw new IllegalStateException(this + " exited with " + process.exitValue() + "\n" + tail());
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    return;
                } catch (IOException e) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(ie);
                    }
                }
            }
            throw new IllegalStateException(this + " did not open its port\n" + tail());
        }

        private String tail() {
            try {
                return Files.readString(dir.resolve("node.log"), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        }

        /** kill -9: no shutdown, no final nodes.conf write; the process is gone when this returns. */
        public synchronized void kill() {
            if (!alive()) return;
            process.destroyForcibly(); // SIGKILL to the PID on Unix
            waitGone();
        }

        /** Sends a signal by PID (STOP, CONT, ...): stalls for fencing tests. */
        public void signal(String name) {
            try {
                new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start().waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Starts the node again from its directory (its redis.conf and nodes.conf). */
        public synchronized void restart() {
            if (alive()) throw new IllegalStateException(this + " is running");
            try {
                start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            awaitPort();
        }

        /** SIGTERM by PID, then SIGKILL after 10 s. */
        synchronized void stop() {
            if (process == null) return;
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }
            waitGone();
        }

        private void waitGone() {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LIVE.remove(process);
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase(Locale.ROOT) + "@" + port;
        }
    }
}
