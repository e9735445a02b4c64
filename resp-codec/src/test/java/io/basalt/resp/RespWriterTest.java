package io.basalt.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every reply type in RESP2 and RESP3, byte for byte as Redis 7.0 writes it. */
class RespWriterTest {
    private ByteBuf buf = Unpooled.buffer(1); // tiny: every write has to grow it
    private final RespWriter w = new RespWriter(buf, false);

    @AfterEach
    void release() { buf.release(); }

    private String out() {
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        buf.clear();
        return s;
    }

    private void both(Runnable write, String resp2, String resp3) {
        w.resp3(false);
        write.run();
        assertEquals(resp2, out(), "RESP2");
        w.resp3(true);
        write.run();
        assertEquals(resp3, out(), "RESP3");
    }

    private void same(Runnable write, String expected) { both(write, expected, expected); }

    @Test
    void simpleAndStatus() {
        same(w::ok, "+OK\r\n");
        same(() -> w.simple("PONG"), "+PONG\r\n");
    }

    @Test
    void errorsStayOneLine() {
        same(() -> w.error("ERR syntax error"), "-ERR syntax error\r\n");
        same(() -> w.error("ERR a\r\nb\nc"), "-ERR a  b c\r\n");
    }

    @Test
    void integers() {
        long[] values = {0, 1, 9, 10, 99, 100, 1023, 1024, 99999, 100000, 123456789, -1, -10, -99999,
                Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (long v : values) same(() -> w.integer(v), ":" + v + "\r\n");
    }

    @Test
    void bulkStrings() {
        same(() -> w.bulk("hello".getBytes()), "$5\r\nhello\r\n");
        same(() -> w.bulk(new byte[0]), "$0\r\n\r\n");
        same(() -> w.bulk("xxhelloyy".getBytes(), 2, 5), "$5\r\nhello\r\n");
        same(() -> w.bulk("h\u00e9"), "$3\r\nh\u00c3\u00a9\r\n");
        ByteBuf src = Unpooled.copiedBuffer("--abc--", StandardCharsets.US_ASCII);
        same(() -> w.bulk(src, 2, 3), "$3\r\nabc\r\n");
        src.release();
        for (int n : new int[] {9, 10, 99, 100, 9999, 10000, 99999, 100000, 1048576}) {
            byte[] v = new byte[n];
            java.util.Arrays.fill(v, (byte) 'x');
            same(() -> w.bulk(v), "$" + n + "\r\n" + "x".repeat(n) + "\r\n");
        }
        same(() -> w.bulk(-42L), "$3\r\n-42\r\n");
        same(() -> w.bulk(Long.MIN_VALUE), "$20\r\n-9223372036854775808\r\n");
        same(() -> w.bulk(0L), "$1\r\n0\r\n");
    }

    @Test
    void nulls() {
        both(w::nullBulk, "$-1\r\n", "_\r\n");
        both(w::nullArray, "*-1\r\n", "_\r\n");
    }

    @Test
    void aggregates() {
        same(() -> w.array(0), "*0\r\n");
        same(() -> w.array(3), "*3\r\n");
        same(() -> w.array(123456), "*123456\r\n");
        both(() -> w.map(2), "*4\r\n", "%2\r\n");
        both(() -> w.map(0), "*0\r\n", "%0\r\n");
        both(() -> w.set(5), "*5\r\n", "~5\r\n");
        both(() -> w.push(3), "*3\r\n", ">3\r\n");
        both(() -> w.attribute(1), "", "|1\r\n");
    }

    @Test
    void mapOfPairsInBothProtocols() {
        both(() -> {
            w.map(1);
            w.bulk("k".getBytes());
            w.integer(1);
        }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n");
    }

    @Test
    void doubles() {
        both(() -> w.dbl(0.1), "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n");
        both(() -> w.dbl(1.5), "$3\r\n1.5\r\n", ",1.5\r\n");
        both(() -> w.dbl(-0.0), "$2\r\n-0\r\n", ",-0\r\n");
        both(() -> w.dbl(1e300), "$23\r\n1.0000000000000001e+300\r\n", ",1.0000000000000001e+300\r\n");
        both(() -> w.dbl(123456789012345680000.0), "$22\r\n1.2345678901234568e+20\r\n", ",1.2345678901234568e+20\r\n");
        both(() -> w.dbl(Double.POSITIVE_INFINITY), "$3\r\ninf\r\n", ",inf\r\n");
        both(() -> w.dbl(Double.NEGATIVE_INFINITY), "$4\r\n-inf\r\n", ",-inf\r\n");
        both(() -> w.dbl(Double.NaN), "$3\r\nnan\r\n", ",nan\r\n");
        both(() -> w.dbl(3.0), "$1\r\n3\r\n", ",3\r\n");
    }

    @Test
    void booleans() {
        both(() -> w.bool(true), ":1\r\n", "#t\r\n");
        both(() -> w.bool(false), ":0\r\n", "#f\r\n");
    }

    @Test
    void bigNumbers() {
        both(() -> w.bigNumber("3492890328409238509324850943850943825024385"),
                "$43\r\n3492890328409238509324850943850943825024385\r\n",
                "(3492890328409238509324850943850943825024385\r\n");
    }

    @Test
    void verbatim() {
        both(() -> w.verbatim("txt", "Some string".getBytes()), "$11\r\nSome string\r\n",
                "=15\r\ntxt:Some string\r\n");
    }

    @Test
    void raw() {
        same(() -> w.raw("+X\r\n".getBytes()), "+X\r\n");
        ByteBuf b = Unpooled.copiedBuffer(":1\r\n", StandardCharsets.US_ASCII);
        same(() -> w.raw(b), ":1\r\n");
        assertEquals(4, b.readableBytes(), "raw(ByteBuf) leaves the source untouched");
        b.release();
    }

    @Test
    void protocolVersion() {
        w.resp3(false);
        assertEquals(2, w.protocol());
        w.resp3(true);
        assertEquals(3, w.protocol());
    }

    @Test
    void directPooledTargetGetsTheSameBytes() {
        // replies go to pooled direct buffers in the server: the word stores must be byte-order safe
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(2);
        try {
            RespWriter d = new RespWriter(direct, false);
            d.ok();
            d.integer(12345);
            d.bulk("v".getBytes());
            d.nullBulk();
            d.array(2);
            assertEquals("+OK\r\n:12345\r\n$1\r\nv\r\n$-1\r\n*2\r\n", direct.toString(StandardCharsets.US_ASCII));
        } finally {
            direct.release();
        }
    }

    @Test
    void writesAtANonZeroWriterIndexWithoutTouchingEarlierBytes() {
        buf.writeBytes("abc".getBytes());
        w.resp3(false);
        w.integer(7);
        w.ok();
        assertEquals("abc:7\r\n+OK\r\n", out());
    }
}
