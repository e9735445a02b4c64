package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Large values in pipelines, byte for byte against redis-server: each GET of a 2 MB value must
 * show the value as it was when it ran although the same batch then changes it in place
 * (SETRANGE, SETBIT, BITFIELD) before the batch's replies are flushed, also inside MULTI/EXEC,
 * MGET and under CLIENT REPLY SKIP. (A reply is copied out of its record while the shard lock is
 * held; a future zero-copy reply must keep this true.) And a 4 MB argument, read through the
 * buffer sized from its header, split over many packets at odd places.
 */
class LargeRepliesTest {
    private static final int SIZE = 2 * 1024 * 1024;
    private static RedisServerProcess redisServer;
    private static BasaltInstance basaltServer;

    @BeforeAll
    static void start() {
        redisServer = RedisServerProcess.start();
        basaltServer = BasaltInstance.start();
    }

    @AfterAll
    static void stop() {
        redisServer.stop();
        basaltServer.stop();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends every command in one write and returns the replies' raw text. */
    private static List<String> pipeline(int port, int replyCount, byte[][]... cmds) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[][] c : cmds) all.writeBytes(RawClient.encode(c));
        List<String> replies = new ArrayList<>();
        try (RawClient c = new RawClient(port)) {
            c.sendRaw(all.toByteArray());
            for (int i = 0; i < replyCount; i++) replies.add(c.read().rawString());
        }
        return replies;
    }

    private static void same(byte[][]... cmds) {
        sameReplies(cmds.length, cmds);
    }

    /** {@code replyCount} replies expected (CLIENT REPLY SKIP takes two away). */
    private static void sameReplies(int replyCount, byte[][]... cmds) {
        List<String> expected = pipeline(redisServer.port(), replyCount, cmds);
        List<String> actual = pipeline(basaltServer.port(), replyCount, cmds);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            String e = expected.get(i);
            String a = actual.get(i);
            // not assertEquals on megabytes of text: where they differ is what matters
            int at = 0;
            while (at < Math.min(e.length(), a.length()) && e.charAt(at) == a.charAt(at)) at++;
            assertEquals(e.length() + ":" + (at < e.length() ? e.charAt(at) : '-'),
                    a.length() + ":" + (at < a.length() ? a.charAt(at) : '-'),
                    "reply " + i + " differs at byte " + at);
        }
    }

    private static byte[][] cmd(Object... args) {
        byte[][] r = new byte[args.length][];
        for (int i = 0; i < args.length; i++) r[i] = args[i] instanceof byte[] x ? x : b(args[i].toString());
        return r;
    }

    /**
     * The large values are stored first, each on its own; then each pipeline of small commands
     * goes in one small write, so it is read and run as one batch whose replies are flushed
     * together at its end: after the in-place changes that follow each GET.
     */
    @Test
    void aValueSentWithoutCopyIsNeverChangedUnderItsReply() {
        byte[] value = b("a".repeat(SIZE));
        same(cmd("SET", "k", value));
        same(cmd("GET", "k"), cmd("SETRANGE", "k", 0, "bbbb"), cmd("GET", "k"),
                cmd("SETBIT", "k", 7, 0), cmd("GET", "k"),
                cmd("BITFIELD", "k", "SET", "u8", 16, 90), cmd("GETRANGE", "k", 0, 7), cmd("GET", "k"),
                cmd("SETRANGE", "k", SIZE - 2, "yz"), cmd("GETRANGE", "k", SIZE - 4, -1));
        // the record copied on write is in place again for the next change
        same(cmd("SETRANGE", "k", 1, "c"), cmd("GETRANGE", "k", 0, 7), cmd("STRLEN", "k"));
        // the same value read twice in a batch, and from a transaction and MGET
        same(cmd("SET", "t", value));
        same(cmd("GET", "t"), cmd("GET", "t"), cmd("MULTI"), cmd("GET", "t"), cmd("SETRANGE", "t", 5, "zz"),
                cmd("GET", "t"), cmd("EXEC"), cmd("MGET", "t", "nokey", "t"), cmd("APPEND", "t", "!"),
                cmd("GETDEL", "t"), cmd("EXISTS", "t"));
        same(cmd("SET", "u", value));
        // a reply that is not sent is not sent from the record either
        sameReplies(2, cmd("CLIENT", "REPLY", "SKIP"), cmd("GET", "u"), cmd("GETSET", "u", "small"), cmd("GET", "u"));
    }

    @Test
    void aLargeArgumentSplitOverManyPackets() throws Exception {
        byte[] value = new byte[4 * 1024 * 1024 + 7];
        for (int i = 0; i < value.length; i++) value[i] = (byte) ('a' + i % 26);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(RawClient.encode(b("SET"), b("big"), value));
        all.writeBytes(RawClient.encode(b("GETRANGE"), b("big"), b("4194300"), b("-1")));
        all.writeBytes(RawClient.encode(b("STRLEN"), b("big")));
        byte[] req = all.toByteArray();
        for (int port : new int[] {redisServer.port(), basaltServer.port()}) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(10_000);
                java.io.OutputStream out = s.getOutputStream();
                // uneven pieces: headers and the bulk's end split at odd places
                int at = 0;
                int step = 1;
                while (at < req.length) {
                    int n = Math.min(req.length - at, step);
                    out.write(req, at, n);
                    out.flush();
                    at += n;
                    step = step * 7 % 300_007 + 1;
                }
                io.basalt.resp.RespReader in = new io.basalt.resp.RespReader(s.getInputStream());
                assertEquals("+OK\r\n", in.read().rawString(), "port " + port);
                assertEquals("$11\r\n" + new String(value, 4194300, 11, StandardCharsets.US_ASCII) + "\r\n",
                        in.read().rawString(), "port " + port);
                assertEquals(":" + value.length + "\r\n", in.read().rawString(), "port " + port);
            }
        }
    }
}
