package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;

import static io.basalt.compat.commands.ConnectionWire.ascii;
import static io.basalt.compat.commands.ConnectionWire.cmd;
import static io.basalt.compat.commands.ConnectionWire.concat;
import static io.basalt.compat.commands.ConnectionWire.exchange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connection limits: maxclients, idle timeout, query buffer limit, and the HTTP guard. */
class LimitsTest {

    @Test
    void maxclientsRefusesWithRedisError() throws Exception {
        RedisServerProcess redis = RedisServerProcess.start("--maxclients", "2");
        BasaltInstance basalt = BasaltInstance.start("--maxclients", "2");
        try (RawClient r1 = new RawClient(redis.port()); RawClient r2 = new RawClient(redis.port());
             RawClient b1 = new RawClient(basalt.port()); RawClient b2 = new RawClient(basalt.port())) {
            r1.call("PING");
            r2.call("PING");
            b1.call("PING");
            b2.call("PING");
            String r = exchange(redis.port(), cmd("PING"), 1000);
            String b = exchange(basalt.port(), cmd("PING"), 1000);
            assertEquals("-ERR max number of clients reached\r\n<EOF>", r);
            assertEquals(r, b);
            // a slot frees when a client leaves
            b2.close();
            Thread.sleep(200);
            assertEquals("+PONG\r\n", exchange(basalt.port(), cmd("PING"), 300));
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    @Test
    void timeoutClosesIdleClients() throws Exception {
        BasaltInstance basalt = BasaltInstance.start("--timeout", "1");
        try (Socket idle = new Socket("127.0.0.1", basalt.port());
             RawClient busy = new RawClient(basalt.port())) {
            long start = System.currentTimeMillis();
            // a client that keeps sending commands stays
            for (int i = 0; i < 8; i++) {
                assertEquals("PONG", busy.call("PING").string());
                Thread.sleep(300);
            }
            idle.setSoTimeout(5000);
            InputStream in = idle.getInputStream();
            int b;
            try {
                b = in.read();
            } catch (java.io.IOException e) {
                b = -1;
            }
            assertEquals(-1, b, "idle client closed without a reply");
            assertTrue(System.currentTimeMillis() - start >= 1000);
            assertEquals("PONG", busy.call("PING").string());
        } finally {
            basalt.stop();
        }
    }

    @Test
    void timeoutSparesClientsHeldByPause() throws Exception {
        BasaltInstance basalt = BasaltInstance.start("--timeout", "1");
        try (RawClient pauser = new RawClient(basalt.port()); RawClient writer = new RawClient(basalt.port())) {
            assertEquals("OK", pauser.call("CLIENT", "PAUSE", "2800", "WRITE").string());
            writer.send("SET", "k", "v");
            // held for 2.8 s, longer than the 1 s timeout: like a blocked client in Redis, it stays
            assertEquals("OK", writer.read().string());
            assertEquals("v", writer.call("GET", "k").string());
        } finally {
            basalt.stop();
        }
    }

    @Test
    void timeoutZeroNeverCloses() throws Exception {
        try (RawClient c = new RawClient(BasaltInstance.shared().port())) {
            Thread.sleep(1500);
            assertEquals("PONG", c.call("PING").string());
        }
    }

    @Test
    void queryBufferLimitClosesTheClient() {
        RedisServerProcess redis = RedisServerProcess.start("--client-query-buffer-limit", "1mb");
        BasaltInstance basalt = BasaltInstance.start("--client-query-buffer-limit", "1mb");
        try {
            byte[] big = concat(ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n"), new byte[1_500_000]);
            String r = exchange(redis.port(), big, 2000);
            String b = exchange(basalt.port(), big, 2000);
            assertEquals("<EOF>", r);
            assertEquals(r, b);
            // under the limit all is well
            String ok = exchange(basalt.port(), cmd("SET", "k", "v".repeat(500_000)), 500);
            assertEquals("+OK\r\n", ok);
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    @Test
    void httpRequestsAreDroppedWithoutReply() {
        int r = RedisServerProcess.shared().port();
        int b = BasaltInstance.shared().port();
        exchange(b, cmd("PING"), 2000); // warm up a freshly started server
        for (byte[] req : new byte[][]{ascii("POST / HTTP/1.1\r\n"), ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                ascii("host: x\r\n"), concat(cmd("PING"), ascii("POST /x HTTP/1.0\r\n"), cmd("PING"))}) {
            String expected = exchange(r, req, 500);
            assertEquals(expected, exchange(b, req, 500), new String(req));
            assertTrue(expected.endsWith("<EOF>"));
        }
        assertFalse(exchange(b, cmd("PING"), 300).contains("<EOF>"));
    }

    @Test
    void outputBufferHardLimitClosesTheClient() {
        RedisServerProcess redis = RedisServerProcess.start("--client-output-buffer-limit", "normal 1mb 0 0");
        BasaltInstance basalt = BasaltInstance.start("--client-output-buffer-limit", "normal 1mb 0 0");
        try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            String big = "x".repeat(2 * 1024 * 1024);
            assertEquals("OK", r.call("SET", "big", big).string());
            assertEquals("OK", b.call("SET", "big", big).string());
            // a reply over the hard limit: both servers drop the client instead of buffering it
            r.send("GET", "big");
            b.send("GET", "big");
            assertTrue(r.isClosedByServer());
            assertTrue(b.isClosedByServer());
            try (RawClient b2 = new RawClient(basalt.port())) {
                assertEquals(2L * 1024 * 1024, b2.call("STRLEN", "big").number());
                assertEquals("normal 1048576 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
                        b2.call("CONFIG", "GET", "client-output-buffer-limit").get(1).string());
            }
        } finally {
            redis.stop();
            basalt.stop();
        }
    }
    /**
     * A client that sends 30 GETs of a 1 MB value and then reads nothing holds ~30 MB of replies
     * in the server: over the 8 MB soft limit. Redis's clientsCron closes it once the limit has
     * held for 2 s, although the client produces no new output; Basalt, which stops reading such
     * a client, must check on a timer too. A stalled client under the soft limit stays.
     */
    @Test
    void softOutputLimitClosesAClientThatStopsReading() throws Exception {
        String[] args = {"--client-output-buffer-limit", "normal 0 8mb 2"};
        RedisServerProcess redis = RedisServerProcess.start(args);
        BasaltInstance basalt = BasaltInstance.start(args);
        try {
            for (int port : new int[] {redis.port(), basalt.port()}) {
                try (RawClient admin = new RawClient(port);
                     Socket over = stalledClient(port, 30); Socket under = stalledClient(port, 2)) {
                    long overId = clientId(over);
                    long underId = clientId(under);
                    long deadline = System.currentTimeMillis() + 20_000;
                    String list = admin.call("CLIENT", "LIST").string();
                    while (list.contains("id=" + overId + " ") && System.currentTimeMillis() < deadline) {
                        Thread.sleep(100);
                        list = admin.call("CLIENT", "LIST").string();
                    }
                    assertFalse(list.contains("id=" + overId + " "), "port " + port + ": " + list);
                    assertTrue(list.contains("id=" + underId + " "), "port " + port + ": " + list);
                    assertEquals(1024 * 1024, admin.call("STRLEN", "v").number());
                }
            }
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    /** Sets v to 1 MB, asks CLIENT ID, then pipelines {@code gets} GETs of v and reads nothing more. */
    private static Socket stalledClient(int port, int gets) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        s.setSoTimeout(5000);
        java.io.OutputStream out = s.getOutputStream();
        out.write(cmd("SET", "v", "x".repeat(1024 * 1024)));
        out.write(cmd("CLIENT", "ID"));
        out.flush();
        byte[] ok = s.getInputStream().readNBytes(5);
        assertEquals("+OK\r\n", new String(ok, java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 0; i < gets; i++) out.write(cmd("GET", "v"));
        out.flush();
        return s;
    }

    /** Reads the ":id\r\n" reply of the CLIENT ID that {@link #stalledClient} sent. */
    private static long clientId(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') sb.append((char) b);
        return Long.parseLong(sb.toString().trim().substring(1));
    }
}
