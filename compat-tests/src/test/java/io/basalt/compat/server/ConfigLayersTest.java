package io.basalt.compat.server;

import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.server.BasaltServer;
import io.basalt.server.Main;
import io.basalt.server.config.Config;
import io.basalt.server.config.ConfigFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration layers beyond redis.conf: BASALT_* environment variables and the YAML (or
 * JSON) file of basalt-config-yaml, with the precedence redis.conf < YAML < env < command line
 * < CONFIG SET, validation by the one parameter table, redis-server's error shape for bad values,
 * and what CONFIG REWRITE writes for values that came from those layers.
 */
class ConfigLayersTest {
    private static final long MB = 1024 * 1024;

    @Test
    void eachLayerOverridesTheOnesBelowIt(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("basalt.yaml");
        Files.writeString(yaml, String.join("\n",
                "# maxmemory and timeout are set by several layers; hz only here",
                "maxmemory: 200mb",
                "timeout: 20",
                "maxmemory-policy: allkeys-lru",
                "hz: 25",
                ""));
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, "maxmemory 100mb\ntimeout 10\nmaxmemory-policy volatile-lru\nloglevel warning\n"
                + "basalt-config-yaml " + yaml + "\n");
        Config c = Config.defaults();
        Main.load(c, List.of(conf.toString(), "--timeout", "40"),
                Map.of("BASALT_MAXMEMORY", "300mb", "BASALT_TIMEOUT", "30", "PATH", "/usr/bin"));
        assertEquals("warning", c.get("loglevel"), "set in redis.conf only");
        assertEquals("25", c.get("hz"), "set in the YAML file only");
        assertEquals("allkeys-lru", c.get("maxmemory-policy"), "YAML over redis.conf");
        assertEquals(Long.toString(300 * MB), c.get("maxmemory"), "env over YAML and redis.conf");
        assertEquals("40", c.get("timeout"), "the command line over env, YAML and redis.conf");
        assertEquals(Config.Source.FILE, c.startupSource("loglevel"));
        assertEquals(Config.Source.YAML, c.startupSource("hz"));
        assertEquals(Config.Source.ENVIRONMENT, c.startupSource("maxmemory"));
        assertEquals(Config.Source.COMMAND_LINE, c.startupSource("timeout"));

        // the YAML file can be named by the environment, and the command line beats it
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, "hz: 30\n");
        Config d = Config.defaults();
        Main.load(d, List.of(conf.toString()), Map.of("BASALT_CONFIG_YAML", other.toString()));
        assertEquals("30", d.get("hz"));
        assertEquals(Long.toString(100 * MB), d.get("maxmemory"), "other.yaml does not set maxmemory");
        Config e = Config.defaults();
        Main.load(e, List.of(conf.toString(), "--basalt-config-yaml", yaml.toString()),
                Map.of("BASALT_CONFIG_YAML", other.toString()));
        assertEquals("25", e.get("hz"));
    }

    @Test
    void yamlValuesListsBooleansAndJson(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("basalt.yaml");
        Files.writeString(yaml, String.join("\n",
                "appendonly: true          # a YAML boolean is yes/no for a boolean parameter",
                "appendfsync: no           # ... and stays the word for an enum",
                "save:                     # one line per item, as repeated save lines",
                "  - 3600 1",
                "  - 300 100",
                "bind: [127.0.0.1, \"::1\"]   # the words of one line",
                "client-output-buffer-limit:",
                "  - pubsub 64mb 16mb 90",
                "  - replica 512mb 128mb 120",
                "requirepass: \"with space\"",
                "Maxmemory-Samples: 7      # names are case-insensitive, as in redis.conf",
                "slaveof: null",
                ""));
        Config c = Config.defaults();
        Main.load(c, List.of("--basalt-config-yaml", yaml.toString()), Map.of());
        assertEquals("yes", c.get("appendonly"));
        assertEquals("no", c.get("appendfsync"));
        assertEquals("3600 1 300 100", c.get("save"));
        assertEquals("127.0.0.1 ::1", c.get("bind"));
        assertTrue(c.get("client-output-buffer-limit").contains("slave 536870912 134217728 120 pubsub 67108864 16777216 90"),
                c.get("client-output-buffer-limit"));
        assertEquals("with space", c.get("requirepass"));
        assertEquals("7", c.get("maxmemory-samples"));
        assertEquals("", c.get("replicaof"));

        // JSON is YAML: the same mapping as a .json file
        Path json = dir.resolve("basalt.json");
        Files.writeString(json, "{\"maxmemory\": \"64mb\", \"hz\": 15, \"save\": [\"60 10\"], \"lazyfree-lazy-eviction\": true}\n");
        Config j = Config.defaults();
        Main.load(j, List.of(), Map.of("BASALT_CONFIG_YAML", json.toString()));
        assertEquals(Long.toString(64 * MB), j.get("maxmemory"));
        assertEquals("15", j.get("hz"));
        assertEquals("60 10", j.get("save"));
        assertEquals("yes", j.get("lazyfree-lazy-eviction"));
    }

    @Test
    void saveFromAHigherLayerReplacesButAddsUpWithinRedisConfAndTheCommandLine(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, "save 900 1\nsave 300 10\n");
        Config c = Config.defaults();
        Main.load(c, List.of(conf.toString(), "--save", "60 1"), Map.of());
        assertEquals("900 1 300 10 60 1", c.get("save"), "redis-server adds the command line's save lines to the file's");

        Config e = Config.defaults();
        Main.load(e, List.of(conf.toString()), Map.of("BASALT_SAVE", "3600 1"));
        assertEquals("3600 1", e.get("save"), "the environment replaces the file's save lines");
        Config none = Config.defaults();
        Main.load(none, List.of(conf.toString()), Map.of("BASALT_SAVE", ""));
        assertEquals("", none.get("save"), "BASALT_SAVE= turns snapshots off, as save \"\"");
        Config cl = Config.defaults();
        Main.load(cl, List.of(conf.toString(), "--save", "60 1"), Map.of("BASALT_SAVE", "3600 1"));
        assertEquals("60 1", cl.get("save"), "the command line replaces the environment's");
    }

    @Test
    void environmentNamesAliasesBasaltParametersAndUnknownVariables() throws Exception {
        Config c = Config.defaults();
        java.util.List<String> warnings = new java.util.ArrayList<>();
        c.warnings(warnings::add);
        Main.load(c, List.of(), Map.of(
                "BASALT_MAXMEMORY_POLICY", "allkeys-lfu",
                "BASALT_HASH_MAX_ZIPLIST_ENTRIES", "99",   // an alias
                "BASALT_HTTP_PORT", "0",                  // basalt-http-port without the repeated prefix
                "BASALT_BASALT_COMPRESSION", "lz4",       // ... or with it
                "BASALT_MAXMEMORY_POLCY", "noeviction",   // a typo: warned about, ignored
                "BASALT_JAVA_OPTS", "-Xmx1g",             // the launcher's, not a parameter
                "HOME", "/root"));
        assertEquals("allkeys-lfu", c.get("maxmemory-policy"));
        assertEquals("99", c.get("hash-max-listpack-entries"));
        assertEquals("0", c.get("basalt-http-port"));
        assertEquals("lz4", c.get("basalt-compression"));
        assertEquals(List.of("environment variable BASALT_MAXMEMORY_POLCY names no configuration parameter and was ignored"),
                warnings);

        ConfigFile.ConfigFileException twice = assertThrows(ConfigFile.ConfigFileException.class, () -> Main.load(
                Config.defaults(), List.of(), Map.of("BASALT_REPLICAOF", "h 1", "BASALT_SLAVEOF", "h 2")));
        assertTrue(twice.getMessage().contains("replicaof: also set by BASALT_REPLICAOF"), twice.getMessage());
    }

    @Test
    void badValuesAreRefusedInRedisServersWords(@TempDir Path dir) throws Exception {
        String redisReason = redisServerReason("--maxmemory", "lots");
        ConfigFile.ConfigFileException e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of(), Map.of("BASALT_MAXMEMORY", "lots")));
        String m = e.getMessage();
        assertTrue(m.contains("*** FATAL CONFIG FILE ERROR (Basalt) ***"), m);
        assertTrue(m.contains("Reading the environment variable BASALT_MAXMEMORY\n"), m);
        assertTrue(m.contains(">>> 'BASALT_MAXMEMORY=lots'"), m);
        assertTrue(m.endsWith("maxmemory: " + redisReason), m + "\nredis-server: " + redisReason);

        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "hz: 20\n\nport: 99999\n");
        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of("--basalt-config-yaml", yaml.toString()), Map.of()));
        m = e.getMessage();
        assertTrue(m.contains("Reading the configuration file " + yaml.toAbsolutePath() + ", at line 3\n"), m);
        assertTrue(m.contains(">>> 'port: 99999'"), m);
        assertTrue(m.endsWith("port: " + redisServerReason("--port", "99999")), m);

        Files.writeString(yaml, "appendonly: maybe\n");
        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of("--basalt-config-yaml", yaml.toString()), Map.of()));
        assertTrue(e.getMessage().endsWith("appendonly: " + redisServerReason("--appendonly", "maybe")), e.getMessage());

        // YAML-level mistakes name the line too
        Files.writeString(yaml, "hz: 20\nmaxmemory: [1gb, {a: b}]\n");
        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of("--basalt-config-yaml", yaml.toString()), Map.of()));
        assertTrue(e.getMessage().contains("at line 2\n") && e.getMessage().endsWith("maxmemory: a list item must be a single value"),
                e.getMessage());
        Files.writeString(yaml, "hz: 20\nhz: 30\n");
        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of("--basalt-config-yaml", yaml.toString()), Map.of()));
        assertTrue(e.getMessage().endsWith("hz: also set at line 1"), e.getMessage());
        Files.writeString(yaml, "hz: [20\n");
        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of("--basalt-config-yaml", yaml.toString()), Map.of()));
        assertTrue(e.getMessage().contains("Invalid YAML"), e.getMessage());
        Files.writeString(yaml, "- hz 20\n");
        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of("--basalt-config-yaml", yaml.toString()), Map.of()));
        assertTrue(e.getMessage().endsWith("must be a mapping of directive names to values"), e.getMessage());
        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of("--basalt-config-yaml", dir.resolve("none.yaml").toString()), Map.of()));
        assertTrue(e.getMessage().contains("can't open config file"), e.getMessage());
        // basalt-config-yaml is immutable, as redis-server's file-only parameters
        Config c = Config.defaults();
        Main.load(c, List.of("--port", "0", "--basalt-http-port", "0"), Map.of());
        assertThrows(io.basalt.server.config.ConfigException.class,
                () -> c.set(java.util.Collections.singletonList(new String[]{"basalt-config-yaml", "/x.yaml"})));
    }

    /**
     * The real launcher refuses to start on a bad environment variable, printing the error and
     * exiting with status 1 as redis-server does on a bad directive; a good one is served.
     */
    @Test
    void theLauncherRefusesABadVariableAndServesAGoodOne(@TempDir Path dir) throws Exception {
        Path launcher = Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize();
        Path target = launcher.getParent().getParent().resolve("server").resolve("target");
        Assumptions.assumeTrue(Files.isDirectory(target) && Files.list(target)
                .anyMatch(f -> f.getFileName().toString().endsWith("-all.jar")), "server jar not packaged");
        int port = RedisServerProcess.freePort();
        ProcessBuilder bad = new ProcessBuilder(launcher.toString(), "--port", Integer.toString(port))
                .redirectErrorStream(true);
        bad.environment().put("BASALT_MAXMEMORY_POLICY", "sometimes");
        bad.environment().put("BASALT_HTTP_PORT", "0");
        Process p = bad.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("Reading the environment variable BASALT_MAXMEMORY_POLICY"), out);
        assertTrue(out.contains("maxmemory-policy: " + redisServerReason("--maxmemory-policy", "sometimes")), out);

        Path yaml = dir.resolve("basalt.yaml");
        Files.writeString(yaml, "maxmemory: 32mb\nhz: 12\n");
        ProcessBuilder good = new ProcessBuilder(launcher.toString(), "--port", Integer.toString(port), "--save", "")
                .redirectErrorStream(true).redirectOutput(dir.resolve("basalt.log").toFile());
        good.environment().put("BASALT_CONFIG_YAML", yaml.toString());
        good.environment().put("BASALT_MAXMEMORY_POLICY", "allkeys-lru");
        good.environment().put("BASALT_HTTP_PORT", "0");
        Process s = good.start();
        try (RawClient c = connect(port, s, dir.resolve("basalt.log"))) {
            assertEquals(Long.toString(32 * MB), c.call("CONFIG", "GET", "maxmemory").get(1).string());
            assertEquals("12", c.call("CONFIG", "GET", "hz").get(1).string());
            assertEquals("allkeys-lru", c.call("CONFIG", "GET", "maxmemory-policy").get(1).string());
            // the launcher sized the heap from the YAML file's maxmemory (bin/basalt-server):
            // 32 MiB + max(16, 96) MiB + proto-max-bulk-len 512 MiB + 128 MiB
            List<String> jvmArgs = List.of(s.info().arguments().orElse(new String[0]));
            assertTrue(jvmArgs.contains("-Xmx768m"), jvmArgs.toString());
        } finally {
            s.destroy();
            assertTrue(s.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void configRewriteLeavesValuesOfTheEnvironmentAndYamlToThem(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("basalt.yaml");
        Files.writeString(yaml, "hz: 25\nmaxmemory-samples: 9\n");
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, "# mine\nhz 15\ntimeout 10\nbasalt-config-yaml " + yaml + "\n");
        Config config = Config.defaults();
        Main.load(config, List.of(conf.toString(), "--port", "0", "--basalt-http-port", "0"),
                Map.of("BASALT_MAXMEMORY", "64mb", "BASALT_MAXMEMORY_POLICY", "allkeys-lru"));
        BasaltServer server = new BasaltServer(config);
        server.start();
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("25", c.call("CONFIG", "GET", "hz").get(1).string());
            assertEquals(Long.toString(64 * MB), c.call("CONFIG", "GET", "maxmemory").get(1).string());
            // CONFIG SET is the top layer: a value the environment set can still be changed
            assertEquals("OK", c.call("CONFIG", "SET", "timeout", "20", "maxmemory-policy", "allkeys-lfu").string());
            assertEquals("allkeys-lfu", c.call("CONFIG", "GET", "maxmemory-policy").get(1).string());
            assertEquals("OK", c.call("CONFIG", "REWRITE").string());
        } finally {
            server.stop();
        }
        List<String> lines = Files.readAllLines(conf);
        assertEquals(List.of("# mine", "hz 15", "timeout 20"), lines.subList(0, 3),
                "hz came from the YAML file: the file's own line stays; timeout was CONFIG SET");
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("maxmemory ")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("maxmemory-samples")), lines.toString());
        assertTrue(lines.contains("maxmemory-policy allkeys-lfu"), "CONFIG SET values are written: " + lines);
        assertTrue(lines.contains("port 0"), "command-line values are written, as redis-server: " + lines);

        // the rewritten file starts a server with the same values when the layers are still there
        Config again = Config.defaults();
        Main.load(again, List.of(conf.toString()), Map.of("BASALT_MAXMEMORY", "64mb", "BASALT_MAXMEMORY_POLICY", "allkeys-lru"));
        assertEquals("25", again.get("hz"));
        assertEquals("20", again.get("timeout"));
        assertEquals(Long.toString(64 * MB), again.get("maxmemory"));
        assertEquals("allkeys-lru", again.get("maxmemory-policy"), "the environment wins over the file at start");
    }

    private static RawClient connect(int port, Process p, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                RawClient c = new RawClient(port);
                c.call("PING");
                return c;
            } catch (java.io.UncheckedIOException e) {
                if (System.currentTimeMillis() > deadline || !p.isAlive()) throw new AssertionError(Files.readString(log), e);
                Thread.sleep(100);
            }
        }
    }

    /**
     * The last line redis-server prints when it refuses {@code args}: the reason under its
     * "FATAL CONFIG FILE ERROR"; Basalt's message ends with the same reason after the name.
     */
    private static String redisServerReason(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("redis-server"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("no redis-server binary: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(out.contains("FATAL CONFIG FILE ERROR"), out);
        return out.substring(out.lastIndexOf('\n') + 1);
    }
}
