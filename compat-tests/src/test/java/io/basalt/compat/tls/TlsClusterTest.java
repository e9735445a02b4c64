package io.basalt.compat.tls;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * tls-cluster: a Basalt node and a redis-server node, both with tls-cluster yes, form one cluster
 * over a TLS cluster bus (a plain bus on either side would fail the other's handshake), and
 * each reports the other's ports as Redis 7.0 does in a TLS cluster: the TLS port to clients on
 * TLS, the plaintext port (pport) to clients that are not, in CLUSTER NODES, CLUSTER SLOTS,
 * CLUSTER SHARDS and -MOVED.
 */
class TlsClusterTest {
    private static TestCerts certs;
    private static RedisServerProcess redis;
    private static BasaltInstance basalt;
    private static int redisTls;
    private static int basaltTls;
    private static int redisBus;

    private static String[] args(int tlsPort, int busPort) {
        List<String> a = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-port", Integer.toString(busPort),
                "--cluster-node-timeout", "2000", "--tls-cluster", "yes", "--tls-replication", "yes",
                "--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", certs.file("server.crt"), "--tls-key-file", certs.file("server.key"),
                "--tls-ca-cert-file", certs.file("ca.crt")));
        return a.toArray(new String[0]);
    }

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.generate();
        redisTls = RedisServerProcess.freePort();
        redisBus = RedisServerProcess.freePort();
        redis = RedisServerProcess.start(args(redisTls, redisBus));
        basaltTls = RedisServerProcess.freePort();
        basalt = BasaltInstance.start(args(basaltTls, RedisServerProcess.freePort()));
    }

    @AfterAll
    static void stop() {
        if (basalt != null) basalt.stop();
        if (redis != null) redis.stop();
        if (certs != null) certs.delete();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what);
    }

    private static String nodes(RawClient c) {
        return c.call("CLUSTER", "NODES").string();
    }

    /** The CLUSTER NODES line of the node with this id. */
    private static String line(String nodes, String id) {
        return nodes.lines().filter(l -> l.startsWith(id)).findFirst().orElse("");
    }

    @Test
    void basaltAndRedisFormATlsClusterAndShowEachClientItsPorts() throws Exception {
        try (RawClient b = new RawClient(basalt.port()); RawClient r = new RawClient(redis.port());
             RawClient bt = new RawClient(certs.connect(basaltTls, true));
             RawClient rt = new RawClient(certs.connect(redisTls, true))) {
            String bid = b.call("CLUSTER", "MYID").string();
            String rid = r.call("CLUSTER", "MYID").string();
            // in a TLS cluster a node's port is its TLS port (CLUSTER MEET names it)
            assertEquals("OK", b.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(redisTls), Integer.toString(redisBus)).string());
            await("the handshake over the TLS bus", () -> {
                String bn = nodes(b), rn = nodes(r);
                return bn.contains(rid) && rn.contains(bid) && !bn.contains("handshake") && !rn.contains("handshake")
                        && bn.lines().filter(l -> l.contains(" connected")).count() == 2
                        && rn.lines().filter(l -> l.contains(" connected")).count() == 2;
            });
            assertEquals("OK", b.call("CLUSTER", "ADDSLOTSRANGE", "0", "8191").string());
            assertEquals("OK", r.call("CLUSTER", "ADDSLOTSRANGE", "8192", "16383").string());
            await("cluster_state:ok", () -> b.call("CLUSTER", "INFO").string().contains("cluster_state:ok")
                    && r.call("CLUSTER", "INFO").string().contains("cluster_state:ok"));

            // CLUSTER NODES: the TLS port on TLS, the plaintext one (pport) otherwise, from both nodes
            int basaltBus = Integer.parseInt(line(nodes(b), bid).split(" ")[1].replaceAll(".*@", "").replaceAll(",.*", ""));
            assertTrue(line(nodes(b), rid).contains("127.0.0.1:" + redis.port() + "@" + redisBus), nodes(b));
            assertTrue(line(nodes(bt), rid).contains("127.0.0.1:" + redisTls + "@" + redisBus), nodes(bt));
            assertTrue(line(nodes(r), bid).contains("127.0.0.1:" + basalt.port() + "@" + basaltBus), nodes(r));
            assertTrue(line(nodes(rt), bid).contains("127.0.0.1:" + basaltTls + "@" + basaltBus), nodes(rt));
            assertTrue(line(nodes(b), bid).contains("127.0.0.1:" + basalt.port() + "@"), nodes(b));
            assertTrue(line(nodes(bt), bid).contains("127.0.0.1:" + basaltTls + "@"), nodes(bt));

            // -MOVED names the port the client can use; "foo" hashes to 12182 (Redis's slots)
            assertEquals("MOVED 12182 127.0.0.1:" + redis.port(), b.call("GET", "foo").string());
            assertEquals("MOVED 12182 127.0.0.1:" + redisTls, bt.call("GET", "foo").string());
            // "b" hashes to 3300, a slot of Basalt
            assertEquals("MOVED 3300 127.0.0.1:" + basalt.port(), r.call("GET", "b").string());
            assertEquals("MOVED 3300 127.0.0.1:" + basaltTls, rt.call("GET", "b").string());

            // CLUSTER SLOTS: the same rule; CLUSTER SHARDS: "port" (plaintext) and "tls-port"
            assertEquals(slots(r), slots(b));
            assertEquals(slots(rt), slots(bt));
            String shardsB = shards(b);
            String shardsR = shards(r);
            assertEquals(shardsR, shardsB);
            assertTrue(shardsB.contains("tls-port=" + redisTls) && shardsB.contains("port=" + redis.port()), shardsB);
            assertTrue(shardsB.contains("tls-port=" + basaltTls) && shardsB.contains("port=" + basalt.port()), shardsB);

            // MIGRATE in a TLS cluster speaks TLS to the target's (TLS) port, as Redis's does
            assertEquals("OK", b.call("SET", "b", "moved over TLS").string());
            assertEquals("OK", r.call("CLUSTER", "SETSLOT", "3300", "IMPORTING", bid).string());
            assertEquals("OK", b.call("CLUSTER", "SETSLOT", "3300", "MIGRATING", rid).string());
            assertEquals("OK", b.call("MIGRATE", "127.0.0.1", Integer.toString(redisTls), "b", "0", "5000").string());
            assertEquals("ASK 3300 127.0.0.1:" + redis.port(), b.call("GET", "b").string());
            assertEquals("OK", r.call("ASKING").string());
            assertEquals("moved over TLS", r.call("GET", "b").string());
        }
    }

    /** CLUSTER SLOTS as "start-end:port,port..." lines, sorted. */
    private static String slots(RawClient c) {
        List<String> out = new ArrayList<>();
        for (RespValue range : c.call("CLUSTER", "SLOTS").elements()) {
            List<RespValue> e = range.elements();
            StringBuilder sb = new StringBuilder(e.get(0).number() + "-" + e.get(1).number() + ":");
            for (int i = 2; i < e.size(); i++) sb.append(e.get(i).elements().get(1).number()).append(',');
            out.add(sb.toString());
        }
        out.sort(null);
        return String.join("\n", out);
    }

    /** CLUSTER SHARDS' node fields that carry ports and ids, as sorted "name=value" lines. */
    private static String shards(RawClient c) {
        List<String> out = new ArrayList<>();
        for (RespValue shard : c.call("CLUSTER", "SHARDS").elements()) {
            List<RespValue> kv = shard.elements();
            for (int i = 0; i + 1 < kv.size(); i += 2) {
                if (!kv.get(i).string().equals("nodes")) continue;
                for (RespValue node : kv.get(i + 1).elements()) {
                    List<RespValue> f = node.elements();
                    StringBuilder sb = new StringBuilder();
                    for (int j = 0; j + 1 < f.size(); j += 2) {
                        String k = f.get(j).string();
                        if (k.equals("id") || k.equals("port") || k.equals("tls-port") || k.equals("ip") || k.equals("role")) {
                            sb.append(k).append("=").append(f.get(j + 1).string()).append(" ");
                        }
                    }
                    out.add(sb.toString().trim());
                }
            }
        }
        out.sort(null);
        return String.join("\n", out);
    }
}
