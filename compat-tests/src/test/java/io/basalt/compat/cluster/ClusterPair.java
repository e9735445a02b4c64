package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One connection to a Basalt node and one to a redis-server node set up alike, for the cluster
 * differential tests: {@link #same} sends a command to both and requires the same reply bytes.
 */
final class ClusterPair implements AutoCloseable {
    final RawClient basalt;
    final RawClient redis;

    ClusterPair(int basaltPort, int redisPort) {
        this.basalt = new RawClient(basaltPort);
        this.redis = new RawClient(redisPort);
    }

    /** Sends {@code cmd} to both nodes; their replies must be byte-identical. Returns it. */
    String same(String... cmd) {
        String expected = redis.call(cmd).rawString();
        String actual = basalt.call(cmd).rawString();
        assertEquals(expected, actual, "reply to " + String.join(" ", cmd));
        return actual;
    }

    /** Both replies, for commands whose replies hold node-specific values. */
    String[] both(String... cmd) {
        return new String[] {redis.call(cmd).rawString(), basalt.call(cmd).rawString()};
    }

    @Override
    public void close() {
        basalt.close();
        redis.close();
    }

    /** A redis-server in cluster mode on a free port, with its bus on a free port too (port+10000 may not exist). */
    static RedisServerProcess startRedis(String... extra) {
        return RedisServerProcess.start(clusterArgs(extra));
    }

    /** A Basalt node in cluster mode, its bus on a free port (its client port + 10000 may not exist). */
    static BasaltInstance startBasalt(String... extra) {
        return BasaltInstance.start(clusterArgs(extra));
    }

    /** cluster-enabled yes and a free cluster-port, then {@code extra} (which may override them). */
    private static String[] clusterArgs(String... extra) {
        String[] args = new String[extra.length + 4];
        args[0] = "--cluster-enabled";
        args[1] = "yes";
        args[2] = "--cluster-port";
        try {
            args[3] = Integer.toString(RedisServerProcess.freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.arraycopy(extra, 0, args, 4, extra.length);
        return args;
    }

    /**
     * Waits until a write to {@code key} is no longer refused as CLUSTERDOWN on {@code c}: a master
     * turns its state ok only CLUSTER_WRITABLE_DELAY (2 s) after its first state evaluation.
     */
    static void awaitServing(RawClient c, String key) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            String r = c.call("EXISTS", key).rawString();
            if (!r.startsWith("-CLUSTERDOWN")) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        fail("the cluster did not come up");
    }

    /** Waits until {@code c} answers {@code cmd} with a reply starting with {@code prefix}. */
    static void await(RawClient c, String prefix, String... cmd) {
        long deadline = System.currentTimeMillis() + 10_000;
        String r = null;
        while (System.currentTimeMillis() < deadline) {
            r = c.call(cmd).rawString();
            if (r.startsWith(prefix)) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        fail("no " + prefix + " for " + String.join(" ", cmd) + ", last: " + r);
    }
}
