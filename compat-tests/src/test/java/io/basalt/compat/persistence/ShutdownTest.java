package io.basalt.compat.persistence;

import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM and SIGINT to the packaged Basalt process, next to a redis-server 7.0 process given the
 * same arguments and signals: the final RDB save (with a save schedule, or as
 * shutdown-on-sigterm/-sigint say), the refusal to exit when that save fails (unless force), the
 * AOF flushed and fsynced, the pid file removed, the exit code, and the same shutdown log lines.
 */
class ShutdownTest {
    @TempDir
    Path tmp;

    /** A server process (Basalt's launcher or redis-server) with its log file. */
    private record Server(Process process, int port, Path log) {
        void signal(String sig) throws Exception {
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
            assertEquals(0, k.waitFor());
        }

        int awaitExit() throws Exception {
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "still running: " + Files.readString(log));
            return process.exitValue();
        }

        void kill() throws Exception {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        /** Waits until the log holds {@code n} lines containing {@code text}. */
        void awaitLog(String text, int n) throws Exception {
            long deadline = System.currentTimeMillis() + 20_000;
            while (count(Files.readString(log), text) < n) {
                if (System.currentTimeMillis() > deadline) throw new AssertionError("no '" + text + "' in " + Files.readString(log));
                Thread.sleep(50);
            }
        }
    }

    private static int count(String s, String text) {
        int n = 0;
        for (int i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + 1)) n++;
        return n;
    }

    private static boolean packaged() throws Exception {
        Path target = Path.of("..", "server", "target").toAbsolutePath().normalize();
        return Files.isDirectory(target) && Files.list(target).anyMatch(f -> f.getFileName().toString().endsWith("-all.jar"));
    }

    private Server start(boolean redis, Path dir, String... args) throws Exception {
        int port = RedisServerProcess.freePort();
        Path log = Files.createTempFile(tmp, redis ? "redis" : "basalt", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(redis ? "redis-server" : Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize().toString());
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--logfile", log.toString()));
        cmd.addAll(Arrays.asList(args));
        if (!redis) cmd.addAll(List.of("--basalt-http-port", "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try (RawClient c = new RawClient(port)) {
                if ("PONG".equals(c.call("PING").string())) return new Server(p, port, log);
            } catch (UncheckedIOException e) {
                if (System.currentTimeMillis() > deadline || !p.isAlive()) {
                    throw new AssertionError("server did not start: " + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static final Pattern LINE = Pattern.compile("^\\d+:(?:[A-Z] \\d+ \\w+ \\d+ [\\d:.]+ [#*.-] |signal-handler \\(\\d+\\) )(.*)$");

    /**
     * The messages a shutdown logs, from the signal on, with what differs by nature taken out:
     * the saved key count, the strerror context of a failed open, the server's own name.
     */
    private static List<String> shutdownLines(Path log) throws Exception {
        List<String> out = new ArrayList<>();
        boolean on = false;
        for (String line : Files.readAllLines(log)) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) continue;
            String msg = m.group(1);
            if (msg.startsWith("Received SIG")) on = true;
            if (!on) continue;
            if (msg.startsWith("DB saved on disk")) msg = "DB saved on disk";
            if (msg.startsWith("Failed opening the temp RDB file")) msg = msg.replaceAll("temp-\\d+\\.rdb \\(in server root dir [^)]*\\)", "temp-<pid>.rdb");
            if (msg.endsWith("is now ready to exit, bye bye...")) msg = "<server> is now ready to exit, bye bye...";
            out.add(msg);
        }
        return out;
    }

    private static void write(int port) {
        try (RawClient c = new RawClient(port)) {
            c.call("SET", "str", "v");
            c.call("RPUSH", "list", "a", "b");
            c.call("HSET", "hash", "f", "1");
            c.call("SET", "ttl", "x", "EX", "1000");
        }
    }

    private static void checkData(int port) {
        try (RawClient c = new RawClient(port)) {
            assertEquals("v", c.call("GET", "str").string());
            assertEquals(2, c.call("LLEN", "list").number());
            assertEquals("1", c.call("HGET", "hash", "f").string());
            long ttl = c.call("TTL", "ttl").number();
            assertTrue(ttl > 900 && ttl <= 1000, "ttl " + ttl);
        }
    }

    /** Runs the same scenario on redis-server and Basalt and checks both logged the same shutdown. */
    private interface Scenario {
        void run(boolean redis, Path dir) throws Exception;
    }

    private void both(Scenario s) throws Exception {
        for (boolean redis : new boolean[]{true, false}) {
            Path dir = Files.createTempDirectory(tmp, redis ? "redis" : "basalt");
            s.run(redis, dir);
        }
    }

    @Test
    void sigtermSavesWithASaveScheduleAndRemovesThePidFile() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged(), "server jar not packaged");
        List<List<String>> lines = new ArrayList<>();
        both((redis, dir) -> {
            Path pid = dir.resolve("server.pid");
            Server s = start(redis, dir, "--save", "3600 1", "--pidfile", pid.toString());
            try {
                write(s.port());
                assertTrue(Files.exists(pid));
                s.signal("TERM");
                assertEquals(0, s.awaitExit());
                assertTrue(Files.exists(dir.resolve("dump.rdb")), "no dump.rdb");
                assertFalse(Files.exists(pid), "pid file left");
                lines.add(shutdownLines(s.log()));
            } finally {
                s.kill();
            }
            Server again = start(redis, dir, "--save", "3600 1");
            try {
                checkData(again.port());
            } finally {
                again.kill();
            }
        });
        assertEquals(List.of("Received SIGTERM scheduling shutdown...", "User requested shutdown...",
                "Saving the final RDB snapshot before exiting.", "DB saved on disk", "Removing the pid file.",
                "<server> is now ready to exit, bye bye..."), lines.get(0));
        assertEquals(lines.get(0), lines.get(1));
    }

    @Test
    void nosaveSkipsTheSaveAndSigintHasItsOwnFlags() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged(), "server jar not packaged");
        List<List<String>> lines = new ArrayList<>();
        both((redis, dir) -> {
            // SIGTERM with nosave: no file despite the schedule
            Server s = start(redis, dir, "--save", "3600 1", "--shutdown-on-sigterm", "nosave");
            try {
                write(s.port());
                s.signal("TERM");
                assertEquals(0, s.awaitExit());
                assertFalse(Files.exists(dir.resolve("dump.rdb")), "dump.rdb written with nosave");
                lines.add(shutdownLines(s.log()));
            } finally {
                s.kill();
            }
            // SIGINT with save, no schedule: the file is written
            s = start(redis, dir, "--save", "", "--shutdown-on-sigint", "save now", "--shutdown-on-sigterm", "nosave");
            try {
                write(s.port());
                s.signal("INT");
                assertEquals(0, s.awaitExit());
                assertTrue(Files.exists(dir.resolve("dump.rdb")), "no dump.rdb with shutdown-on-sigint save");
                lines.add(shutdownLines(s.log()));
            } finally {
                s.kill();
            }
        });
        assertEquals(List.of("Received SIGTERM scheduling shutdown...", "User requested shutdown...",
                "<server> is now ready to exit, bye bye..."), lines.get(0));
        assertEquals(lines.get(0), lines.get(2));
        assertEquals(List.of("Received SIGINT scheduling shutdown...", "User requested shutdown...",
                "Saving the final RDB snapshot before exiting.", "DB saved on disk",
                "<server> is now ready to exit, bye bye..."), lines.get(1));
        assertEquals(lines.get(1), lines.get(3));
    }

    /**
     * The final save fails (the directory is gone): SIGTERM and SHUTDOWN leave the server running
     * and serving, with Redis's log lines; with force it exits anyway.
     */
    @Test
    void aFailedFinalSaveRefusesToExitUnlessForce() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged(), "server jar not packaged");
        List<List<String>> lines = new ArrayList<>();
        both((redis, dir) -> {
            Server s = start(redis, dir, "--save", "3600 1");
            try {
                write(s.port());
                // root may write anywhere: a removed directory is what fails for everyone
                Files.delete(dir);
                s.signal("TERM");
                s.awaitLog("Errors trying to shut down the server. Check the logs for more information.", 1);
                Thread.sleep(200);
                assertTrue(s.process().isAlive(), "exited although the save failed");
                try (RawClient c = new RawClient(s.port())) {
                    assertEquals("PONG", c.call("PING").string());
                    assertEquals("v", c.call("GET", "str").string());
                    assertEquals("ERR Errors trying to SHUTDOWN. Check logs.", c.call("SHUTDOWN").string());
                    assertEquals("OK", c.call("SET", "still", "serving").string());
                    assertEquals("OK", c.call("CONFIG", "SET", "shutdown-on-sigterm", "force").string());
                }
                s.signal("TERM");
                assertEquals(0, s.awaitExit());
                lines.add(shutdownLines(s.log()));
            } finally {
                s.kill();
            }
        });
        String failed = "Failed opening the temp RDB file temp-<pid>.rdb for saving: No such file or directory";
        assertEquals(List.of("Received SIGTERM scheduling shutdown...", "User requested shutdown...",
                "Saving the final RDB snapshot before exiting.", failed,
                "Error trying to save the DB, can't exit.",
                "Errors trying to shut down the server. Check the logs for more information.",
                "User requested shutdown...", "Saving the final RDB snapshot before exiting.", failed,
                "Error trying to save the DB, can't exit.",
                "Errors trying to shut down the server. Check the logs for more information.",
                "Received SIGTERM scheduling shutdown...", "User requested shutdown...",
                "Saving the final RDB snapshot before exiting.", failed, "Error trying to save the DB. Exit anyway.",
                "<server> is now ready to exit, bye bye..."), lines.get(0));
        assertEquals(lines.get(0), lines.get(1));
    }

    /** appendfsync no: every acknowledged write is in the AOF after SIGTERM, flushed and fsynced. */
    @Test
    void sigtermFlushesAndFsyncsTheAof() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged(), "server jar not packaged");
        List<List<String>> lines = new ArrayList<>();
        both((redis, dir) -> {
            String[] args = {"--save", "", "--appendonly", "yes", "--appendfsync", "no"};
            Server s = start(redis, dir, args);
            long n = 0;
            try {
                try (RawClient c = new RawClient(s.port())) {
                    for (int i = 0; i < 2000; i++) n = c.call("INCR", "counter").number();
                    c.call("RPUSH", "last", "x");
                }
                s.signal("TERM");
                assertEquals(0, s.awaitExit());
                lines.add(shutdownLines(s.log()));
            } finally {
                s.kill();
            }
            Server again = start(redis, dir, args);
            try (RawClient c = new RawClient(again.port())) {
                AofFiles.awaitLoaded(again.port());
                assertEquals(Long.toString(n), c.call("GET", "counter").string());
                assertEquals(1, c.call("LLEN", "last").number());
            } finally {
                again.kill();
            }
        });
        assertEquals(List.of("Received SIGTERM scheduling shutdown...", "User requested shutdown...",
                "Calling fsync() on the AOF file.", "<server> is now ready to exit, bye bye..."), lines.get(0));
        assertEquals(lines.get(0), lines.get(1));
    }

    /**
     * SIGTERM while an AOF rewrite runs and a BGSAVE waits for it (a large keyspace keeps it
     * busy): the rewrite is stopped as Redis kills its child, the final save and the AOF still hold every key, and
     * the process exits at once with 0 rather than waiting for them or hanging on their locks.
     */
    @Test
    void sigtermDuringARewriteStopsIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged(), "server jar not packaged");
        Path dir = Files.createTempDirectory(tmp, "basalt");
        String[] args = {"--save", "3600 1", "--appendonly", "yes", "--enable-debug-command", "yes"};
        Server s = start(false, dir, args);
        try {
            try (RawClient c = new RawClient(s.port())) {
                // DEBUG POPULATE is not logged (as in Redis): a first rewrite puts the keys in the AOF
                assertEquals("OK", c.call("DEBUG", "POPULATE", "400000", "key", "64").string());
                c.call("BGREWRITEAOF");
                AofFiles.awaitRewrite(s.port());
                c.call("INCR", "counter");
                assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF").string());
                c.call("INCR", "counter");
                // one background job at a time, as Redis: the BGSAVE waits for the rewrite
                assertEquals("Background saving scheduled", c.call("BGSAVE", "SCHEDULE").string());
                c.call("INCR", "counter");
            }
            s.signal("TERM");
            assertEquals(0, s.awaitExit());
            String log = Files.readString(s.log());
            assertTrue(log.contains("Basalt is now ready to exit, bye bye..."), log);
            // (400k keys take far longer to write than the signal to arrive)
            assertTrue(log.contains("There is a child rewriting the AOF. Killing it!"), log);
        } finally {
            s.kill();
        }
        // the RDB alone (appendonly no) and the AOF alone (appendonly yes) each hold everything
        for (String aof : new String[]{"no", "yes"}) {
            Server again = start(false, dir, "--save", "", "--appendonly", aof);
            try (RawClient c = new RawClient(again.port())) {
                assertEquals(400001, c.call("DBSIZE").number(), "appendonly " + aof);
                assertEquals("3", c.call("GET", "counter").string(), "appendonly " + aof);
            } finally {
                again.kill();
            }
        }
    }

    /**
     * While the first rewrite of an AOF turned on at runtime runs, the AOF holds no base: SHUTDOWN
     * refuses (Redis's AOF_WAIT_REWRITE: "Writing initial AOF, can't exit.") unless FORCE.
     */
    @Test
    void shutdownRefusesWhileTheInitialAofIsWritten() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "basalt");
        io.basalt.compat.harness.BasaltInstance b = io.basalt.compat.harness.BasaltInstance.start("--dir", dir.toString());
        try (RawClient c = new RawClient(b.port())) {
            assertEquals("OK", c.call("DEBUG", "POPULATE", "400000", "key", "64").string());
            assertEquals("OK", c.call("CONFIG", "SET", "appendonly", "yes").string());
            assertEquals("ERR Errors trying to SHUTDOWN. Check logs.", c.call("SHUTDOWN", "NOSAVE").string());
            assertEquals("PONG", c.call("PING").string());
            c.send("SHUTDOWN", "NOSAVE", "FORCE");
            long deadline = System.currentTimeMillis() + 10_000;
            while (!c.isClosedByServer() && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertTrue(c.isClosedByServer());
        } finally {
            b.stop();
        }
    }
}
