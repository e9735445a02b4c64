package io.basalt.compat.harness;

import io.basalt.server.BasaltServer;
import io.basalt.server.Main;
import io.basalt.server.config.Config;

import java.util.ArrayList;
import java.util.List;

/**
 * A Basalt server started in the test JVM on a free port, from redis-server-style arguments.
 * One default instance is shared by the whole test JVM; tests that need special configuration
 * start their own and stop it.
 */
public final class BasaltInstance {
    private static BasaltInstance shared;

    private final BasaltServer server;

    private BasaltInstance(String... args) {
        this(null, args);
    }

    private BasaltInstance(java.nio.file.Path configFile, String... args) {
        try {
            // a directory of its own unless the test gives one: a SAVE or DEBUG RELOAD on one
            // instance must not leave a dump.rdb that the next instance started here loads; the
            // operations HTTP listener off unless a test asks for it (--basalt-http-port <free
            // port>): instances in one JVM must not share its default port
            ownDir = java.nio.file.Files.createTempDirectory("basalt-instance");
            List<String> argv = new ArrayList<>();
            if (configFile != null) argv.add(configFile.toString());
            argv.addAll(List.of("--port", "0", "--bind", "127.0.0.1", "--enable-debug-command", "yes",
                    "--dir", ownDir.toString(), "--basalt-http-port", "0"));
            argv.addAll(List.of(args));
            Config config = Config.defaults();
            Main.load(config, argv);
            server = new BasaltServer(config);
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start Basalt: " + e, e);
        }
    }

    public static synchronized BasaltInstance shared() {
        if (shared == null) {
            shared = new BasaltInstance();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
        }
        return shared;
    }

    /** A private instance with extra directives (e.g. "--requirepass", "x"). */
    public static BasaltInstance start(String... args) {
        return new BasaltInstance(args);
    }

    /** A private instance reading a configuration file first (as "basalt-server file"), then directives. */
    public static BasaltInstance startWithConfigFile(java.nio.file.Path file, String... args) {
        return new BasaltInstance(file, args);
    }

    public int port() { return server.port(); }

    public BasaltServer server() { return server; }

    /** The directory made for this instance (used unless the test gave --dir), removed on stop. */
    private java.nio.file.Path ownDir;

    public void stop() {
        server.stop();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(ownDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException ignored) {
            // best effort: a leftover temporary directory harms nothing
        }
    }
}
