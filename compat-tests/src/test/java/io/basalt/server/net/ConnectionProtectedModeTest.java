package io.basalt.server.net;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protected mode. The decision is unit-tested (tests run on loopback); where the machine has a
 * non-loopback address, a Redis and a Basalt bound to it are also compared over the wire.
 */
class ConnectionProtectedModeTest {

    @Test
    void onlyLoopbackClientsWithoutPassword() throws Exception {
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 5000);
        InetSocketAddress local4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5000);
        InetSocketAddress local6 = new InetSocketAddress(InetAddress.getByName("::1"), 5000);
        assertEquals(ProtectedMode.DENIED, ProtectedMode.check(true, false, remote));
        assertNull(ProtectedMode.check(true, false, local4));
        assertNull(ProtectedMode.check(true, false, local6));
        assertNull(ProtectedMode.check(true, true, remote), "a password lifts protected mode");
        assertNull(ProtectedMode.check(false, false, remote), "protected-mode no");
        assertNull(ProtectedMode.check(true, false, new io.netty.channel.unix.DomainSocketAddress("/tmp/x.sock")));
        assertTrue(ProtectedMode.DENIED.startsWith("-DENIED Redis is running in protected mode"));
        assertTrue(ProtectedMode.DENIED.endsWith("accepting connections from the outside.\r\n"));
    }

    @Test
    void deniedTextMatchesRedisOverTheWire() throws Exception {
        InetAddress external = externalAddress();
        Assumptions.assumeTrue(external != null, "no non-loopback address on this machine");
        RedisServerProcess redis = RedisServerProcess.start("--bind", "127.0.0.1", external.getHostAddress());
        BasaltInstance basalt = BasaltInstance.start("--bind", "127.0.0.1", external.getHostAddress(),
                // one fixed port: with port 0 every bind address would get a different one
                "--port", Integer.toString(RedisServerProcess.freePort()));
        try {
            String r = firstReply(external, redis.port());
            String b = firstReply(external, basalt.port());
            assertTrue(r.startsWith("-DENIED"), r);
            assertEquals(r, b);
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    private static String firstReply(InetAddress host, int port) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(2000);
            // nothing is sent: the refusal comes on connect, and bytes arriving after the
            // server's close could make the kernel reset the connection before we read it
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
                out.writeBytes("<EOF>".getBytes(StandardCharsets.US_ASCII));
            } catch (SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                out.writeBytes("<EOF>".getBytes(StandardCharsets.US_ASCII));
            }
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    private static InetAddress externalAddress() throws IOException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) return a;
            }
        }
        return null;
    }
}
