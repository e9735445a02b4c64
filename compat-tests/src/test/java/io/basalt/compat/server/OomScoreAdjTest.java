package io.basalt.compat.server;

import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * oom-score-adj as redis-server applies it to its own process: the master value, the replica
 * value after REPLICAOF, the score the process started with after "no" (the packaged server, a
 * process of its own, next to a redis-server process given the same arguments).
 */
class OomScoreAdjTest {
    @TempDir
    Path tmp;

    @Test
    void followsTheRoleAsRedisDoes() throws Exception {
        Path jar = Path.of("..", "server", "target").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isDirectory(jar) && Files.list(jar).anyMatch(f -> f.toString().endsWith("-all.jar")),
                "server jar not packaged");
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/oom_score_adj")));
        int nobody = RedisServerProcess.freePort();
        List<Proc> servers = List.of(start(true), start(false));
        try {
            for (Proc s : servers) assertEquals(11, awaitScore(s, 11), s.name);
            for (Proc s : servers) {
                try (RawClient c = new RawClient(s.port)) {
                    c.call("REPLICAOF", "127.0.0.1", Integer.toString(nobody));
                }
            }
            for (Proc s : servers) assertEquals(22, awaitScore(s, 22), s.name);
            // lowering the score back needs CAP_SYS_RESOURCE: without it both refuse alike
            List<String> replies = new ArrayList<>();
            for (Proc s : servers) {
                try (RawClient c = new RawClient(s.port)) {
                    replies.add(c.call("CONFIG", "SET", "oom-score-adj", "no").toString());
                }
            }
            assertEquals(replies.get(0), replies.get(1));
            if (replies.get(0).startsWith("+OK")) {
                for (Proc s : servers) assertEquals(s.initial, awaitScore(s, s.initial), s.name);
            }
        } finally {
            for (Proc s : servers) {
                s.process.destroyForcibly();
                s.process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private record Proc(String name, Process process, int port, int initial) {}

    private Proc start(boolean redis) throws Exception {
        int port = RedisServerProcess.freePort();
        Path dir = Files.createTempDirectory(tmp, redis ? "redis" : "basalt");
        List<String> cmd = new ArrayList<>();
        cmd.add(redis ? "redis-server" : Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize().toString());
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "",
                "--oom-score-adj", "absolute", "--oom-score-adj-values", "11 22 33"));
        int initial = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).trim()); // inherited
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try (RawClient c = new RawClient(port)) {
                if ("PONG".equals(c.call("PING").string())) return new Proc(redis ? "redis" : "basalt", p, port, initial);
            } catch (UncheckedIOException e) {
                if (System.currentTimeMillis() > deadline || !p.isAlive()) throw new AssertionError("did not start", e);
                Thread.sleep(100);
            }
        }
    }

    /** The server's own process's score once it equals {@code want} (the role check is the cron's), or the last read. */
    private static int awaitScore(Proc s, int want) throws Exception {
        long pid;
        try (RawClient c = new RawClient(s.port)) {
            String info = c.call("INFO", "server").string();
            pid = Long.parseLong(info.replaceAll("(?s).*\\r\\nprocess_id:(\\d+)\\r\\n.*", "$1"));
        }
        Path f = Path.of("/proc/" + pid + "/oom_score_adj");
        long deadline = System.currentTimeMillis() + 5_000;
        int v;
        do {
            v = Integer.parseInt(Files.readString(f).trim());
            if (v == want) return v;
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        return v;
    }
}
