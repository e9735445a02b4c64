package io.basalt.compat.persistence;

import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of a Basalt process (the packaged launcher) at random moments while clients write:
 * with appendfsync always every acknowledged write survives and no transaction is half-applied;
 * with everysec the loss is bounded to about the last second. Rewrites run meanwhile, so some
 * kills land inside one. Rounds: -Dbasalt.crash.rounds (5 by default).
 */
class AofCrashTest {
    private static final int CLIENTS = 4;

    private static Process start(Path dir, int port, String fsync, Path log) throws Exception {
        Path launcher = Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize();
        Process p = new ProcessBuilder(launcher.toString(), "--port", Integer.toString(port), "--save", "",
                "--appendonly", "yes", "--appendfsync", fsync, "--dir", dir.toString(), "--basalt-http-port", "0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try (RawClient c = new RawClient(port)) {
                if ("PONG".equals(c.call("PING").string())) return p;
            } catch (UncheckedIOException e) {
                if (System.currentTimeMillis() > deadline || !p.isAlive()) {
                    throw new AssertionError("server did not start: " + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean packaged() throws Exception {
        Path target = Path.of("..", "server", "target").toAbsolutePath().normalize();
        return Files.isDirectory(target) && Files.list(target).anyMatch(f -> f.getFileName().toString().endsWith("-all.jar"));
    }

    private static long number(RespValue v) {
        return v.isNull() ? 0 : Long.parseLong(v.string());
    }

    @Test
    void acknowledgedWritesSurviveKill9WithAppendfsyncAlways(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged(), "server jar not packaged");
        int rounds = Integer.getInteger("basalt.crash.rounds", 5);
        Path log = dir.resolve("basalt.log");
        Path data = Files.createDirectories(dir.resolve("data"));
        AtomicLongArray ackedCounter = new AtomicLongArray(CLIENTS);
        AtomicLongArray sentCounter = new AtomicLongArray(CLIENTS);
        AtomicLongArray ackedPairs = new AtomicLongArray(CLIENTS);
        for (int round = 0; round <= rounds; round++) {
            int port = RedisServerProcess.freePort();
            Process p = start(data, port, "always", log);
            try {
                // after the restart: every acknowledged write is there, nothing half-applied
                try (RawClient c = new RawClient(port)) {
                    for (int t = 0; t < CLIENTS; t++) {
                        long counter = number(c.call("GET", "counter:" + t));
                        assertTrue(counter >= ackedCounter.get(t) && counter <= sentCounter.get(t),
                                "round " + round + " client " + t + ": counter " + counter + " acked "
                                        + ackedCounter.get(t) + " sent " + sentCounter.get(t));
                        ackedCounter.set(t, counter);
                        sentCounter.set(t, counter);
                        long a = number(c.call("GET", "pairA:" + t));
                        long b = number(c.call("GET", "pairB:" + t));
                        assertEquals(a, b, "round " + round + ": half-applied transaction of client " + t);
                        assertTrue(a >= ackedPairs.get(t), "round " + round + ": acknowledged EXEC lost");
                        ackedPairs.set(t, a);
                    }
                }
                if (round == rounds) break;
                List<Thread> writers = new ArrayList<>();
                for (int t = 0; t < CLIENTS; t++) {
                    int id = t;
                    Thread w = new Thread(() -> {
                        try (RawClient c = new RawClient(port)) {
                            while (true) {
                                sentCounter.incrementAndGet(id);
                                ackedCounter.set(id, number(c.call("INCR", "counter:" + id)));
                                c.send("MULTI");
                                c.send("INCR", "pairA:" + id);
                                c.send("SET", "pad:" + id, "x".repeat(ThreadLocalRandom.current().nextInt(1, 200)));
                                c.send("INCR", "pairB:" + id);
                                c.send("EXEC");
                                for (int i = 0; i < 4; i++) c.read();
                                RespValue exec = c.read();
                                ackedPairs.set(id, exec.get(0).number());
                            }
                        } catch (RuntimeException e) {
                            // the server was killed: whatever was not acknowledged may be lost
                        }
                    });
                    w.start();
                    writers.add(w);
                }
                // rewrites now and then, so some kills land in the middle of one
                Thread rewriter = new Thread(() -> {
                    try (RawClient c = new RawClient(port)) {
                        while (true) {
                            Thread.sleep(ThreadLocalRandom.current().nextLong(50, 400));
                            c.call("BGREWRITEAOF");
                        }
                    } catch (RuntimeException | InterruptedException e) {
                        // killed
                    }
                });
                rewriter.start();
                writers.add(rewriter);
                Thread.sleep(ThreadLocalRandom.current().nextLong(300, 1500));
                p.destroyForcibly(); // SIGKILL: the launcher execs the JVM
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                for (Thread w : writers) w.join(15_000);
                assertTrue(ackedCounter.get(0) > 0, "no write was acknowledged");
            } finally {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void everysecLosesAtMostAboutTheLastSecond(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(packaged(), "server jar not packaged");
        Path log = dir.resolve("basalt.log");
        Path data = Files.createDirectories(dir.resolve("data"));
        int port = RedisServerProcess.freePort();
        Process p = start(data, port, "everysec", log);
        long[] ackTimes = new long[1_000_000];
        long last = 0;
        long killedAt;
        try (RawClient c = new RawClient(port)) {
            long end = System.currentTimeMillis() + ThreadLocalRandom.current().nextLong(1500, 2500);
            while (System.currentTimeMillis() < end && last < ackTimes.length - 1) {
                last = number(c.call("INCR", "counter"));
                ackTimes[(int) last] = System.currentTimeMillis();
            }
            killedAt = System.currentTimeMillis();
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        port = RedisServerProcess.freePort();
        p = start(data, port, "everysec", log);
        try (RawClient c = new RawClient(port)) {
            long recovered = number(c.call("GET", "counter"));
            assertTrue(recovered <= last, recovered + " > " + last);
            if (recovered < last) {
                long firstLostAt = ackTimes[(int) recovered + 1];
                assertTrue(killedAt - firstLostAt <= 2000, "lost writes acknowledged " + (killedAt - firstLostAt) + " ms before the kill");
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
