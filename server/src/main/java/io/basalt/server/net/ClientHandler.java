package io.basalt.server.net;

import io.basalt.resp.RespParser;
import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;
import io.basalt.server.exec.Watermark;
import io.basalt.server.util.Log;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The Netty end of one connection: accumulates bytes, parses commands in place and runs each on
 * this event loop as soon as it is complete, writing replies into one buffer per read batch that
 * is flushed once in {@link #channelReadComplete} (pipelined commands share a syscall).
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter {
    /** The reply to a request the heap cannot hold (Redis's reply to a write under maxmemory). */
    private static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";

    private final BasaltServer server;
    private final RespParser parser = new RespParser();
    private Client client;
    private ByteBuf in;
    private ByteBuf pending;
    /** Size of the last batch's replies: the next batch's buffer starts that big (see output()). */
    private int lastOutput = 256;
    private ChannelHandlerContext ctx;

    public ClientHandler(BasaltServer server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        in = ctx.alloc().heapBuffer(1024);
        client = server.register(ctx.channel());
        if (client == null) return; // refused (maxclients / protected mode); channel is closing
        parser.maxBulkLength(server.protoMaxBulkLen());
        client.pushFlusher(this::pushesReady);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        if (client != null && client.blocked() && !client.closingAfterReply()) {
            // A command waits (BLPOP, a script): what the client sends meanwhile is kept unparsed
            // until it is unblocked, and reading pauses (Redis reads on, but runs nothing of a
            // blocked client). Pipelined commands usually arrived with the one that blocked.
            if (heldInput == null) heldInput = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
            heldInput.addComponent(true, data);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        try {
            if (client == null || client.closingAfterReply()) return;
            server.stats().netInputBytes.add(data.readableBytes());
            // A large bulk is read into a buffer of its exact size (bigBulkRoom): bytes past its
            // end (the next pipelined commands) are only appended once it has been run, so that
            // buffer never has to grow, i.e. be copied.
            long room;
            while ((room = bigBulkRoom()) >= 0 && room < data.readableBytes()) {
                in.writeBytes(data, (int) room);
                process();
                if (in == null || client.closingAfterReply()) return;
            }
            in.writeBytes(data);
            // maxmemory-clients counts the query buffer as it grows, before its commands run
            if (server.clientEviction().update(client, in.capacity())) return;
        } catch (OutOfMemoryError e) {
            // no memory for this client's input (a direct buffer for a huge argument): this
            // client goes, as over client-query-buffer-limit; the server and the others go on
            Log.warning("Closing client that could not get memory for its query buffer: " + client.address() + " (" + e.getMessage() + ")");
            client.closeAfterReply();
            ctx.close();
            return;
        } finally {
            data.release();
        }
        process();
    }

    /** Bytes of the exactly sized buffer {@link #in} is while it holds a large argument, else 0. */
    private long bigBuffer;

    /**
     * Redis's PROTO_MBULK_BIG_ARG handling: when the parser waits for a bulk of at least 32 KB,
     * the partial command is moved to the start of a buffer sized from the bulk header, so the
     * rest of the argument arrives straight into its final place, with no growing and copying of
     * the input buffer. The buffer is direct: it is freed as soon as the command has run (a
     * 100 MB SET leaves no 100 MB of heap garbage behind). Its size counts in used_memory, as
     * Redis counts query buffers. Returns the bytes still missing, or -1 when no large bulk is
     * pending.
     */
    private long bigBulkRoom() {
        if (in == null) return -1;
        long end = parser.pendingBulkEnd(RespParser.BIG_ARG);
        if (end < 0) return -1;
        if (end > in.capacity()) {
            int r = in.readerIndex();
            long need = end - r;
            if (need > Integer.MAX_VALUE - 16) return -1; // beyond a ByteBuf: the query buffer limit decides
            ByteBuf big = ctx.alloc().directBuffer((int) need, (int) need);
            big.writeBytes(in, r, in.writerIndex() - r);
            parser.moved(in, big, r);
            in.release();
            in = big;
            account(need);
            end = need;
        }
        return end - in.writerIndex();
    }

    private void account(long bytes) {
        server.stats().bigArgumentBytes.add(bytes - bigBuffer);
        bigBuffer = bytes;
    }

    /** Parses and runs every complete command in the buffer. */
    void process() {
        while (!client.closingAfterReply() && !client.parked()) {
            parser.authRequired(server.acl().authRequired(client));
            int start = in.readerIndex();
            int r = parser.parse(in);
            if (r == RespParser.NEED_MORE) break;
            ByteBuf out = output();
            if (r == RespParser.ERROR) {
                protocolError(out, "ERR " + parser.error());
                client.closeAfterReply();
                break;
            }
            // messages pushed to this client before the command was read go before its reply
            client.drainPushes();
            int mark = out.writerIndex();
            client.beginReply();
            // While it runs, a large argument counts twice in used_memory: its buffer and the
            // value it is copied into. Redis counts the same (the argument's buffer and the
            // fresh query buffer of that size it allocates for the next one), so a SET refused
            // with -OOM under maxmemory is refused in both servers.
            long running = bigBuffer;
            server.stats().bigArgumentBytes.add(running);
            try {
                server.dispatcher().dispatch(client, parser.request());
            } catch (OutOfMemoryError e) {
                // HeapGuard refused a huge allocation before making it (or, as a last resort,
                // the heap ran out): this request fails as Redis fails a write under maxmemory;
                // the connection and every other request go on (shard locks are released by the
                // dispatcher's finally blocks)
                Log.warning("Command refused for lack of memory (" + e.getMessage() + ")");
                out.writerIndex(mark);
                client.error(OOM);
            } finally {
                server.stats().bigArgumentBytes.add(-running);
            }
            if (client.takeDeferred()) {
                // CLIENT PAUSE holds this command back: keep it unparsed and wait for the unpause
                in.readerIndex(start);
                client.park(this::resume);
                break;
            }
            if (client.takeBlocked(this::unblocked)) {
                // BLPOP & co. wait for a key: no reply and no further command until served
                break;
            }
            // a dropped reply (CLIENT REPLY OFF/SKIP) keeps the pushes the command wrote before it
            if (client.dropReply()) out.writerIndex(Math.max(mark, client.pushEnd()));
            if (overOutputLimit(out)) return;
            if (out.readableBytes() > 64 * 1024) flushPending(false);
        }
        compact();
        // BCAST invalidations of the keys this batch changed: once per batch, as Redis sends
        // them once per event loop iteration
        server.tracking().broadcast();
        client.queryBufferSize = in.readableBytes();
        if (in.readableBytes() > server.queryBufferLimit()) {
            Log.warning("Closing client that reached max query buffer length: " + client.address());
            ctx.close();
        }
    }

    private final io.basalt.server.config.ClientOutputBufferLimit.Tracker outputLimit = new io.basalt.server.config.ClientOutputBufferLimit.Tracker();

    /**
     * The output limits checked from {@link ClientsCron}, on this event loop: for a client that
     * stopped reading, no command runs and so nothing else would check them again.
     */
    void cronCheck() {
        if (in == null || client == null || client.closingAfterReply()) return;
        overOutputLimit(pending != null ? pending : io.netty.buffer.Unpooled.EMPTY_BUFFER);
    }

    /**
     * client-output-buffer-limit: the replies not yet taken by the peer (this batch plus what
     * Netty still queues) against the hard limit, and the soft limit held for its seconds. Like
     * Redis, a client over the limit is closed at once, without its pending replies.
     */
    private boolean overOutputLimit(ByteBuf out) {
        io.netty.channel.ChannelOutboundBuffer queued = ctx.channel().unsafe().outboundBuffer();
        long size = out.readableBytes() + (queued == null ? 0 : queued.totalPendingWriteBytes()) + client.queuedPushBytes();
        client.outputBufferSize = size;
        if (server.clientEviction().update(client, in != null ? in.capacity() : 0)) {
            // evicted by maxmemory-clients (closed, like a client over its output limit)
            out.clear();
            return true;
        }
        if (!outputLimit.over(server.outputLimit(client), size)) return false;
        Log.warning("Client id=" + client.id() + " addr=" + client.address()
                + " scheduled to be closed ASAP for overcoming of output buffer limits.");
        out.clear();
        client.closeAfterReply();
        ctx.close();
        return true;
    }

    /**
     * Messages other threads pushed to this client (Pub/Sub, MONITOR): written and flushed
     * outside of any command, then held against the output buffer limit of the client's class.
     */
    private void pushesReady() {
        if (in == null || client.closingAfterReply()) return;
        ByteBuf out = output();
        int before = out.writerIndex();
        client.drainPushes();
        // Redis counts a write to the client as interaction (CLIENT LIST idle)
        if (out.writerIndex() != before) client.wrote();
        if (overOutputLimit(out)) return;
        flushPending(true);
    }

    /** Runs the commands a CLIENT PAUSE held back, once it is over (on this event loop). */
    private void resume() {
        if (in == null) return;
        process();
        flushPending(true);
    }

    /** What a blocked client sent while it waited, to parse once it is unblocked. */
    private io.netty.buffer.CompositeByteBuf heldInput;
    private boolean flushScheduled;

    /** A blocked command's reply (served or timed out): write it and run the commands after it. */
    private void unblocked(ByteBuf reply) {
        try {
            if (in == null) return;
            ByteBuf out = output();
            if (!client.dropReply()) out.writeBytes(reply);
        } finally {
            reply.release();
        }
        io.netty.buffer.CompositeByteBuf later = heldInput;
        heldInput = null;
        if (later != null) channelRead(ctx, later); // appends it and runs what is complete
        else process();
        if (in != null && client.blocked() && client.waitingForScript()) {
            // the next pipelined command is a script as well: its reply will come in a moment,
            // so this one is written but flushed with it (one write for a pipeline of scripts,
            // as Redis writes a pipeline's replies at once), or after 1 ms at the latest
            flushPending(false);
            if (!flushScheduled) {
                flushScheduled = true;
                ctx.executor().schedule(() -> {
                    flushScheduled = false;
                    ctx.flush();
                }, 1, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return;
        }
        flushPending(true);
    }

    /**
     * Replies a protocol error. Redis prints the offending byte of "expected '$', got 'x'" raw,
     * so a byte above 0x7f goes out as that one byte, not as its UTF-8 encoding.
     */
    private void protocolError(ByteBuf out, String message) {
        int mark = out.writerIndex();
        client.error(message); // counts errorstats
        for (int i = 0; i < message.length(); i++) {
            if (message.charAt(i) > 0x7f) {
                out.writerIndex(mark);
                out.writeByte('-');
                out.writeCharSequence(message, java.nio.charset.StandardCharsets.ISO_8859_1);
                out.writeShort(('\r' << 8) | '\n');
                return;
            }
        }
    }

    private ByteBuf output() {
        if (pending == null) {
            // Sized like the previous batch so pipelined replies do not regrow (and recopy) the
            // buffer several times per batch; pooled direct, so the socket write needs no copy.
            pending = ctx.alloc().ioBuffer(lastOutput);
            client.out().target(pending);
        }
        return pending;
    }

    private void compact() {
        if (bigBuffer > 0 && parser.pendingBulkEnd(RespParser.BIG_ARG) < 0) {
            // the large argument has been run: back to a small heap buffer, and the direct
            // one freed now rather than kept for the connection's lifetime
            int r = in.readerIndex();
            ByteBuf small = ctx.alloc().heapBuffer(Math.max(1024, in.readableBytes()));
            small.writeBytes(in, r, in.readableBytes());
            parser.moved(in, small, r);
            in.release();
            in = small;
            account(0);
            return;
        }
        int r = in.readerIndex();
        if (r == 0) return;
        if (!in.isReadable()) {
            in.clear();
            parser.shift(r);
        } else if (r > in.capacity() / 2 || r > 64 * 1024) {
            in.discardReadBytes();
            parser.shift(r);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushPending(true);
    }

    private void flushPending(boolean flush) {
        if (pending == null) {
            // replies over 64 KB were already written unflushed by process(): flush them now
            if (flush) ctx.flush();
            return;
        }
        ByteBuf b = pending;
        pending = null;
        lastOutput = Math.max(256, Math.min(b.readableBytes(), 64 * 1024));
        if (holdForDurability(b)) return;
        if (b.isReadable()) {
            server.stats().netOutputBytes.add(b.readableBytes());
            if (flush) ctx.writeAndFlush(b, ctx.voidPromise());
            else ctx.write(b, ctx.voidPromise());
        } else {
            b.release();
            if (flush) ctx.flush();
        }
        if (client.closingAfterReply() && flush) {
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
        }
        if (!ctx.channel().isWritable() && ctx.channel().config().isAutoRead()) {
            // the peer is not reading its replies: stop reading its commands until it catches up
            ctx.channel().config().setAutoRead(false);
        }
    }

    // ---------------------------------------------------------------- group commit

    /** Replies held behind a {@link Watermark} (appendfsync always: the AOF's fsync), in order. */
    private java.util.ArrayDeque<Held> held;
    private boolean awaitingMark;

    private record Held(ByteBuf replies, Watermark mark, long position) {}

    /**
     * With appendfsync always, replies leave only once the effects of the commands they answer
     * are on disk. The batch is held (behind any batch held before it) and released when the
     * effect stream's durability mark passes everything published before it: every reply waits
     * for every earlier write, not only its own, so a read never shows another client's write
     * before that write is durable (as Redis, which sends no reply of an event loop iteration
     * before the iteration's fsync).
     */
    private boolean holdForDurability(ByteBuf b) {
        Watermark mark = server.effects().durability();
        boolean waiting = held != null && !held.isEmpty();
        if (!waiting && mark == null) return false;
        long need = mark == null ? 0 : mark.position();
        if (!waiting && need <= mark.reached()) return false;
        if (held == null) held = new java.util.ArrayDeque<>();
        held.add(new Held(b, mark, need));
        awaitMark();
        return true;
    }

    private void awaitMark() {
        if (awaitingMark || held.isEmpty()) return;
        awaitingMark = true;
        Held first = held.peek();
        if (first.mark() == null) { // queued behind held replies while nothing had to wait
            ctx.executor().execute(this::releaseHeld);
            return;
        }
        first.mark().whenReached(first.position(), () -> ctx.executor().execute(this::releaseHeld));
    }

    private void releaseHeld() {
        awaitingMark = false;
        if (held == null) return;
        boolean wrote = false;
        while (!held.isEmpty() && (held.peek().mark() == null || held.peek().position() <= held.peek().mark().reached())) {
            ByteBuf b = held.poll().replies();
            if (!ctx.channel().isActive()) {
                b.release();
                continue;
            }
            if (b.isReadable()) {
                server.stats().netOutputBytes.add(b.readableBytes());
                ctx.write(b, ctx.voidPromise());
                wrote = true;
            } else {
                b.release();
            }
        }
        if (wrote) ctx.flush();
        if (!held.isEmpty()) {
            awaitMark();
        } else if (client.closingAfterReply()) {
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> ctx.close());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) ctx.channel().config().setAutoRead(true);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (client != null) {
            client.cancelPark();
            client.closeOutbox();
            server.clientClosed(client);
        }
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (heldInput != null) {
            heldInput.release();
            heldInput = null;
        }
        if (held != null) {
            for (Held h : held) h.replies().release();
            held.clear();
        }
        if (in != null) {
            in.release();
            in = null;
            account(0);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof javax.net.ssl.SSLException ssl) {
            // a failed TLS handshake (no client certificate, an untrusted one...): Redis's words
            Log.warning("Error accepting a client connection: " + ssl.getMessage());
        } else if (!(cause instanceof java.io.IOException)) {
            Log.warning("Error on client " + (client == null ? "?" : client.address()) + ": " + cause);
        }
        ctx.close();
    }
}
