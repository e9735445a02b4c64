package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * maxmemory-clients (client eviction) side by side with redis-server: a client whose query
 * buffer or unread replies push the clients' memory over the limit is closed and counted in
 * evicted_clients, one with CLIENT NO-EVICT on is not, and lowering the limit with CONFIG SET
 * evicts a client already over it. The same script runs against both servers and the outcomes
 * must agree (and be the expected ones).
 */
class ClientEvictionTest {

    @Test
    void evictsLikeRedis() throws Exception {
        RedisServerProcess redis = RedisServerProcess.start();
        BasaltInstance basalt = BasaltInstance.start();
        try {
            List<String> want = scenario(redis.port());
            List<String> got = scenario(basalt.port());
            assertEquals(want, got, "redis-server vs Basalt");
            assertEquals(List.of(
                    "limit 1048576",
                    "big query buffer closed=true", "evicted_clients:1",
                    "unread replies closed=true", "evicted_clients:2",
                    "no-evict closed=false", "evicted_clients:2",
                    "small client closed=false",
                    "lowered limit closed=true", "evicted_clients:3",
                    "control alive PONG"), got);
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    /** A raw connection that sends without reading replies. */
    static Socket open(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        return s;
    }

    /** True when the server closes the connection within a second and a half. */
    static boolean closed(Socket s) {
        try {
            s.setSoTimeout(1500);
            byte[] b = new byte[1 << 16];
            while (true) {
                if (s.getInputStream().read(b) < 0) return true;
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    static String evicted(RawClient c) {
        for (String line : c.call("INFO", "stats").string().split("\r\n")) {
            if (line.startsWith("evicted_clients:")) return line;
        }
        return "evicted_clients missing";
    }

    /** A SET whose 3 MB value is announced and only partly sent: the query buffer holds it. */
    static void partialBigSet(OutputStream out, int size) throws IOException {
        out.write(("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[100_000]);
        out.flush();
    }

    static List<String> scenario(int port) throws Exception {
        List<String> r = new ArrayList<>();
        IntFunction<Socket> sock = rcv -> {
            try {
                return open(port, rcv);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        try (RawClient control = new RawClient(port)) {
            control.call("CLIENT", "NO-EVICT", "on");
            try (RawClient setter = new RawClient(port)) {
                setter.call("SET", "big", "x".repeat(400_000));
            }
            control.call("CONFIG", "SET", "maxmemory-clients", "1mb");
            r.add("limit " + control.call("CONFIG", "GET", "maxmemory-clients").get(1).string());

            try (Socket s = sock.apply(0)) {
                partialBigSet(s.getOutputStream(), 3_000_000);
                r.add("big query buffer closed=" + closed(s));
            }
            r.add(evicted(control));

            try (Socket s = sock.apply(4096)) {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 10; i++) out.write("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(500); // replies pile up unread
                r.add("unread replies closed=" + closed(s));
            }
            r.add(evicted(control));

            try (Socket s = sock.apply(0)) {
                // the same request from a client that may not be evicted: it stays
                s.getOutputStream().write("*3\r\n$6\r\nCLIENT\r\n$8\r\nNO-EVICT\r\n$2\r\non\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                s.setSoTimeout(2000);
                s.getInputStream().read(new byte[5]); // +OK
                partialBigSet(s.getOutputStream(), 3_000_000);
                r.add("no-evict closed=" + closed(s));
            }
            r.add(evicted(control));

            // a client holding 600 KB while eviction is off; lowering the limit under it evicts it
            control.call("CONFIG", "SET", "maxmemory-clients", "0");
            try (Socket s = sock.apply(0)) {
                partialBigSet(s.getOutputStream(), 600_000);
                r.add("small client closed=" + closed(s));
                control.call("CONFIG", "SET", "maxmemory-clients", "256kb");
                r.add("lowered limit closed=" + closed(s));
            }
            r.add(evicted(control));
            control.call("CONFIG", "SET", "maxmemory-clients", "0");
            r.add("control alive " + control.call("PING").string());
        }
        return r;
    }
}
