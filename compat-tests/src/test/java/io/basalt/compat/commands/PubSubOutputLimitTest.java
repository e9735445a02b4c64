package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code client-output-buffer-limit pubsub}: a subscriber that never reads is disconnected once
 * what the server holds for it passes the hard limit, or stays over the soft limit for its
 * seconds, instead of the server buffering every message for it.
 */
class PubSubOutputLimitTest {
    private static final int MB = 1 << 20;

    private BasaltInstance server;
    private Socket subscriber;

    @AfterEach
    void stop() throws IOException {
        if (subscriber != null) subscriber.close();
        if (server != null) server.stop();
    }

    /** A subscriber with a tiny receive window that reads its confirmation and then nothing. */
    private Socket subscribe(String channel) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", server.port()));
        s.setSoTimeout(5000);
        s.getOutputStream().write(RawClient.encode("SUBSCRIBE".getBytes(StandardCharsets.US_ASCII),
                channel.getBytes(StandardCharsets.US_ASCII)));
        byte[] expected = ("*3\r\n$9\r\nsubscribe\r\n$" + channel.length() + "\r\n" + channel + "\r\n:1\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] got = s.getInputStream().readNBytes(expected.length);
        assertEquals(new String(expected, StandardCharsets.US_ASCII), new String(got, StandardCharsets.US_ASCII));
        return s;
    }

    @Test
    void subscriberOverTheHardLimitIsDisconnected() throws Exception {
        server = BasaltInstance.start("--client-output-buffer-limit", "pubsub 4mb 0 0");
        subscriber = subscribe("big");
        try (RawClient pub = new RawClient(server.port())) {
            byte[] payload = new byte[MB];
            int published = 0;
            long receivers = 1;
            // 4 MB in the server plus whatever the kernel buffers: far less than 64 MB
            while (receivers == 1 && published < 64) {
                receivers = pub.call("PUBLISH".getBytes(StandardCharsets.US_ASCII), "big".getBytes(StandardCharsets.US_ASCII),
                        payload).number();
                published++;
            }
            assertEquals(0, receivers, "the subscriber was never disconnected");
            assertTrue(published < 40, "disconnected only after " + published + " MB");
            assertEquals("", pub.call("CLIENT", "LIST", "TYPE", "pubsub").string());
            assertEquals(":0\r\n", pub.call("PUBSUB", "NUMSUB", "big").get(1).rawString());
            assertEquals(1, server.server().clients().size(), "only the publisher is left");
            // what reaches the subscriber is what the kernel held when it was closed, then EOF
            long read = drain(subscriber.getInputStream());
            assertTrue(read < (long) published * MB, "read " + read);
            assertEquals("+PONG\r\n", pub.call("PING").rawString());
        }
    }

    @Test
    void subscriberOverTheSoftLimitForItsSecondsIsDisconnected() throws Exception {
        server = BasaltInstance.start("--client-output-buffer-limit", "pubsub 0 1mb 1");
        subscriber = subscribe("soft");
        try (RawClient pub = new RawClient(server.port())) {
            byte[] payload = new byte[MB];
            for (int i = 0; i < 16; i++) {
                assertEquals(1, pub.call("PUBLISH".getBytes(StandardCharsets.US_ASCII),
                        "soft".getBytes(StandardCharsets.US_ASCII), payload).number());
            }
            // over the soft limit, but not for a second yet: still connected
            assertTrue(pub.call("CLIENT", "LIST", "TYPE", "pubsub").string().contains("sub=1"));
            Thread.sleep(1200);
            // the next message finds it over the soft limit for longer than a second
            pub.call("PUBLISH", "soft", "one more");
            long deadline = System.currentTimeMillis() + 5000;
            while (!pub.call("CLIENT", "LIST", "TYPE", "pubsub").string().isEmpty()) {
                assertTrue(System.currentTimeMillis() < deadline, "still connected");
                Thread.sleep(20);
            }
            assertEquals(0, pub.call("PUBLISH", "soft", "gone").number());
            long read = drain(subscriber.getInputStream());
            assertTrue(read < 16L * MB, "read " + read);
        }
    }

    @Test
    void aSubscriberThatReadsIsNotDisconnected() throws Exception {
        server = BasaltInstance.start("--client-output-buffer-limit", "pubsub 2mb 1mb 1");
        subscriber = subscribe("reader");
        InputStream in = subscriber.getInputStream();
        try (RawClient pub = new RawClient(server.port())) {
            byte[] payload = new byte[64 * 1024];
            long total = 0;
            for (int i = 0; i < 100; i++) {
                assertEquals(1, pub.call("PUBLISH".getBytes(StandardCharsets.US_ASCII),
                        "reader".getBytes(StandardCharsets.US_ASCII), payload).number());
                String header = "*3\r\n$7\r\nmessage\r\n$6\r\nreader\r\n$" + payload.length + "\r\n";
                total += in.readNBytes(header.length() + payload.length + 2).length;
            }
            assertEquals(100L * ("*3\r\n$7\r\nmessage\r\n$6\r\nreader\r\n$65536\r\n".length() + payload.length + 2), total);
            assertTrue(pub.call("CLIENT", "LIST", "TYPE", "pubsub").string().contains("sub=1"));
        }
    }

    /** Reads until the server closes the connection; the bytes read. */
    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) total += n;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was not closed (read " + total + " bytes)");
        } catch (IOException e) {
            // reset by the server: closed too
        }
        return total;
    }
}
