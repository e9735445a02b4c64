package io.basalt.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RespParser against Redis 7.0's processMultibulkBuffer / processInlineBuffer: any split of a
 * pipelined stream, inline quoting (expected values taken from a real redis-server via
 * RPUSH + LRANGE), skipped empty commands, every protocol error text, and hostile headers.
 */
class RespParserTest {
    private static final int COMPACT_LIKE_HANDLER = 0;
    private static final int COMPACT_ALWAYS = 1;
    private static final int COMPACT_NEVER = 2;

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    private static String str(RespRequest r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.argc(); i++) {
            if (i > 0) sb.append('|');
            sb.append(r.buffer().toString(r.offset(i), r.length(i), StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    /** Parses every complete command in {@code in}; appends "ERROR:<text>" and stops on an error. */
    private static boolean drain(RespParser p, ByteBuf in, List<String> out) {
        while (true) {
            int r = p.parse(in);
            if (r == RespParser.NEED_MORE) return true;
            if (r == RespParser.ERROR) {
                out.add("ERROR:" + p.error());
                return false;
            }
            out.add(str(p.request()));
        }
    }

    /** ClientHandler's way: append each chunk to one growing heap buffer, parse, then compact. */
    private static List<String> feed(byte[] stream, int[] cuts, int compaction) {
        RespParser p = new RespParser();
        ByteBuf in = Unpooled.buffer(4);
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int k = 0; k <= cuts.length; k++) {
            int to = k < cuts.length ? cuts[k] : stream.length;
            in.writeBytes(stream, from, to - from);
            from = to;
            if (!drain(p, in, out)) break;
            int r = in.readerIndex();
            if (r == 0 || compaction == COMPACT_NEVER) continue;
            if (!in.isReadable()) {
                in.clear();
                p.shift(r);
            } else if (compaction == COMPACT_ALWAYS || r > in.capacity() / 2 || r > 64 * 1024) {
                in.discardReadBytes();
                p.shift(r);
            }
        }
        in.release();
        return out;
    }

    private static List<String> parseWhole(byte[] stream) { return feed(stream, new int[0], COMPACT_NEVER); }

    private static List<String> parseWhole(String stream) { return parseWhole(bytes(stream)); }

    private static String multibulk(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        return sb.toString();
    }

    // ---------------------------------------------------------------- pipelined stream, any split

    private static final String BIG = "v".repeat(300);
    private static final byte[] PIPELINE = bytes(
            multibulk("SET", "key:1", "hello")
            + multibulk("GET", "key:1")
            + "PING\r\n"
            + "\r\n"
            + "*0\r\n"
            + multibulk("MSET", "a", "bin\r\n*3\r\n$x", "b", "")
            + "*-1\r\n"
            + "ECHO \"a b\" 'c d'\n"
            + multibulk("SET", "big", BIG)
            + "   \r\n"
            + multibulk("DEL", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12")
            + "*1\r\n$4\r\nPINGXX"); // Redis skips the two bytes after a bulk without checking them

    private static final List<String> EXPECTED = List.of(
            "SET|key:1|hello", "GET|key:1", "PING", "MSET|a|bin\r\n*3\r\n$x|b|", "ECHO|a b|c d",
            "SET|big|" + BIG, "DEL|k1|k2|k3|k4|k5|k6|k7|k8|k9|k10|k11|k12", "PING");

    @Test
    void wholeStream() {
        assertEquals(EXPECTED, parseWhole(PIPELINE));
    }

    @ParameterizedTest
    @ValueSource(ints = {COMPACT_LIKE_HANDLER, COMPACT_ALWAYS, COMPACT_NEVER})
    void everyTwoChunkSplit(int compaction) {
        for (int a = 0; a <= PIPELINE.length; a++) {
            assertEquals(EXPECTED, feed(PIPELINE, new int[] {a}, compaction), "split at " + a);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {COMPACT_LIKE_HANDLER, COMPACT_ALWAYS, COMPACT_NEVER})
    void everyThreeChunkSplit(int compaction) {
        // every pair of cut points, stepping the second by a prime to keep the run short
        for (int a = 0; a <= PIPELINE.length; a++) {
            for (int b = a; b <= PIPELINE.length; b += 7) {
                assertEquals(EXPECTED, feed(PIPELINE, new int[] {a, b}, compaction), "split at " + a + "," + b);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {COMPACT_LIKE_HANDLER, COMPACT_ALWAYS, COMPACT_NEVER})
    void byteByByte(int compaction) {
        int[] cuts = new int[PIPELINE.length - 1];
        for (int i = 0; i < cuts.length; i++) cuts[i] = i + 1;
        assertEquals(EXPECTED, feed(PIPELINE, cuts, compaction));
    }

    @Test
    void betweenCommandsOnlyOutsideAMultibulk() {
        RespParser p = new RespParser();
        ByteBuf in = Unpooled.buffer(8);
        in.writeBytes(bytes("*2\r\n$3\r\nGET\r\n"));
        assertEquals(RespParser.NEED_MORE, p.parse(in));
        assertTrue(!p.betweenCommands());
        in.writeBytes(bytes("$1\r\nk\r\n"));
        assertEquals(RespParser.COMMAND, p.parse(in));
        assertTrue(p.betweenCommands());
        assertEquals(in.writerIndex(), in.readerIndex());
    }

    // ---------------------------------------------------------------- empty commands

    @Test
    void emptyCommandsAreSkipped() {
        assertEquals(List.of("PING"), parseWhole("*0\r\n*-1\r\n*-5\r\n\r\n\n   \r\n\t\nPING\r\n"));
        assertEquals(List.of(), parseWhole("*0\r\n\r\n"));
    }

    @Test
    void inlineLfOnlyAndCrLf() {
        // only one \r is part of the line end; sdssplitargs then treats a second one as a separator
        assertEquals(List.of("GET|a", "GET|b", "GET|c"), parseWhole("GET a\nGET b\r\nGET c\r\r\n"));
    }

    // ---------------------------------------------------------------- inline quoting (sdssplitargs)

    static Stream<Arguments> inlineCases() {
        // expected arguments as redis-server 7.0.15 stored them (RPUSH l <line>; LRANGE l 0 -1)
        return Stream.of(
                Arguments.of("a b  c", List.of("a", "b", "c")),
                Arguments.of("\"a b\" c", List.of("a b", "c")),
                Arguments.of("\"\\x41\\x4a\\x4G\" x", List.of("AJx4G", "x")),
                Arguments.of("\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"", List.of("\n\r\t\b\u0007\\\"q")),
                Arguments.of("'it\\'s' 'a\\\\b' '\\x41'", List.of("it's", "a\\\\b", "\\x41")),
                Arguments.of("\t a \u000b b\u000bc \u000c d", List.of("a", "b\u000bc", "d")),
                Arguments.of("\"a\"\u000bb", List.of("a", "b")),
                Arguments.of("\"\" ''", List.of("", "")),
                Arguments.of("\"\\x4\"", List.of("x4")),
                Arguments.of("\"\\xzz\"", List.of("xzz")),
                Arguments.of("\"\\xff\\x00\"", List.of("\u00ff\u0000")));
    }

    @ParameterizedTest
    @MethodSource("inlineCases")
    void inlineSplitsLikeSdssplitargs(String line, List<String> args) {
        List<String> got = parseWhole("RPUSH l " + line + "\r\n");
        List<String> expected = new ArrayList<>(List.of("RPUSH", "l"));
        expected.addAll(args);
        assertEquals(List.of(String.join("|", expected)), got);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc\"def", "'abc'def", "\"abc", "'abc", "a\"b\"c", "a'b'c", "x\"", "\"ab\\", "\"a\\"})
    void unbalancedQuotes(String line) {
        assertEquals(List.of("ERROR:Protocol error: unbalanced quotes in request"), parseWhole("RPUSH l " + line + "\r\n"));
    }

    @Test
    void nulBeforeTheLineEndHidesItLikeStrchr() {
        // Redis's strchr() stops at the NUL: it waits for more input rather than parsing
        assertEquals(List.of(), parseWhole("ECHO a\0b c\r\nPING\r\n"));
        assertEquals(List.of(), parseWhole("*1\0\r\n$4\r\nPING\r\n"));
        assertEquals(List.of(), parseWhole("*1\r\n$4\0\r\nPING\r\n"));
        // inside a bulk a NUL is just data
        assertEquals(List.of("ECHO|a\0b"), parseWhole(multibulk("ECHO", "a\0b")));
    }

    // ---------------------------------------------------------------- protocol errors

    static Stream<Arguments> protocolErrors() {
        String big = "1".repeat(RespParser.INLINE_MAX_SIZE + 1);
        return Stream.of(
                Arguments.of("*abc\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*+1\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*01\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*-0\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*2147483648\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*99999999999999999999\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*100000000000000000\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*1000000000000000000\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*1\r\n$100000000000000000\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$1000000000000000000\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$9223372036854775808\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$+1\r\nx\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$01\r\nx\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$1x\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$2147483647\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\nx\r\n", "Protocol error: expected '$', got 'x'"),
                Arguments.of("*2\r\n$3\r\nGET\r\n:1\r\n", "Protocol error: expected '$', got ':'"),
                Arguments.of("*1\r\n\r\n", "Protocol error: expected '$', got '\r'"),
                Arguments.of("*1\r\n\u00e9\r\n", "Protocol error: expected '$', got '\u00e9'"),
                Arguments.of("*" + big, "Protocol error: too big mbulk count string"),
                Arguments.of("*1\r\n$" + big, "Protocol error: too big bulk count string"),
                Arguments.of("GET " + big, "Protocol error: too big inline request"),
                Arguments.of("GET a\0" + big, "Protocol error: too big inline request"));
    }

    @ParameterizedTest
    @MethodSource("protocolErrors")
    void protocolErrorTexts(String stream, String error) {
        assertEquals(List.of("ERROR:" + error), parseWhole(stream));
    }

    @Test
    void commandsBeforeAnErrorStillRun() {
        assertEquals(List.of("PING", "ERROR:Protocol error: invalid multibulk length"), parseWhole("PING\r\n*x\r\n"));
    }

    @Test
    void limitsAreExclusive() {
        // exactly 64 KiB without a line end is still waited for
        String justFits = "G".repeat(RespParser.INLINE_MAX_SIZE);
        assertEquals(List.of(), parseWhole(justFits));
        String digits = "*" + "1".repeat(RespParser.INLINE_MAX_SIZE - 1);
        assertEquals(List.of(), parseWhole(digits));
    }

    @Test
    void protoMaxBulkLen() {
        RespParser p = new RespParser();
        p.maxBulkLength(10);
        List<String> out = new ArrayList<>();
        drain(p, Unpooled.copiedBuffer(bytes(multibulk("SET", "k", "0123456789"))), out);
        assertEquals(List.of("SET|k|0123456789"), out);
        out.clear();
        drain(p, Unpooled.copiedBuffer(bytes(multibulk("SET", "k", "01234567890"))), out);
        assertEquals(List.of("ERROR:Protocol error: invalid bulk length"), out);
    }

    @Test
    void unauthenticatedLimits() {
        RespParser p = new RespParser();
        p.authRequired(true);
        List<String> out = new ArrayList<>();
        String[] ten = new String[10];
        Arrays.fill(ten, "a");
        drain(p, Unpooled.copiedBuffer(bytes(multibulk(ten))), out);
        assertEquals(1, out.size());
        out.clear();
        drain(p, Unpooled.copiedBuffer(bytes("*11\r\n")), out);
        assertEquals(List.of("ERROR:Protocol error: unauthenticated multibulk length"), out);

        out.clear();
        drain(p, Unpooled.copiedBuffer(bytes(multibulk("AUTH", "x".repeat(16384)))), out);
        assertEquals(1, out.size());
        out.clear();
        drain(p, Unpooled.copiedBuffer(bytes("*2\r\n$4\r\nAUTH\r\n$16385\r\n")), out);
        assertEquals(List.of("ERROR:Protocol error: unauthenticated bulk length"), out);

        // once authenticated the normal limits apply
        p.authRequired(false);
        out.clear();
        drain(p, Unpooled.copiedBuffer(bytes("*11\r\n$16385\r\n")), out);
        assertEquals(List.of(), out);
    }

    // ---------------------------------------------------------------- hostile headers

    @Test
    void hugeMultibulkCountAllocatesNothing() {
        RespParser p = new RespParser();
        ByteBuf in = Unpooled.buffer(64);
        in.writeBytes(bytes("*2147483647\r\n"));
        assertEquals(RespParser.NEED_MORE, p.parse(in));
        assertEquals(8, p.request().capacity(), "argument slots must not follow the header's claim");
        for (int i = 0; i < 5; i++) {
            in.writeBytes(bytes("$1\r\na\r\n"));
            assertEquals(RespParser.NEED_MORE, p.parse(in));
        }
        assertEquals(5, p.request().argc());
        assertEquals(8, p.request().capacity());
        assertTrue(in.capacity() < 1024, "the parser never grows the input buffer");
    }

    @Test
    void hugeBulkLengthAllocatesNothingAndWaits() {
        RespParser p = new RespParser();
        ByteBuf in = Unpooled.buffer(64);
        in.writeBytes(bytes("*1\r\n$536870912\r\n"));
        assertEquals(RespParser.NEED_MORE, p.parse(in));
        in.writeBytes(bytes("abc"));
        assertEquals(RespParser.NEED_MORE, p.parse(in));
        assertEquals(64, in.capacity(), "no room is reserved for the announced 512 MiB");
        assertEquals(8, p.request().capacity());
        assertNull(p.error());
    }

    @Test
    void argumentArraysShrinkAfterAHugeCommand() {
        RespParser p = new RespParser();
        String[] many = new String[5000];
        Arrays.fill(many, "x");
        List<String> out = new ArrayList<>();
        drain(p, Unpooled.copiedBuffer(bytes(multibulk(many))), out);
        assertTrue(p.request().capacity() >= 5000);
        drain(p, Unpooled.copiedBuffer(bytes(multibulk("GET", "k") + multibulk("GET", "k"))), out);
        assertEquals(8, p.request().capacity());
    }

    @Test
    void manyArgumentsAcrossChunks() {
        // argument slots grow as arguments arrive, and the views survive compaction
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        String[] args = new String[300];
        for (int i = 0; i < args.length; i++) args[i] = "arg" + i;
        byte[] stream = bytes(multibulk(args));
        int[] cuts = new int[stream.length / 13];
        for (int i = 0; i < cuts.length; i++) cuts[i] = (i + 1) * 13;
        assertEquals(List.of(String.join("|", args)), feed(stream, cuts, COMPACT_ALWAYS));
        assertEquals(0, s.size());
    }

    @Test
    void requestOfBuildsArguments() {
        RespRequest r = RespRequest.of("SET", "k", "v");
        assertEquals(3, r.argc());
        assertEquals("SET|k|v", str(r));
        assertTrue(r.is(0, "set"));
        assertEquals("set", r.lowerString(0));
    }
    /**
     * A bulk of at least BIG_ARG bytes: once its header is read the parser tells where it ends,
     * so the caller can move the partial command into a buffer of exactly that size; the
     * arguments already parsed then point into the new buffer, and the command completes there
     * without that buffer ever growing.
     */
    @Test
    void bigBulkEndAndMoveToAnExactBuffer() {
        ByteBuf fresh = Unpooled.buffer();
        fresh.writeBytes(bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$40000\r\nab"));
        RespParser p = new RespParser();
        assertEquals(-1, p.pendingBulkEnd(RespParser.BIG_ARG), "no bulk header read yet");
        assertEquals(RespParser.NEED_MORE, p.parse(fresh));
        int bodyStart = fresh.writerIndex() - 2;
        assertEquals(bodyStart + 40002L, p.pendingBulkEnd(RespParser.BIG_ARG));
        assertEquals(-1, p.pendingBulkEnd(40001), "smaller than the threshold asked for");

        // the caller moves the unread command to a buffer of exactly its size
        int need = bodyStart + 40002;
        ByteBuf exact = Unpooled.buffer(need, need);
        exact.writeBytes(fresh, 0, fresh.writerIndex());
        p.moved(fresh, exact, 0);
        byte[] body = new byte[39998];
        Arrays.fill(body, (byte) 'v');
        exact.writeBytes(body);
        exact.writeBytes(bytes("\r\n"));
        assertEquals(need, exact.writerIndex());
        assertEquals(RespParser.COMMAND, p.parse(exact));
        RespRequest r = p.request();
        assertEquals(3, r.argc());
        assertTrue(r.buffer() == exact, "arguments point into the new buffer");
        assertEquals("SET", r.string(0));
        assertEquals("k", r.string(1));
        assertEquals(40000, r.length(2));
        assertEquals("abvv", r.buffer().toString(r.offset(2), 4, StandardCharsets.ISO_8859_1));
        assertEquals(-1, p.pendingBulkEnd(RespParser.BIG_ARG));

        // bytes before the command (already consumed) dropped in the move: positions shift
        ByteBuf shifted = Unpooled.buffer();
        shifted.writeBytes(bytes("XX*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$40000\r\n"));
        shifted.readerIndex(2);
        RespParser q = new RespParser();
        assertEquals(RespParser.NEED_MORE, q.parse(shifted));
        ByteBuf moved = Unpooled.buffer();
        moved.writeBytes(shifted, 2, shifted.writerIndex() - 2);
        q.moved(shifted, moved, 2);
        assertEquals(moved.writerIndex() + 40002L, q.pendingBulkEnd(RespParser.BIG_ARG));
        assertEquals("k", q.request().string(1));
    }
}
