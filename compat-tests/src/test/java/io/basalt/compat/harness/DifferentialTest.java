package io.basalt.compat.harness;

import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Base class of differential tests: every test gets one connection to a real redis-server and
 * one to Basalt, both freshly FLUSHALLed and in RESP2; {@link #same} sends a command to both and
 * requires byte-identical replies.
 */
public abstract class DifferentialTest {
    protected RawClient redis;
    protected RawClient basalt;
    private RawClient redis2;
    private RawClient basalt2;

    @BeforeEach
    void connect() {
        redis = new RawClient(RedisServerProcess.shared().port());
        basalt = new RawClient(BasaltInstance.shared().port());
        redis.call("FLUSHALL");
        basalt.call("FLUSHALL");
    }

    @AfterEach
    void disconnect() {
        redis.close();
        basalt.close();
        if (redis2 != null) redis2.close();
        if (basalt2 != null) basalt2.close();
        redis2 = null;
        basalt2 = null;
    }

    /** A second connection to redis-server, for tests with another client; opened on first use. */
    protected RawClient redis2() {
        if (redis2 == null) redis2 = new RawClient(RedisServerProcess.shared().port());
        return redis2;
    }

    /** A second connection to Basalt, the counterpart of {@link #redis2()}. */
    protected RawClient basalt2() {
        if (basalt2 == null) basalt2 = new RawClient(BasaltInstance.shared().port());
        return basalt2;
    }

    /** Runs the command as the other client on both servers and asserts byte-identical replies. */
    protected RespValue other(String... cmd) {
        RespValue expected = redis2().call(cmd);
        RespValue actual = basalt2().call(cmd);
        assertEquals(wire(expected), wire(actual), () -> "other client: " + String.join(" ", cmd));
        return actual;
    }

    /** Sends the command to both servers and asserts byte-identical replies; returns Basalt's. */
    protected RespValue same(String... cmd) {
        RespValue expected = redis.call(cmd);
        RespValue actual = basalt.call(cmd);
        assertEquals(wire(expected), wire(actual), () -> "reply to " + String.join(" ", cmd));
        return actual;
    }

    protected RespValue same(byte[]... cmd) {
        RespValue expected = redis.call(cmd);
        RespValue actual = basalt.call(cmd);
        assertEquals(wire(expected), wire(actual), "reply differs");
        return actual;
    }

    /** Sends raw bytes to both and compares the next reply. */
    protected RespValue sameRaw(String raw) {
        redis.sendRaw(raw);
        basalt.sendRaw(raw);
        RespValue expected = redis.read();
        RespValue actual = basalt.read();
        assertEquals(wire(expected), wire(actual), () -> "reply to raw " + raw.replace("\r\n", "\\r\\n"));
        return actual;
    }

    /** Runs each command on both servers in order, comparing every reply. */
    protected void sameAll(String[]... cmds) {
        for (String[] c : cmds) same(c);
    }

    /** Switches both connections to RESP3 (HELLO 3 replies differ in id, so they are not compared). */
    protected void resp3() {
        redis.call("HELLO", "3");
        basalt.call("HELLO", "3");
    }

    /** Runs {@code body} in RESP2, then again on emptied servers in RESP3. */
    protected void both(Runnable body) {
        body.run();
        redis.call("FLUSHALL");
        basalt.call("FLUSHALL");
        resp3();
        body.run();
    }

    protected static String[] cmd(String... args) { return args; }

    /**
     * A reply's bytes as they came off the wire, one char per byte: unlike a UTF-8 decoding, two
     * different binary replies (HLL strings, DUMP payloads) never compare equal.
     */
    protected static String wire(RespValue v) {
        return new String(v.raw(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
