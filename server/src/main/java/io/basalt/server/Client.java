package io.basalt.server;

import io.basalt.resp.RespWriter;
import io.basalt.server.command.CommandSpec;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The state of one client connection: what CLIENT LIST shows, what HELLO/SELECT/AUTH change, and
 * the reply writer handlers write into. Touched only on the connection's event loop, except for
 * the fields other clients read (CLIENT LIST/KILL), which are volatile.
 */
public final class Client {
    public enum ReplyMode { ON, OFF, SKIP }

    private final BasaltServer server;
    private final Channel channel;
    private final long id;
    private final long createdAt = System.currentTimeMillis();
    private final RespWriter out = new RespWriter();

    volatile int db;
    volatile String name = "";
    volatile String libName = "";
    volatile String libVer = "";
    volatile boolean authenticated;
    volatile long lastInteraction = System.currentTimeMillis();
    volatile String lastCommand = "NULL";
    volatile boolean noEvict;
    volatile boolean noTouch;
    volatile long queryBufferSize;
    volatile long outputBufferSize;
    private ReplyMode replyMode = ReplyMode.ON;
    private boolean skipNext;
    private boolean suppressCurrent;
    private boolean closeAfterReply;
    private boolean errorReplied;
    private int[] keyIndexes = new int[8];

    Client(BasaltServer server, Channel channel, long id) {
        this.server = server;
        this.channel = channel;
        this.id = id;
        this.authenticated = !server.requiresAuth();
    }

    public BasaltServer server() { return server; }

    public Channel channel() { return channel; }

    public long id() { return id; }

    public long createdAt() { return createdAt; }

    /** The reply writer of this connection. */
    public RespWriter out() { return out; }

    public int db() { return db; }

    public void db(int db) { this.db = db; }

    public String name() { return name; }

    public void name(String name) { this.name = name; }

    public String libName() { return libName; }

    public void libName(String v) { this.libName = v; }

    public String libVer() { return libVer; }

    public void libVer(String v) { this.libVer = v; }

    public boolean authenticated() { return authenticated; }

    public void authenticated(boolean a) { this.authenticated = a; }

    public boolean resp3() { return out.resp3(); }

    public void resp3(boolean v) { out.resp3(v); }

    public long lastInteraction() { return lastInteraction; }

    public String lastCommand() { return lastCommand; }

    public boolean noEvict() { return noEvict; }

    public void noEvict(boolean v) { this.noEvict = v; }

    public boolean noTouch() { return noTouch; }

    public void noTouch(boolean v) { this.noTouch = v; }

    public long queryBufferSize() { return queryBufferSize; }

    public long outputBufferSize() { return outputBufferSize; }

    public ReplyMode replyMode() { return replyMode; }

    /**
     * CLIENT REPLY: ON replies to this command; OFF suppresses this and later replies; SKIP
     * suppresses this reply and the next command's.
     */
    public void replyMode(ReplyMode m) {
        if (m == ReplyMode.SKIP) {
            skipNext = true;
            suppressCurrent = true;
        } else {
            replyMode = m;
        }
    }

    /** Called by the dispatcher before a command: whether its reply is to be dropped. */
    boolean beginReply() {
        boolean skip = skipNext;
        skipNext = false;
        suppressCurrent = skip;
        return skip;
    }

    /** Called after the command: whether the bytes it wrote are to be dropped. */
    boolean dropReply() {
        return suppressCurrent || replyMode == ReplyMode.OFF;
    }

    /** Close the connection once the replies written so far are flushed (QUIT, protocol errors). */
    public void closeAfterReply() { this.closeAfterReply = true; }

    public boolean closingAfterReply() { return closeAfterReply; }

    /**
     * Writes an error reply and counts it in INFO errorstats and the command's failed_calls.
     * {@code message} starts with the error code, e.g. "ERR syntax error", "WRONGTYPE ...".
     */
    public void error(String message) {
        errorReplied = true;
        server.stats().error(message);
        out.error(message);
    }

    /** True if an error was replied since the last {@link #resetErrorFlag()}. */
    public boolean errorReplied() { return errorReplied; }

    public void resetErrorFlag() { errorReplied = false; }

    int[] keyIndexes(int n) {
        if (keyIndexes.length < n) keyIndexes = new int[Math.max(n, keyIndexes.length * 2)];
        return keyIndexes;
    }

    void touched(CommandSpec spec) {
        lastInteraction = System.currentTimeMillis();
        lastCommand = spec.name;
    }

    public String address() { return format(channel.remoteAddress()); }

    public String localAddress() { return format(channel.localAddress()); }

    private static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            int pct = host.indexOf('%');
            if (pct >= 0) host = host.substring(0, pct);
            return host + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    /** Closes the connection now (CLIENT KILL, timeout, shutdown). */
    public void kill() { channel.close(); }
}
