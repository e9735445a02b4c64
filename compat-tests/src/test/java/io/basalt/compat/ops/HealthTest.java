package io.basalt.compat.ops;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener itself and the Kubernetes probes: /health/live answers while the process serves,
 * /health/ready is 503 while the data loads and while a replica is not in sync with its master;
 * the port follows basalt-http-port (0: off) at startup and through CONFIG SET, a port in use is a
 * startup error, and a stopped server no longer listens.
 */
class HealthTest {

    @Test
    void liveAndReadyOnAMaster() throws Exception {
        BasaltInstance b = Http.startWithHttp();
        int http = b.server().ops().port();
        try {
            Http.Response live = Http.get(http, "/health/live");
            assertEquals(200, live.status());
            assertEquals("application/json", live.contentType());
            assertEquals("{\"status\":\"ok\"}", live.body());
            Http.Response ready = Http.get(http, "/health/ready");
            assertEquals(200, ready.status());
            assertEquals("{\"status\":\"ready\",\"role\":\"master\",\"loading\":false}", ready.body());
            // HEAD for probes that only look at the status
            Http.Response head = Http.request(http, "/health/ready", "HEAD", null);
            assertEquals(200, head.status());
            assertEquals("", head.body());
            assertEquals(404, Http.get(http, "/nothing").status());
            Http.Response post = Http.request(http, "/metrics", "POST", null);
            assertEquals(405, post.status());
        } finally {
            b.stop();
        }
    }

    /** Not ready while the RDB file loads (slowed with key-load-delay), ready once it is in; live all along. */
    @Test
    void notReadyWhileLoading(@TempDir Path dir) throws Exception {
        BasaltInstance writer = BasaltInstance.start("--dir", dir.toString());
        try (RawClient c = new RawClient(writer.port())) {
            assertEquals("OK", c.call("DEBUG", "POPULATE", "3000").string());
            assertEquals("OK", c.call("SAVE").string());
        } finally {
            writer.stop();
        }
        int http = RedisServerProcess.freePort();
        // 500 us per key: about 1.5 s of loading, during which start() has not returned yet
        CompletableFuture<BasaltInstance> starting = CompletableFuture.supplyAsync(() -> BasaltInstance.start(
                "--dir", dir.toString(), "--key-load-delay", "500", "--basalt-http-port", Integer.toString(http)));
        List<String> seen = new ArrayList<>();
        boolean liveWhileLoading = false;
        double loadingMetric = 0;
        long deadline = System.currentTimeMillis() + 30_000;
        while (!starting.isDone() && System.currentTimeMillis() < deadline) {
            if (Http.listening(http)) {
                try {
                    Http.Response r = Http.get(http, "/health/ready");
                    if (r.status() == 503) {
                        seen.add(r.body());
                        liveWhileLoading |= Http.get(http, "/health/live").status() == 200;
                        loadingMetric = Math.max(loadingMetric, Http.scrape(http).value("redis_loading_dump_file"));
                    }
                } catch (java.io.IOException e) {
                    // the load ended (or the listener is just coming up)
                }
            }
            Thread.sleep(20);
        }
        BasaltInstance b = starting.get(30, TimeUnit.SECONDS);
        try {
            assertFalse(seen.isEmpty(), "never saw the server not ready while it loaded");
            assertEquals("{\"status\":\"not ready\",\"reason\":\"loading\",\"role\":\"master\",\"loading\":true}", seen.get(0));
            assertTrue(liveWhileLoading, "not live while loading");
            assertEquals(1, loadingMetric);
            Http.Response ready = Http.get(http, "/health/ready");
            assertEquals(200, ready.status(), ready.body());
            Exposition e = Http.scrape(http);
            assertEquals(3000, e.value("redis_db_keys", "db", "db0"));
            assertEquals(0, e.value("redis_loading_dump_file"));
        } finally {
            b.stop();
        }
    }

    /**
     * A replica is not ready while its link to the master is down or its full sync runs (the
     * master's image is slowed with rdb-key-save-delay), ready once in sync, and not ready again
     * when the master goes away. The metrics show the link and the offsets meanwhile.
     */
    @Test
    void replicaReadyOnlyWhenInSync() throws Exception {
        BasaltInstance master = Http.startWithHttp("--rdb-key-save-delay", "1000", "--repl-diskless-sync-delay", "0",
                "--dir", java.nio.file.Files.createTempDirectory("basalt-master").toString());
        BasaltInstance replica = null;
        try {
            try (RawClient c = new RawClient(master.port())) {
                assertEquals("OK", c.call("DEBUG", "POPULATE", "1500").string());
            }
            replica = Http.startWithHttp("--replicaof", "127.0.0.1 " + master.port(),
                    "--dir", java.nio.file.Files.createTempDirectory("basalt-replica").toString());
            int http = replica.server().ops().port();
            List<String> notReady = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            Http.Response r;
            while ((r = Http.get(http, "/health/ready")).status() != 200) {
                assertEquals(503, r.status());
                notReady.add(r.body());
                assertTrue(System.currentTimeMillis() < deadline, "replica never became ready: " + r.body());
                Thread.sleep(20);
            }
            assertTrue(notReady.stream().anyMatch(s -> s.contains("\"reason\":\"sync in progress\"")
                    && s.contains("\"master_sync_in_progress\":true") && s.contains("\"role\":\"slave\"")), notReady.toString());
            assertEquals("{\"status\":\"ready\",\"role\":\"slave\",\"loading\":false,\"master_link_status\":\"up\","
                    + "\"master_sync_in_progress\":false}", r.body());
            assertEquals(200, Http.get(http, "/health/live").status());

            Exposition e = Http.scrape(http);
            String[] link = {"master_host", "127.0.0.1", "master_port", Integer.toString(master.port())};
            assertEquals(1, e.value("redis_master_link_up", link));
            assertEquals(0, e.value("redis_master_sync_in_progress", link));
            assertEquals("slave", e.samples("redis_instance_info").get(0).labels().get("role"));
            assertEquals(1500, e.value("redis_db_keys", "db", "db0"));

            // the master's view: one replica, and the offset both agree on once the stream is through
            try (RawClient c = new RawClient(master.port())) {
                for (int i = 0; i < 10; i++) c.call("SET", "after" + i, "v");
            }
            int masterHttp = master.server().ops().port();
            Exposition m = Http.scrape(masterHttp);
            assertEquals(1, m.value("redis_connected_slaves"));
            double offset = m.value("redis_master_repl_offset");
            assertTrue(offset > 0);
            long until = System.currentTimeMillis() + 10_000;
            while (Http.scrape(http).value("redis_slave_repl_offset", link) < offset) {
                assertTrue(System.currentTimeMillis() < until, "replica's offset never reached the master's");
                Thread.sleep(10);
            }
            Exposition r2 = Http.scrape(http);
            assertTrue(r2.value("redis_slave_repl_offset", link) >= offset);
            assertEquals(1510, r2.value("redis_db_keys", "db", "db0"));
            try (RawClient c = new RawClient(master.port())) {
                String info = c.call("INFO", "replication").string();
                double infoOffset = Double.parseDouble(info.replaceAll("(?s).*master_repl_offset:(\\d+).*", "$1"));
                assertTrue(infoOffset >= offset, info);
            }

            // the master goes away: not ready again
            master.stop();
            master = null;
            until = System.currentTimeMillis() + 10_000;
            while ((r = Http.get(http, "/health/ready")).status() != 503) {
                assertTrue(System.currentTimeMillis() < until, "still ready without a master");
                Thread.sleep(10);
            }
            assertTrue(r.body().contains("\"master_link_status\":\"down\""), r.body());
            assertEquals(0, Http.scrape(http).value("redis_master_link_up", link));
        } finally {
            if (replica != null) replica.stop();
            if (master != null) master.stop();
        }
    }

    /**
     * A cluster node is not ready while its cluster state is fail (it answers CLUSTERDOWN): here
     * until it serves every slot; /metrics has redis_cluster_state as redis_exporter does.
     */
    @Test
    void clusterNodeReadyOnlyWhenTheClusterIsOk(@TempDir Path dir) throws Exception {
        BasaltInstance b = Http.startWithHttp("--cluster-enabled", "yes", "--dir", dir.toString(),
                "--cluster-port", Integer.toString(RedisServerProcess.freePort()));
        int http = b.server().ops().port();
        try (RawClient c = new RawClient(b.port())) {
            Http.Response down = Http.get(http, "/health/ready");
            assertEquals(503, down.status());
            assertEquals("{\"status\":\"not ready\",\"reason\":\"cluster state fail\",\"role\":\"master\","
                    + "\"loading\":false,\"cluster_state\":\"fail\"}", down.body());
            assertEquals(0.0, Http.scrape(http).value("redis_cluster_state"));
            assertEquals(1.0, Http.scrape(http).value("redis_cluster_enabled"));
            assertEquals("OK", c.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383").string());
            long deadline = System.currentTimeMillis() + 10_000;
            Http.Response up = down;
            while (System.currentTimeMillis() < deadline && up.status() != 200) {
                Thread.sleep(50);
                up = Http.get(http, "/health/ready");
            }
            assertEquals(200, up.status(), up.body());
            assertEquals("{\"status\":\"ready\",\"role\":\"master\",\"loading\":false,\"cluster_state\":\"ok\"}", up.body());
            assertEquals(1.0, Http.scrape(http).value("redis_cluster_state"));
        } finally {
            b.stop();
        }
    }

    @Test
    void portZeroIsOffAndConfigSetMovesTheListener() throws Exception {
        BasaltInstance b = BasaltInstance.start(); // the harness starts instances with basalt-http-port 0
        try (RawClient c = new RawClient(b.port())) {
            assertEquals(0, b.server().ops().port());
            assertEquals("0", c.call("CONFIG", "GET", "basalt-http-port").get(1).string());

            int p1 = RedisServerProcess.freePort();
            assertEquals("OK", c.call("CONFIG", "SET", "basalt-http-port", Integer.toString(p1)).string());
            assertEquals(p1, b.server().ops().port());
            assertEquals(200, Http.get(p1, "/health/live").status());
            assertEquals(Integer.toString(p1), c.call("CONFIG", "GET", "basalt-http-port").get(1).string());

            int p2 = RedisServerProcess.freePort();
            assertEquals("OK", c.call("CONFIG", "SET", "basalt-http-port", Integer.toString(p2)).string());
            assertEquals(200, Http.get(p2, "/health/live").status());
            assertFalse(Http.listening(p1), "the old port still listens");

            // a port in use: refused, the listener stays where it was
            try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
                String err = c.call("CONFIG", "SET", "basalt-http-port", Integer.toString(taken.getLocalPort())).string();
                assertEquals("ERR CONFIG SET failed (possibly related to argument 'basalt-http-port') - Unable to listen on this port", err);
            }
            assertEquals(Integer.toString(p2), c.call("CONFIG", "GET", "basalt-http-port").get(1).string());
            assertEquals(200, Http.get(p2, "/health/live").status());

            for (String bad : new String[] {"-1", "65536", "abc"}) {
                assertTrue(c.call("CONFIG", "SET", "basalt-http-port", bad).string()
                        .startsWith("ERR CONFIG SET failed (possibly related to argument 'basalt-http-port') - "), bad);
            }

            assertEquals("OK", c.call("CONFIG", "SET", "basalt-http-port", "0").string());
            assertEquals(0, b.server().ops().port());
            assertFalse(Http.listening(p2), "port 0 leaves the listener open");
        } finally {
            b.stop();
        }
    }

    /** The HTTP listener takes the addresses of bind, and follows CONFIG SET bind. */
    @Test
    void listenerFollowsBind() throws Exception {
        BasaltInstance b = Http.startWithHttp();
        int http = b.server().ops().port();
        try (RawClient c = new RawClient(b.port())) {
            assertTrue(Http.listening(http));
            assertEquals("OK", c.call("CONFIG", "SET", "bind", "127.0.0.2").string());
            assertFalse(Http.listening(http), "still on 127.0.0.1 after CONFIG SET bind 127.0.0.2");
            try (java.net.Socket s = new java.net.Socket("127.0.0.2", http)) {
                assertTrue(s.isConnected());
            }
        } finally {
            b.stop();
        }
    }

    @Test
    void portInUseIsAStartupError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> BasaltInstance.start("--basalt-http-port", Integer.toString(port)));
            assertTrue(e.getMessage().contains("Could not create HTTP listening socket 127.0.0.1:" + port + ": ")
                    && e.getMessage().contains("Address already in use"), e.getMessage());
        }
    }

    @Test
    void stopClosesTheListener() throws Exception {
        BasaltInstance b = Http.startWithHttp();
        int http = b.server().ops().port();
        assertEquals(200, Http.get(http, "/health/live").status());
        b.stop();
        assertFalse(Http.listening(http), "still listening after stop");
    }
}
