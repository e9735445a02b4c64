package io.basalt.compat.server;

import io.basalt.server.Main;
import io.basalt.server.config.Config;
import io.basalt.server.config.ConfigFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The redis-server command line: config file, includes, quoting, units, overrides and errors. */
class LauncherTest {

    @Test
    void configFileWithIncludeQuotesUnitsAndLastWins(@TempDir Path dir) throws Exception {
        Path inc = dir.resolve("extra.conf");
        Files.writeString(inc, "maxmemory 100mb\ntimeout 30\n");
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, String.join("\n",
                "# a redis.conf",
                "port 7001",
                "requirepass \"s3cret pass\"",
                "maxmemory 1gb",
                "include " + inc,
                "timeout 60",
                "save 900 1",
                "save 300 10",
                "appendonly YES",
                "loglevel warning",
                "client-output-buffer-limit pubsub 64mb 16mb 90",
                "some-unknown-directive foo",
                ""));
        Config c = Config.defaults();
        Main.load(c, List.of(conf.toString(), "--loglevel", "verbose", "--hz", "20"));
        assertEquals(conf.toAbsolutePath(), c.file());
        assertEquals("7001", c.get("port"));
        assertEquals("s3cret pass", c.get("requirepass"));
        assertEquals(Long.toString(100L * 1024 * 1024), c.get("maxmemory"), "the include came after maxmemory 1gb");
        assertEquals("60", c.get("timeout"), "the line after the include wins");
        assertEquals("900 1 300 10", c.get("save"));
        assertEquals("yes", c.get("appendonly"));
        assertEquals("verbose", c.get("loglevel"), "command line options come after the file");
        assertEquals("20", c.get("hz"));
        assertTrue(c.get("client-output-buffer-limit").endsWith("pubsub 67108864 16777216 90"));
    }

    @Test
    void emptySaveOnTheCommandLine() throws Exception {
        Config c = Config.defaults();
        Main.load(c, List.of("--save", "900", "1", "--save", "", "--port", "0"));
        assertEquals("", c.get("save"));
        Main.load(c, List.of("--save", "60", "5"));
        assertEquals("60 5", c.get("save"));
    }

    @Test
    void malformedValueNamesFileLineAndDirective(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "port 7001\n\nmaxmemory lots\n");
        ConfigFile.ConfigFileException e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of(conf.toString())));
        String m = e.getMessage();
        assertTrue(m.contains("*** FATAL CONFIG FILE ERROR"), m);
        assertTrue(m.contains(conf.toAbsolutePath() + ", at line 3"), m);
        assertTrue(m.contains(">>> 'maxmemory lots'"), m);
        assertTrue(m.contains("maxmemory: argument must be a memory value"), m);

        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of("--port", "99999")));
        assertTrue(e.getMessage().contains("port: argument must be between 0 and 65535 inclusive"), e.getMessage());
        e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> Main.load(Config.defaults(), List.of(dir.resolve("missing.conf").toString())));
        assertTrue(e.getMessage().contains("can't open config file"), e.getMessage());
    }

    @Test
    void versionAndHelp() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertEquals(0, new CommandLine(new Main()).execute("--version"));
            assertEquals(0, new CommandLine(new Main()).execute("--help"));
        } finally {
            System.setOut(old);
        }
        String out = buf.toString();
        assertTrue(out.contains("redis_version=7.0.15"), out);
        assertTrue(out.contains("basalt-server"), out);
    }

    /**
     * The real launcher and packaged jar (built by the reactor before this module's tests): it
     * serves on the port given the redis-server way, and SIGTERM shuts it down cleanly.
     */
    @Test
    void launcherServesAndStopsOnSigterm(@TempDir Path dir) throws Exception {
        Path launcher = Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize();
        Path target = launcher.getParent().getParent().resolve("server").resolve("target");
        // the packaged jar exists from `mvn package`/`verify` on (README's test command is verify)
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(target) && Files.list(target)
                .anyMatch(f -> f.getFileName().toString().endsWith("-all.jar")), "server jar not packaged");
        int port = io.basalt.compat.harness.RedisServerProcess.freePort();
        int http = io.basalt.compat.harness.RedisServerProcess.freePort();
        Path log = dir.resolve("basalt.log");
        Process p = new ProcessBuilder(launcher.toString(), "--port", Integer.toString(port), "--save", "",
                "--basalt-http-port", Integer.toString(http))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                try (io.basalt.compat.harness.RawClient c = new io.basalt.compat.harness.RawClient(port)) {
                    assertEquals("PONG", c.call("PING").string());
                    assertEquals("", c.call("CONFIG", "GET", "save").get(1).string());
                    break;
                } catch (java.io.UncheckedIOException e) {
                    if (System.currentTimeMillis() > deadline || !p.isAlive()) throw new AssertionError(Files.readString(log), e);
                    Thread.sleep(100);
                }
            }
            // the packaged jar serves the operations endpoints too (the Prometheus client is in it)
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpResponse<String> metrics = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + http + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode(), metrics.body());
            assertTrue(metrics.body().contains("\nredis_up 1.0\n"), metrics.body());
            assertTrue(metrics.body().contains("\njvm_memory_used_bytes{area=\"heap\"}"), metrics.body());
            java.net.http.HttpResponse<String> ready = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + http + "/health/ready")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
            p.destroy(); // SIGTERM: the launcher execs the JVM, so this reaches the server
            assertTrue(p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS), "still running after SIGTERM");
            String out = Files.readString(log);
            assertTrue(out.contains("Received SIGTERM scheduling shutdown"), out);
            assertTrue(out.contains("ready to exit, bye bye"), out);
            assertTrue(out.contains("Operations HTTP listener on * -::* port " + http), out);
        } finally {
            p.destroyForcibly();
        }
    }
    /**
     * The launcher's heap and direct-memory arithmetic, run with a stand-in JVM that records its arguments and with
     * an awk on PATH that prints numbers the way mawk does (2.52762e+10): the launcher must do its
     * arithmetic in integers itself (it once logged "integer expression expected" under mawk and
     * skipped the machine-memory cap).
     */
    @Test
    void launcherHeapArithmeticIsIntegerOnly(@TempDir Path dir) throws Exception {
        Path launcher = Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize();
        Path javaHome = dir.resolve("jdk");
        Files.createDirectories(javaHome.resolve("bin"));
        Path args = dir.resolve("args");
        Path fakeJava = javaHome.resolve("bin").resolve("java");
        Files.writeString(fakeJava, String.join("\n", "#!/bin/sh",
                "case \"$*\" in *-XshowSettings*) echo '    java.specification.version = 17' >&2; exit 0;; esac",
                "printf '%s\\n' \"$@\" > '" + args + "'", ""));
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Path fakeAwk = bin.resolve("awk");
        Files.writeString(fakeAwk, "#!/bin/sh\necho 2.52762e+10\n");
        for (Path f : List.of(fakeJava, fakeAwk)) f.toFile().setExecutable(true);
        Path jar = dir.resolve("basalt-server-0-all.jar");
        Files.writeString(jar, "");

        long total = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) total = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        Path cgroup = Path.of("/sys/fs/cgroup/memory.max");
        if (Files.exists(cgroup)) {
            String v = Files.readString(cgroup).trim();
            if (v.matches("[0-9]+")) total = Math.min(total, Long.parseLong(v));
        }
        long cap = total / 10 * 9 >> 20;
        // a maxmemory above the machine's memory: heap and direct memory capped at 90% of it
        assertEquals(List.of("-Xmx" + cap + "m", "-XX:MaxDirectMemorySize=" + cap + "m"),
                heapFlags(launcher, javaHome, bin, jar, args, dir, "--maxmemory", "100000gb"));
        // 50mb: maxmemory + 96 MiB for garbage + room for one 512 MiB value (proto-max-bulk-len)
        // and 128 MiB; direct memory for two arguments of proto-max-bulk-len
        assertEquals(List.of("-Xmx" + (50 + 96 + 512 + 128) + "m", "-XX:MaxDirectMemorySize=1024m"),
                heapFlags(launcher, javaHome, bin, jar, args, dir, "--maxmemory", "50mb"));
        assertEquals(List.of("-Xmx" + (50 + 96 + 1024 + 128) + "m", "-XX:MaxDirectMemorySize=2048m"),
                heapFlags(launcher, javaHome, bin, jar, args, dir, "--maxmemory", "50mb", "--proto-max-bulk-len", "1gb"));
        assertEquals(List.of("-XX:MaxRAMPercentage=75", "-XX:MaxDirectMemorySize=" + ((total / 4 * 3) >> 20) + "m"),
                heapFlags(launcher, javaHome, bin, jar, args, dir));
    }

    /** Runs the launcher with the stand-in JVM and returns the heap-size flags it passed. */
    private static List<String> heapFlags(Path launcher, Path javaHome, Path bin, Path jar, Path args, Path dir,
                                          String... serverArgs) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(serverArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().put("BASALT_JAR", jar.toString());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().remove("BASALT_JAVA_OPTS");
        Process p = pb.start();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        String out = Files.readString(dir.resolve("out"));
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out, "the launcher printed something");
        return Files.readAllLines(args).stream()
                .filter(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxRAMPercentage") || a.startsWith("-XX:MaxDirectMemorySize"))
                .toList();
    }
}
