package io.basalt.server.pubsub;

import io.basalt.data.Glob;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.client.Outbox;
import io.basalt.server.module.ServerModule;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Pub/Sub: channels, patterns and shard channels, their subscribers, and publishing.
 *
 * <p>One lock orders every publish and every (un)subscription, which gives Redis's guarantee
 * that all subscribers see publishes in one global order, and that a subscription is either
 * before or after a given publish. The lock is held only to look up the receivers and append
 * the message to each one's {@link Outbox}; the bytes reach the socket on the subscriber's own
 * event loop, so a publisher never waits for a slow subscriber.
 *
 * <p>Receivers are counted as Redis counts them: one per channel subscriber plus one per
 * (pattern, subscriber) match, so a client subscribed to a channel and to two patterns matching
 * it receives (and counts) three messages: the channel's first, then the patterns'.
 */
public final class PubSub implements ServerModule {
    public static final int CHANNEL = 0;
    public static final int PATTERN = 1;
    public static final int SHARD = 2;

    private static final byte[][] SUBSCRIBE = {bytes("subscribe"), bytes("psubscribe"), bytes("ssubscribe")};
    private static final byte[][] UNSUBSCRIBE = {bytes("unsubscribe"), bytes("punsubscribe"), bytes("sunsubscribe")};
    private static final byte[] MESSAGE = bytes("message");
    private static final byte[] PMESSAGE = bytes("pmessage");
    private static final byte[] SMESSAGE = bytes("smessage");

    /** A byte[] name with value equality, for the hash maps. */
    record Name(byte[] bytes) {
        @Override public boolean equals(Object o) { return o instanceof Name n && Arrays.equals(bytes, n.bytes); }
        @Override public int hashCode() { return Arrays.hashCode(bytes); }
    }

    /** Where each client keeps its {@link Subscriptions}; guarded by this PubSub's lock. */
    private static final Client.Slot<Subscriptions> SLOT = Client.Slot.of("pubsub");

    /** One client's subscriptions, in the order it made them. */
    static final class Subscriptions {
        @SuppressWarnings("unchecked")
        final LinkedHashSet<Name>[] sets = new LinkedHashSet[] {new LinkedHashSet<>(), new LinkedHashSet<>(), new LinkedHashSet<>()};

        /** Redis's clientSubscriptionsCount (channels + patterns) or, for shard channels, their count. */
        int count(int kind) {
            return kind == SHARD ? sets[SHARD].size() : sets[CHANNEL].size() + sets[PATTERN].size();
        }

        int total() { return sets[CHANNEL].size() + sets[PATTERN].size() + sets[SHARD].size(); }
    }

    /**
     * One published message as a subscriber receives it, shared by all its receivers; encoded in
     * each receiver's protocol when written.
     */
    static final class Message implements Outbox.Frame {
        final byte[] kind;
        final byte[] pattern; // null unless a pmessage
        final byte[] channel;
        final byte[] payload;

        Message(byte[] kind, byte[] pattern, byte[] channel, byte[] payload) {
            this.kind = kind;
            this.pattern = pattern;
            this.channel = channel;
            this.payload = payload;
        }

        int size() {
            return 48 + channel.length + payload.length + (pattern == null ? 0 : pattern.length);
        }

        @Override
        public void write(RespWriter out) {
            out.push(pattern == null ? 3 : 4);
            out.bulk(kind);
            if (pattern != null) out.bulk(pattern);
            out.bulk(channel);
            out.bulk(payload);
        }
    }

    private final Object lock = new Object();
    /** Per kind: name to its subscribers in subscription order. Patterns keep their first subscription's order. */
    @SuppressWarnings("unchecked")
    private final Map<Name, LinkedHashSet<Client>>[] subscribers = new Map[] {
            new HashMap<>(), new LinkedHashMap<>(), new HashMap<>()};
    /** Subscriptions of all clients: publishing with none costs one volatile read. */
    private volatile int total;

    public PubSub() {}

    // ---------------------------------------------------------------- publishing

    /**
     * PUBLISH: delivers {@code message} to the subscribers of {@code channel} and of every
     * pattern matching it; returns the number of receivers. Any thread.
     */
    public long publish(byte[] channel, byte[] message) {
        return publish(channel, message, false);
    }

    /** SPUBLISH: delivers to the subscribers of the shard channel (patterns do not apply). */
    public long spublish(byte[] channel, byte[] message) {
        return publish(channel, message, true);
    }

    /** Where cluster mode sends what is published here (the cluster bus). */
    public interface ClusterBus {
        void propagate(byte[] channel, byte[] message, boolean shard);
    }

    private volatile ClusterBus clusterBus;

    /** Cluster mode: every PUBLISH also goes to the other nodes, every SPUBLISH to the shard's. */
    public void clusterBus(ClusterBus bus) { this.clusterBus = bus; }

    /** Whether messages travel on the cluster bus (else PUBLISH reaches other nodes by replication). */
    public boolean clustered() { return clusterBus != null; }

    /**
     * Redis's pubsubPublishMessageAndPropagateToCluster (the PUBLISH and SPUBLISH commands): the
     * local receivers, and in cluster mode the message sent on the bus.
     */
    public long publishAndPropagate(byte[] channel, byte[] message, boolean shard) {
        long receivers = publish(channel, message, shard);
        ClusterBus bus = clusterBus;
        if (bus != null) bus.propagate(channel, message, shard);
        return receivers;
    }

    private long publish(byte[] channel, byte[] message, boolean shard) {
        if (total == 0) return 0;
        long receivers = 0;
        synchronized (lock) {
            LinkedHashSet<Client> clients = subscribers[shard ? SHARD : CHANNEL].get(new Name(channel));
            if (clients != null) {
                Message m = new Message(shard ? SMESSAGE : MESSAGE, null, channel, message);
                for (Client c : clients) {
                    deliver(c, m);
                    receivers++;
                }
            }
            if (shard) return receivers;
            for (Map.Entry<Name, LinkedHashSet<Client>> e : subscribers[PATTERN].entrySet()) {
                byte[] pattern = e.getKey().bytes();
                if (!Glob.match(pattern, channel, false)) continue;
                Message m = new Message(PMESSAGE, pattern, channel, message);
                for (Client c : e.getValue()) {
                    deliver(c, m);
                    receivers++;
                }
            }
        }
        return receivers;
    }

    /**
     * Queues a message for {@code c}. When {@code c} is the client whose command is running on
     * this thread (it published to itself, or its command raised a keyspace notification it
     * listens to), the message goes into its output at once, before that command's reply.
     */
    private static void deliver(Client c, Message m) {
        c.outbox().add(m, m.size());
        if (c.executing() && c.channel().eventLoop().inEventLoop()) c.drainPushes();
    }

    // ---------------------------------------------------------------- (un)subscribing

    /** SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE: one confirmation per name, with the count after it. */
    public void subscribe(Client c, int kind, List<byte[]> names) {
        synchronized (lock) {
            // messages published before this subscription come before its confirmations
            c.drainPushes();
            Subscriptions s = c.get(SLOT);
            if (s == null) c.set(SLOT, s = new Subscriptions());
            for (byte[] n : names) {
                Name name = new Name(n);
                if (s.sets[kind].add(name)) {
                    subscribers[kind].computeIfAbsent(name, k -> new LinkedHashSet<>()).add(c);
                    total++;
                }
                confirm(c, SUBSCRIBE[kind], n, s.count(kind));
            }
            counts(c, s);
        }
    }

    /**
     * UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE: the named ones, or all of the kind when none is
     * named (in subscription order); a confirmation with a null name when there was none.
     */
    public void unsubscribe(Client c, int kind, List<byte[]> names) {
        synchronized (lock) {
            c.drainPushes();
            Subscriptions s = c.get(SLOT);
            if (s == null) c.set(SLOT, s = new Subscriptions());
            if (names.isEmpty()) {
                List<Name> all = new ArrayList<>(s.sets[kind]);
                for (Name name : all) {
                    remove(c, s, kind, name);
                    confirm(c, UNSUBSCRIBE[kind], name.bytes(), s.count(kind));
                }
                if (all.isEmpty()) confirm(c, UNSUBSCRIBE[kind], null, s.count(kind));
            } else {
                for (byte[] n : names) {
                    remove(c, s, kind, new Name(n));
                    confirm(c, UNSUBSCRIBE[kind], n, s.count(kind));
                }
            }
            counts(c, s);
        }
    }

    /**
     * Cluster mode's removeChannelsInSlot: hash slot {@code slot} is no longer served here, so its
     * shard channels lose every subscriber, each told with an sunsubscribe message (with its
     * remaining count), as if it had unsubscribed. Any thread.
     */
    public void unsubscribeShardSlot(int slot) {
        synchronized (lock) {
            List<Name> names = new ArrayList<>();
            for (Name n : subscribers[SHARD].keySet()) {
                if (io.basalt.data.Slots.slot(n.bytes()) == slot) names.add(n);
            }
            // in Redis's order: its slot-to-channels radix tree, by name bytes
            names.sort((x, y) -> Arrays.compareUnsigned(x.bytes(), y.bytes()));
            for (Name name : names) {
                for (Client c : new ArrayList<>(subscribers[SHARD].get(name))) {
                    Subscriptions s = c.get(SLOT);
                    remove(c, s, SHARD, name);
                    counts(c, s);
                    c.push(unsubscribed(c.resp3(), name.bytes(), s.count(SHARD)));
                }
            }
        }
    }

    private static byte[] unsubscribed(boolean resp3, byte[] channel, int count) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(32 + channel.length);
        b.writeBytes((resp3 ? ">3\r\n" : "*3\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.writeBytes("$12\r\nsunsubscribe\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.writeBytes(("$" + channel.length + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.writeBytes(channel);
        b.writeBytes(("\r\n:" + count + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    /** A client's subscriptions of one kind ({@link #CHANNEL}, {@link #PATTERN}, {@link #SHARD}): the ACL checks them. */
    public List<byte[]> subscriptionsOf(Client c, int kind) {
        synchronized (lock) {
            Subscriptions s = c.get(SLOT);
            List<byte[]> out = new ArrayList<>();
            if (s != null) for (Name n : s.sets[kind]) out.add(n.bytes());
            return out;
        }
    }

    /** RESET and disconnection: every subscription goes, without confirmations. */
    @Override
    public void clientClosed(Client c) { reset(c); }

    public void reset(Client c) {
        synchronized (lock) {
            Subscriptions s = c.get(SLOT);
            if (s == null) return;
            for (int kind = 0; kind < 3; kind++) {
                for (Name name : new ArrayList<>(s.sets[kind])) remove(c, s, kind, name);
            }
            counts(c, s);
        }
    }

    private void remove(Client c, Subscriptions s, int kind, Name name) {
        if (!s.sets[kind].remove(name)) return;
        total--;
        LinkedHashSet<Client> clients = subscribers[kind].get(name);
        clients.remove(c);
        // a channel nobody listens to is forgotten, so PUBSUB CHANNELS and memory stay accurate
        if (clients.isEmpty()) subscribers[kind].remove(name);
    }

    private static void confirm(Client c, byte[] what, byte[] name, int count) {
        RespWriter out = c.out();
        out.push(3);
        out.bulk(what);
        if (name == null) out.nullBulk();
        else out.bulk(name);
        out.integer(count);
        c.pushed();
    }

    private static void counts(Client c, Subscriptions s) {
        c.subscriptions(s.sets[CHANNEL].size(), s.sets[PATTERN].size(), s.sets[SHARD].size());
    }

    // ---------------------------------------------------------------- introspection (PUBSUB)

    /** PUBSUB CHANNELS / SHARDCHANNELS: the names with subscribers, matching {@code pattern} if given. */
    public List<byte[]> channels(boolean shard, byte[] pattern) {
        List<byte[]> out = new ArrayList<>();
        synchronized (lock) {
            for (Name n : subscribers[shard ? SHARD : CHANNEL].keySet()) {
                if (pattern == null || Glob.match(pattern, n.bytes(), false)) out.add(n.bytes());
            }
        }
        return out;
    }

    /** PUBSUB NUMSUB / SHARDNUMSUB: the subscribers of one channel (pattern subscribers not included). */
    public int numsub(boolean shard, byte[] channel) {
        synchronized (lock) {
            LinkedHashSet<Client> clients = subscribers[shard ? SHARD : CHANNEL].get(new Name(channel));
            return clients == null ? 0 : clients.size();
        }
    }

    /** PUBSUB NUMPAT and INFO pubsub_patterns: distinct patterns with subscribers. */
    public int numpat() {
        synchronized (lock) {
            return subscribers[PATTERN].size();
        }
    }

    /** INFO pubsub_channels / pubsubshard_channels: channels with subscribers. */
    public int channelCount(boolean shard) {
        synchronized (lock) {
            return subscribers[shard ? SHARD : CHANNEL].size();
        }
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.US_ASCII); }
}
