package io.basalt.server.client;

import io.basalt.resp.RespWriter;
import io.basalt.server.config.ClientOutputBufferLimit;
import io.basalt.server.util.Log;
import io.netty.channel.ChannelOutboundBuffer;

import java.util.ArrayDeque;

/**
 * What other connections send to one client outside of its own replies: Pub/Sub messages,
 * MONITOR lines and tracking invalidations. Publishers (any event loop, the cron thread) append here; the client's own
 * event loop writes the items into its output, in the order they were appended, either
 * <ul>
 *   <li>from a task scheduled on its event loop when the first item arrives, or</li>
 *   <li>before its next command runs (so a message published before the command is read comes
 *       before the command's reply, as in Redis where it is already in the output buffer), or</li>
 *   <li>in the middle of its own command, when that command itself published to it (a RESP3
 *       client gets the message of its own PUBLISH before the PUBLISH reply).</li>
 * </ul>
 * Appending never waits for the subscriber: the queued bytes count toward its
 * {@code client-output-buffer-limit}, and a client over the hard limit is closed instead.
 */
public final class Outbox {
    /** A MONITOR line: written as is, unless the monitor turned its replies off. */
    public record Line(byte[] bytes) {}
    /** A push written in the client's protocol when it is delivered (a Pub/Sub message): never dropped by CLIENT REPLY. */
    public interface Frame {
        void write(RespWriter out);
    }

    /** A RESP3 push or Pub/Sub frame built for this client (tracking invalidations): never dropped by CLIENT REPLY. */
    public record Push(byte[] bytes) {}

    private final Client client;
    private ArrayDeque<Object> items = new ArrayDeque<>(); // guarded by this
    private long bytes; // guarded by this: the size of the queued items
    private boolean scheduled; // guarded by this: a drain task is on its way
    private boolean closing; // guarded by this: over the limit, nothing more is queued

    public Outbox(Client client) {
        this.client = client;
    }

    /** Queues an item for the client (any thread); {@code size} is its size on the wire, about. */
    public void add(Object item, int size) {
        boolean schedule;
        long queued;
        synchronized (this) {
            if (closing) return;
            items.add(item);
            bytes += size;
            queued = bytes;
            schedule = !scheduled;
            scheduled = true;
        }
        if (overHardLimit(queued)) return;
        if (schedule) client.channel().eventLoop().execute(client::pushesReady);
    }

    /** Bytes queued here and not yet handed to the connection. */
    synchronized long queuedBytes() { return bytes; }

    /**
     * On the client's event loop: writes every queued item into the client's output. Pub/Sub
     * messages are written in the client's current protocol, as Redis encodes them when it
     * delivers them.
     */
    void drain() {
        ArrayDeque<Object> batch;
        synchronized (this) {
            scheduled = false;
            if (items.isEmpty()) return;
            batch = items;
            items = new ArrayDeque<>();
            bytes = 0;
        }
        RespWriter out = client.out();
        for (Object item : batch) {
            if (item instanceof Frame f) {
                f.write(out);
                client.pushed();
            } else if (item instanceof Push p) {
                out.raw(p.bytes());
                client.pushed();
            } else if (item instanceof Line l) {
                // a monitor line is an ordinary reply in Redis: CLIENT REPLY OFF drops it
                if (client.replyMode() != Client.ReplyMode.OFF) out.raw(l.bytes());
            }
        }
    }

    /**
     * The publisher's side of client-output-buffer-limit: what is queued here plus what Netty
     * still holds for the socket, against the hard limit of the client's class. The soft limit,
     * which needs a clock per client, is checked on the client's event loop after each drain.
     */
    private boolean overHardLimit(long queued) {
        ClientOutputBufferLimit.Limit limit = client.server().outputLimit(client);
        if (limit.hard() <= 0) return false;
        ChannelOutboundBuffer b = client.channel().unsafe().outboundBuffer();
        long total = queued + (b == null ? 0 : b.totalPendingWriteBytes());
        if (total < limit.hard()) return false;
        closeForLimit();
        return true;
    }

    /** Drops everything queued and closes the client (a client over its output buffer limit). */
    void closeForLimit() {
        synchronized (this) {
            if (closing) return;
            closing = true;
            items.clear();
            bytes = 0;
        }
        Log.warning("Client id=" + client.id() + " addr=" + client.address()
                + " scheduled to be closed ASAP for overcoming of output buffer limits.");
        // gone from CLIENT LIST at once; the close itself runs on the client's event loop, never
        // inside the publisher's delivery loop
        client.server().unregister(client);
        client.channel().eventLoop().execute(() -> client.channel().close());
    }

    /** The connection closed: nothing more is queued, and what is queued is dropped. */
    public synchronized void close() {
        closing = true;
        items.clear();
        bytes = 0;
    }
}
