package io.basalt.server;

import io.basalt.server.config.Config;
import io.basalt.server.config.ConfigException;
import io.basalt.server.config.ConfigFile;
import io.basalt.server.config.ConfigSources;
import io.basalt.server.util.Log;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code basalt-server [/path/to/redis.conf] [--directive value ...]}: the redis-server command
 * line. The file is read first, then the options, each {@code --name} starting a directive.
 */
@Command(name = "basalt-server", mixinStandardHelpOptions = false,
        description = "Basalt: a Redis-compatible in-memory cache server.",
        footer = {"", "Examples:",
                "  basalt-server                        (run with default config)",
                "  basalt-server /etc/redis/6379.conf",
                "  basalt-server --port 7777",
                "  basalt-server /etc/myredis.conf --loglevel verbose --save \"\""})
public final class Main implements Callable<Integer> {
    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @CommandLine.Option(names = {"-v", "--version"}, description = "Print the version and exit.")
    boolean version;

    @Parameters(arity = "0..*", paramLabel = "[config-file] [--directive value ...]",
            description = "A redis.conf file, then any config directive as --name value.")
    List<String> args = new ArrayList<>();

    public static void main(String[] argv) {
        CommandLine cl = new CommandLine(new Main());
        // every "--port" style word is a directive for us, not a picocli option
        cl.setUnmatchedOptionsArePositionalParams(true);
        cl.setUnmatchedArgumentsAllowed(false);
        int rc = cl.execute(argv);
        if (rc != 0) System.exit(rc);
    }

    @Override
    public Integer call() throws Exception {
        if (version) {
            System.out.println("Basalt server v=" + BasaltServer.BASALT_VERSION + " redis_version="
                    + BasaltServer.REDIS_VERSION + " java=" + Runtime.version());
            return 0;
        }
        Config config = Config.defaults();
        config.warnings(Log::warning);
        try {
            load(config, args, System.getenv());
        } catch (ConfigFile.ConfigFileException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        String logfile = config.get("logfile");
        if (!logfile.isEmpty()) Log.file(inDir(config, logfile));
        BasaltServer server = new BasaltServer(config);
        // before loading, as Redis: a signal while the dataset loads stops the server (without a save)
        server.exitProcessOnShutdown(() -> System.exit(0));
        installSignalHandlers(server, config);
        try {
            server.start();
        } catch (IllegalStateException e) {
            // the server logged why (once, in Redis's words) before it gave up
            return 1;
        }
        if (writePidFile(config)) server.pidFileWritten(Path.of(inDir(config, config.get("pidfile"))));
        // any other way the JVM ends (System.exit elsewhere, a signal the JVM handles itself):
        // flush what can be flushed; a hook cannot refuse the exit, hence FORCE
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!server.shuttingDown() && !server.shutdownInProgress()) {
                server.shutdown(BasaltServer.SHUTDOWN_FORCE | shutdownFlags(config, "shutdown-on-sigterm"), false);
            }
        }, "basalt-shutdown-hook"));
        server.awaitStop();
        return 0;
    }

    private static int shutdownFlags(Config config, String param) {
        return io.basalt.server.config.ConfigParams.shutdownFlags(config.get(param));
    }

    /**
     * SIGTERM and SIGINT as Redis's sigShutdownHandler: log, then shut down with the flags of
     * shutdown-on-sigterm / shutdown-on-sigint (the SHUTDOWN command's path). When the shutdown
     * fails (the final save failed, no FORCE) the server keeps running, as Redis does. A second
     * SIGINT while a shutdown is under way exits at once. SIGHUP is ignored, as Redis ignores it.
     */
    private static void installSignalHandlers(BasaltServer server, Config config) {
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    boolean interrupt = name.equals("INT");
                    if (interrupt && server.shutdownInProgress()) {
                        Log.warning("You insist... exiting now.");
                        try { // rdbRemoveTempFile: the final save's temp file goes too
                            Files.deleteIfExists(Path.of(config.get("dir"), "temp-" + ProcessHandle.current().pid() + ".rdb"));
                        } catch (java.io.IOException | RuntimeException ignored) {
                            // exiting anyway
                        }
                        Runtime.getRuntime().halt(1); // not a clean shutdown
                    }
                    if (server.shuttingDown()) return;
                    boolean loading = server.aof().loading() || server.persistence().loading();
                    Log.warning(loading ? "Received shutdown signal during loading, scheduling shutdown."
                            : "Received SIG" + name + " scheduling shutdown...");
                    server.shutdown(shutdownFlags(config, interrupt ? "shutdown-on-sigint" : "shutdown-on-sigterm"));
                });
            } catch (IllegalArgumentException e) {
                Log.warning("Unable to handle SIG" + name + ": " + e.getMessage());
            }
        }
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException e) {
            // a JVM run with -Xrs: its default stays
        }
    }

    /** {@link #load(Config, List, Map)} without environment variables (tests, tools). */
    public static void load(Config config, List<String> args) throws ConfigFile.ConfigFileException {
        load(config, args, Map.of());
    }

    /**
     * Applies the configuration layers, lowest precedence first, each later one overriding what
     * the earlier ones set (docs/configuration.md, "Precedence"):
     * the config file (if the first argument is not an option), the YAML file named by
     * basalt-config-yaml, the {@code BASALT_*} variables of {@code env}, then the command-line
     * options. CONFIG SET comes last, at run time. Every layer goes through the one table.
     */
    public static void load(Config config, List<String> args, Map<String, String> env) throws ConfigFile.ConfigFileException {
        List<ConfigFile.Directive> fileDirectives = new ArrayList<>();
        int from = 0;
        if (!args.isEmpty() && args.get(0).equals("-")) {
            // "redis-server -": the configuration comes from standard input
            try {
                String text = new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                fileDirectives.addAll(ConfigFile.parse("(stdin)", text));
            } catch (java.io.IOException e) {
                throw new ConfigFile.ConfigFileException("Fatal error, can't read config from stdin: " + e.getMessage());
            }
            from = 1;
        } else if (!args.isEmpty() && !args.get(0).startsWith("--")) {
            Path file = Path.of(args.get(0)).toAbsolutePath();
            config.file(file);
            fileDirectives.addAll(ConfigFile.read(file));
            from = 1;
        }
        List<String> rest = args.subList(from, args.size());
        List<ConfigFile.Directive> commandLine = new ArrayList<>();
        if (!rest.isEmpty()) {
            if (!rest.get(0).startsWith("--")) {
                throw new ConfigFile.ConfigFileException("Invalid argument '" + rest.get(0)
                        + "': options must start with -- (see --help)");
            }
            commandLine.addAll(ConfigFile.parse("(command line)", ConfigFile.commandLineToConfig(rest)));
        }
        List<ConfigFile.Directive> environment = ConfigSources.fromEnvironment(config, env, config::warning);
        apply(config, fileDirectives, Config.Source.FILE);
        // the YAML file is named by the layers above it too (the command line wins, then the
        // environment, then redis.conf), so it is looked up before it is applied
        String yaml = lastValue("basalt-config-yaml", commandLine, environment, fileDirectives);
        if (yaml != null && !yaml.isEmpty()) {
            apply(config, ConfigSources.fromYaml(config, Path.of(yaml).toAbsolutePath()), Config.Source.YAML);
        }
        apply(config, environment, Config.Source.ENVIRONMENT);
        apply(config, commandLine, Config.Source.COMMAND_LINE);
    }

    private static void apply(Config config, List<ConfigFile.Directive> directives, Config.Source source)
            throws ConfigFile.ConfigFileException {
        for (ConfigFile.Directive d : directives) {
            if (d.name().equals("user") && !d.args().isEmpty()) {
                // ACL users: kept for the ACL, which checks and loads them when the server starts
                config.addUserDirective(d);
                continue;
            }
            try {
                config.setAtStartup(d.name(), d.value(), source);
            } catch (ConfigException e) {
                throw ConfigFile.error(d.source(), d.line(), d.text(), d.name() + ": " + e.getMessage());
            }
        }
    }

    /** The value of the last {@code name} directive in the first of the layers that has one. */
    @SafeVarargs
    private static String lastValue(String name, List<ConfigFile.Directive>... layers) {
        for (List<ConfigFile.Directive> layer : layers) {
            String v = null;
            for (ConfigFile.Directive d : layer) if (d.name().equals(name)) v = d.value();
            if (v != null) return v;
        }
        return null;
    }

    private static boolean writePidFile(Config config) {
        String pidfile = config.get("pidfile");
        if (pidfile.isEmpty()) return false;
        try {
            Files.writeString(Path.of(inDir(config, pidfile)), ProcessHandle.current().pid() + "\n");
            return true;
        } catch (Exception e) {
            Log.warning("Failed to write PID file: " + e.getMessage());
            return false;
        }
    }

    /**
     * A relative logfile or pidfile is in {@code dir}: Redis changes its working directory to
     * {@code dir} when it reads that directive, and opens both relative to it.
     */
    static String inDir(Config config, String file) {
        Path p = Path.of(file);
        return p.isAbsolute() ? file : Path.of(config.get("dir")).resolve(p).toString();
    }
}
