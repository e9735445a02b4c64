package io.basalt.compat.harness;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real redis-server for differential tests, with persistence off. One instance is shared by
 * the whole test JVM: Testcontainers' {@code redis:7.0} image when a Docker engine is reachable
 * (and {@code BASALT_REFERENCE} is not {@code binary}), otherwise the local binary (Debian's
 * redis-server 7.0, or $REDIS_SERVER) on a free loopback port. Private servers with special
 * directives ({@link #start}) always prefer the local binary, because some of those tests bind
 * particular local addresses.
 */
public final class RedisServerProcess {
    private static RedisServerProcess shared;

    private final Process process;
    private final AutoCloseable container;
    private final int port;
    private final Path dir;

    /** The redis:7.0 container, already started, serving on {@code mappedPort} of this host. */
    private RedisServerProcess(AutoCloseable container, int mappedPort) {
        this.process = null;
        this.container = container;
        this.port = mappedPort;
        this.dir = null;
    }

    private RedisServerProcess(List<String> extraArgs) throws IOException, InterruptedException {
        this.container = null;
        this.port = freePort();
        this.dir = Files.createTempDirectory("redis-ref");
        List<String> cmd = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--enable-debug-command", "yes"));
        cmd.addAll(extraArgs);
        this.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        waitForPort(port, process);
    }

    /** The shared reference server, started on first use. */
    public static synchronized RedisServerProcess shared() {
        if (shared == null) {
            try {
                shared = ReferenceContainer.tryStart();
                if (shared == null) shared = new RedisServerProcess(List.of());
            } catch (Exception e) {
                throw new IllegalStateException("cannot start redis-server (apt-get install redis-server): " + e, e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
        }
        return shared;
    }

    /** A private reference server with extra directives (e.g. "--requirepass", "x"). */
    public static RedisServerProcess start(String... extraArgs) {
        try {
            return new RedisServerProcess(List.of(extraArgs));
        } catch (Exception e) {
            throw new IllegalStateException("cannot start redis-server: " + e, e);
        }
    }

    public int port() { return port; }

    /** Wraps a started container (see {@link ReferenceContainer}). */
    static RedisServerProcess ofContainer(AutoCloseable container, int mappedPort) {
        return new RedisServerProcess(container, mappedPort);
    }

    /** Sends a signal (STOP, CONT, KILL, ...) to the local redis-server process (fault tests). */
    public void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void stop() {
        if (container != null) {
            try {
                container.close();
            } catch (Exception ignored) {
                // the container goes with the JVM anyway (Testcontainers' reaper)
            }
            return;
        }
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // its temporary directory (the log, files it wrote where no --dir was given) goes too:
        // thousands of runs had left thousands of them in /tmp
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover temp directory harms nothing
        }
    }

    static String binary() {
        String env = System.getenv("REDIS_SERVER");
        if (env != null && !env.isEmpty()) return env;
        for (String p : new String[]{"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
            if (new File(p).canExecute()) return p;
        }
        return "redis-server";
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static void waitForPort(int port, Process p) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (p != null && !p.isAlive()) throw new IOException("process exited with " + p.exitValue());
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new IOException("port " + port + " did not open");
    }
}
