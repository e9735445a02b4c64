package io.basalt.server.commands;

import io.basalt.data.Shard;
import io.basalt.data.StreamID;
import io.basalt.data.StreamValue;
import io.basalt.data.StreamValue.Consumer;
import io.basalt.data.StreamValue.Group;
import io.basalt.data.StreamValue.Nack;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.commands.StreamCommands.Served;

import java.util.ArrayList;
import java.util.List;

/**
 * XREAD and XREADGROUP (Redis's xreadCommand), their consumer-group delivery
 * (streamReplyWithRange with a group, streamReplyWithRangeFromConsumerPEL) and their blocking
 * form, served by a later XADD as Redis's serveClientsBlockedOnStreamKey does.
 */
final class StreamRead {
    private StreamRead() {}

    /** XREAD_BLOCKED_DEFAULT_COUNT: a blocked read without COUNT is served at most this many. */
    private static final long BLOCKED_DEFAULT_COUNT = 1000;

    static void xread(Client c, RespRequest a, boolean xreadgroup) {
        if (xreadgroup) c.propagateNothing(); // only the XCLAIM / XGROUP records it makes
        long timeout = -1;
        long count = 0;
        int streamsArg = 0, streamsCount = 0;
        boolean noack = false;
        byte[] groupName = null, consumerName = null;
        for (int i = 1; i < a.argc(); i++) {
            int more = a.argc() - i - 1;
            if (a.is(i, "BLOCK") && more > 0) {
                i++;
                Long t = Generic.millisTimeoutArg(c, a, i);
                if (t == null) return;
                timeout = t;
            } else if (a.is(i, "COUNT") && more > 0) {
                i++;
                Long n = StreamCommands.longArg(c, a, i, null);
                if (n == null) return;
                count = Math.max(0, n);
            } else if (a.is(i, "STREAMS") && more > 0) {
                streamsArg = i + 1;
                streamsCount = a.argc() - streamsArg;
                if (streamsCount % 2 != 0) {
                    c.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                    return;
                }
                streamsCount /= 2;
                break;
            } else if (a.is(i, "GROUP") && more >= 2) {
                if (!xreadgroup) {
                    c.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                groupName = a.bytes(i + 1);
                consumerName = a.bytes(i + 2);
                i += 2;
            } else if (a.is(i, "NOACK")) {
                if (!xreadgroup) {
                    c.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                    return;
                }
                noack = true;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        if (streamsArg == 0) {
            c.error(Generic.SYNTAX);
            return;
        }
        if (xreadgroup && groupName == null) {
            c.error("ERR Missing GROUP option for XREADGROUP");
            return;
        }
        StreamID[] ids = new StreamID[streamsCount];
        Group[] groups = groupName != null ? new Group[streamsCount] : null;
        for (int k = 0; k < streamsCount; k++) {
            int i = streamsArg + streamsCount + k;
            byte[] key = a.bytes(streamsArg + k);
            Object e = Generic.lookupRead(c, key);
            StreamValue s = Generic.as(c, e, StreamValue.class);
            if (Generic.failed(s)) return;
            if (groupName != null) {
                Group g = s == null ? null : s.group(groupName);
                if (g == null) {
                    c.error("NOGROUP No such key '" + a.string(streamsArg + k) + "' or consumer group '"
                            + new String(groupName, java.nio.charset.StandardCharsets.ISO_8859_1) + "' in XREADGROUP with GROUP option");
                    return;
                }
                groups[k] = g;
            }
            if (a.is(i, "$")) {
                if (xreadgroup) {
                    c.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
                    return;
                }
                ids[k] = s != null ? s.lastId : StreamID.MIN;
                continue;
            } else if (a.is(i, ">")) {
                if (!xreadgroup) {
                    c.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
                    return;
                }
                ids[k] = StreamID.MAX; // ">": resolved against the group's last id when served
                continue;
            }
            if ((ids[k] = StreamCommands.strictId(c, a, i)) == null) return;
        }

        // serve synchronously what can be served
        RespWriter out = c.out();
        List<byte[]> keys = new ArrayList<>();
        List<List<Served>> replies = new ArrayList<>();
        for (int k = 0; k < streamsCount; k++) {
            byte[] key = a.bytes(streamsArg + k);
            Object e = Generic.lookupRead(c, key);
            if (!(e instanceof StreamValue s)) continue;
            StreamID gt = ids[k];
            boolean serve = false, history = false;
            if (groups != null) {
                if (!gt.equals(StreamID.MAX)) {
                    serve = true;
                    history = true;
                } else if (s.length > 0 && s.lastValidId().compareTo(groups[k].lastId) > 0) {
                    serve = true;
                    gt = groups[k].lastId;
                }
            } else if (s.length > 0 && s.lastValidId().compareTo(gt) > 0) {
                serve = true;
            }
            if (!serve) continue;
            StreamID start = gt.next();
            if (start == null) start = StreamID.MIN;
            keys.add(key);
            if (groups == null) {
                replies.add(range(s, start, count));
            } else {
                replies.add(deliver(c, key, s, groups[k], groupName, consumerName, start, count, noack, history));
                c.dirty();
            }
        }
        if (!keys.isEmpty()) {
            writeReply(out, keys, replies);
            return;
        }
        if (timeout != -1) {
            if (c.denyBlocking()) {
                out.nullArray();
                return;
            }
            byte[][] bkeys = new byte[streamsCount][];
            for (int k = 0; k < streamsCount; k++) bkeys[k] = a.bytes(streamsArg + k);
            long blockedCount = count != 0 ? count : BLOCKED_DEFAULT_COUNT;
            byte[] gname = groupName, cname = consumerName;
            boolean nack = noack;
            StreamID[] gts = ids;
            c.server().dispatcher().blocking().block(c, bkeys, null, timeout, gname != null, "stream",
                    (key, o) -> serveBlocked(c, key, indexOf(bkeys, key), gts, gname, cname, nack, blockedCount, o));
            return;
        }
        out.nullArray();
    }

    private static int indexOf(byte[][] keys, byte[] key) {
        for (int i = 0; i < keys.length; i++) if (java.util.Arrays.equals(keys[i], key)) return i;
        return -1;
    }

    /** XREAD's reply: per key [key, entries] (RESP2) or a map key -> entries (RESP3). */
    private static void writeReply(RespWriter out, List<byte[]> keys, List<List<Served>> replies) {
        if (out.resp3()) out.map(keys.size());
        else out.array(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            if (!out.resp3()) out.array(2);
            out.bulk(keys.get(i));
            StreamCommands.writeEntries(out, replies.get(i));
        }
    }

    /** The entries from {@code start} on, at most {@code count} (0: all). */
    private static List<Served> range(StreamValue s, StreamID start, long count) {
        List<Served> r = new ArrayList<>();
        StreamValue.Iter it = s.iterator(start, null, false);
        while (it.next()) {
            r.add(new Served(it.id(), it.fields()));
            if (count != 0 && r.size() == count) break;
        }
        return r;
    }

    /**
     * streamReplyWithRange with a group: delivers the entries from {@code start} to the consumer
     * (created if needed), moving the group's last id and read counter, adding them to the PELs
     * (unless NOACK) and propagating each as XCLAIM; with {@code history}, the consumer's own
     * pending entries from {@code start} instead.
     */
    static List<Served> deliver(Client c, byte[] key, StreamValue s, Group g, byte[] groupName, byte[] consumerName,
                                StreamID start, long count, boolean noack, boolean history) {
        List<Served> r = new ArrayList<>();
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            Consumer consumer = g.consumer(consumerName);
            if (consumer != null) {
                consumer.seenTime = System.currentTimeMillis();
            } else {
                consumer = StreamCommands.createConsumer(c, key, g, consumerName);
                if (noack) StreamCommands.propagateConsumer(c, key, groupName, consumerName);
            }
            if (history) {
                for (var e : consumer.pel.tailMap(start, true).entrySet()) {
                    if (count != 0 && r.size() >= count) break;
                    byte[][] fv = s.entry(e.getKey());
                    r.add(new Served(e.getKey(), fv));
                    if (fv != null) {
                        e.getValue().deliveryTime = System.currentTimeMillis();
                        e.getValue().deliveryCount++;
                    }
                }
                return r;
            }
            boolean propagateLastId = false;
            StreamValue.Iter it = s.iterator(start, null, false);
            while (it.next()) {
                StreamID id = it.id();
                if (id.compareTo(g.lastId) > 0) {
                    s.delivered(g, id);
                    if (noack) propagateLastId = true;
                }
                r.add(new Served(id, it.fields()));
                if (!noack) {
                    long now = System.currentTimeMillis();
                    Nack nack = g.pel.get(id);
                    if (nack == null) {
                        nack = new Nack(now, 1, consumer);
                        g.pel.put(id, nack);
                        consumer.pel.put(id, nack);
                    } else {
                        nack.consumer.pel.remove(id);
                        nack.consumer = consumer;
                        nack.deliveryTime = now;
                        nack.deliveryCount = 1;
                        consumer.pel.put(id, nack);
                    }
                    StreamCommands.propagateClaim(c, key, g, groupName, id.bytes(), nack);
                }
                if (count != 0 && r.size() == count) break;
            }
            if (propagateLastId) StreamCommands.propagateGroupId(c, key, g, groupName);
        }
        return r;
    }

    /**
     * serveClientsBlockedOnStreamKey for one blocked client: an XREADGROUP whose stream or group
     * is gone is unblocked with an error; otherwise served when the stream's last id passed the
     * one it waits for (a group's last id, read now, for ">").
     */
    private static boolean serveBlocked(Client c, byte[] key, int k, StreamID[] ids, byte[] groupName, byte[] consumerName,
                                        boolean noack, long count, RespWriter out) {
        Object e = Generic.lookupWrite(c, key);
        if (!(e instanceof StreamValue s)) {
            if (groupName == null) return false;
            String m = "UNBLOCKED the stream key no longer exists";
            c.server().stats().error(m);
            out.error(m);
            return true;
        }
        Group g = null;
        StreamID gt = ids[k];
        if (groupName != null) {
            g = s.group(groupName);
            if (g == null) {
                String m = "NOGROUP the consumer group this client was blocked on no longer exists";
                c.server().stats().error(m);
                out.error(m);
                return true;
            }
            gt = g.lastId;
        }
        if (s.lastId.compareTo(gt) <= 0) return false;
        StreamID start = gt.next();
        List<Served> entries = g == null ? range(s, start, count)
                : deliver(c, key, s, g, groupName, consumerName, start, count, noack, false);
        if (out.resp3()) {
            out.map(1);
        } else {
            out.array(1);
            out.array(2);
        }
        out.bulk(key);
        StreamCommands.writeEntries(out, entries);
        return true;
    }

}
