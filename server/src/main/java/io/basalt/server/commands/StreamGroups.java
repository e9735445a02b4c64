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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/** The pending-entries commands of consumer groups: XPENDING, XCLAIM, XAUTOCLAIM (t_stream.c). */
final class StreamGroups {
    private StreamGroups() {}


    private static void noGroup(Client c, RespRequest a) {
        c.error("NOGROUP No such key '" + a.string(1) + "' or consumer group '" + a.string(2) + "'");
    }

    static void xpending(Client c, RespRequest a) {
        int argc = a.argc();
        boolean justinfo = argc == 3;
        long count = 0, minidle = 0;
        StreamID start = null, end = null;
        byte[] consumerName = null;
        if (argc != 3 && (argc < 6 || argc > 9)) {
            c.error(Generic.SYNTAX);
            return;
        }
        if (argc >= 6) {
            int startidx = 3;
            if (a.is(3, "IDLE")) {
                Long n = StreamCommands.longArg(c, a, 4, null);
                if (n == null) return;
                minidle = n;
                if (argc < 8) {
                    c.error(Generic.SYNTAX);
                    return;
                }
                startidx += 2;
            }
            Long n = StreamCommands.longArg(c, a, startidx + 2, null);
            if (n == null) return;
            count = Math.max(0, n);
            if ((start = StreamCommands.interval(c, a, startidx, true)) == null) return;
            if ((end = StreamCommands.interval(c, a, startidx + 1, false)) == null) return;
            if (startidx + 3 < argc) consumerName = a.bytes(startidx + 3);
        }
        StreamValue st = Generic.read(c, a.bytes(1), StreamValue.class);
        if (Generic.failed(st)) return;
        Group g = st == null ? null : st.group(a.bytes(2));
        if (g == null) {
            noGroup(c, a);
            return;
        }
        RespWriter out = c.out();
        if (justinfo) {
            out.array(4);
            out.integer(g.pel.size());
            if (g.pel.isEmpty()) {
                out.nullBulk();
                out.nullBulk();
                out.nullArray();
                return;
            }
            StreamCommands.id(out, g.pel.firstKey());
            StreamCommands.id(out, g.pel.lastKey());
            List<Consumer> with = new ArrayList<>();
            for (Consumer cs : g.consumers.values()) if (!cs.pel.isEmpty()) with.add(cs);
            out.array(with.size());
            for (Consumer cs : with) {
                out.array(2);
                out.bulk(cs.name);
                out.bulk(Long.toString(cs.pel.size()));
            }
            return;
        }
        NavigableMap<StreamID, Nack> pel = g.pel;
        if (consumerName != null) {
            Consumer cs = g.consumer(consumerName);
            if (cs == null) {
                out.array(0);
                return;
            }
            pel = cs.pel;
        }
        long now = System.currentTimeMillis();
        List<Map.Entry<StreamID, Nack>> rows = new ArrayList<>();
        if (start.compareTo(end) <= 0) {
            for (Map.Entry<StreamID, Nack> e : pel.subMap(start, true, end, true).entrySet()) {
                if (count == 0) break;
                if (minidle != 0 && now - e.getValue().deliveryTime < minidle) continue;
                rows.add(e);
                count--;
            }
        }
        out.array(rows.size());
        for (Map.Entry<StreamID, Nack> e : rows) {
            Nack n = e.getValue();
            out.array(4);
            StreamCommands.id(out, e.getKey());
            out.bulk(n.consumer.name);
            out.integer(Math.max(0, now - n.deliveryTime));
            out.integer(n.deliveryCount);
        }
    }

    static void xclaim(Client c, RespRequest a) {
        c.propagateNothing(); // only the XCLAIM / XGROUP SETID records it makes
        byte[] key = a.bytes(1);
        StreamValue s = Generic.read(c, key, StreamValue.class);
        if (Generic.failed(s)) return;
        Group g = s == null ? null : s.group(a.bytes(2));
        if (g == null) {
            noGroup(c, a);
            return;
        }
        Long minidleArg = StreamCommands.longArg(c, a, 4, "Invalid min-idle-time argument for XCLAIM");
        if (minidleArg == null) return;
        long minidle = Math.max(0, minidleArg);
        List<StreamID> ids = new ArrayList<>();
        int j = 5;
        for (; j < a.argc(); j++) {
            StreamID id = StreamCommands.id(null, a, j, 0, true, null);
            if (id == null) break;
            ids.add(id);
        }
        int lastIdArg = j - 1;
        long now = System.currentTimeMillis();
        long deliveryTime = -1, retryCount = -1;
        boolean force = false, justid = false;
        StreamID lastId = StreamID.MIN;
        for (; j < a.argc(); j++) {
            int more = a.argc() - 1 - j;
            if (a.is(j, "FORCE")) {
                force = true;
            } else if (a.is(j, "JUSTID")) {
                justid = true;
            } else if (a.is(j, "IDLE") && more > 0) {
                Long n = StreamCommands.longArg(c, a, ++j, "Invalid IDLE option argument for XCLAIM");
                if (n == null) return;
                deliveryTime = now - n;
            } else if (a.is(j, "TIME") && more > 0) {
                Long n = StreamCommands.longArg(c, a, ++j, "Invalid TIME option argument for XCLAIM");
                if (n == null) return;
                deliveryTime = n;
            } else if (a.is(j, "RETRYCOUNT") && more > 0) {
                Long n = StreamCommands.longArg(c, a, ++j, "Invalid RETRYCOUNT option argument for XCLAIM");
                if (n == null) return;
                retryCount = n;
            } else if (a.is(j, "LASTID") && more > 0) {
                StreamID id = StreamCommands.strictId(c, a, ++j);
                if (id == null) return;
                lastId = id;
            } else {
                c.error("ERR Unrecognized XCLAIM option '" + a.string(j) + "'");
                return;
            }
        }
        byte[] groupName = a.bytes(2);
        List<Object> reply = new ArrayList<>(); // StreamID (JUSTID) or Served
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            boolean propagateLastId = false;
            if (lastId.compareTo(g.lastId) > 0) {
                g.lastId = lastId;
                propagateLastId = true;
            }
            if (deliveryTime != -1) {
                if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
            } else {
                deliveryTime = now;
            }
            Consumer consumer = null;
            byte[] name = a.bytes(3);
            for (int k = 5; k <= lastIdArg; k++) {
                StreamID id = ids.get(k - 5);
                Nack nack = g.pel.get(id);
                byte[][] fv = s.entry(id);
                if (fv == null) {
                    if (nack != null) {
                        StreamCommands.propagateClaim(c, key, g, groupName, a.bytes(k), nack);
                        propagateLastId = false;
                        c.dirty();
                        g.ack(id);
                    }
                    continue;
                }
                if (force && nack == null) {
                    nack = new Nack(now, 1, null); // streamCreateNACK: one delivery
                    g.pel.put(id, nack);
                }
                if (nack == null) continue;
                if (nack.consumer != null && minidle != 0 && now - nack.deliveryTime < minidle) continue;
                if (consumer == null) consumer = StreamCommands.lookupOrCreate(c, key, g, name);
                if (nack.consumer != consumer && nack.consumer != null) nack.consumer.pel.remove(id);
                nack.deliveryTime = deliveryTime;
                if (retryCount >= 0) nack.deliveryCount = retryCount;
                else if (!justid) nack.deliveryCount++;
                if (nack.consumer != consumer) {
                    consumer.pel.put(id, nack);
                    nack.consumer = consumer;
                }
                reply.add(justid ? id : new StreamCommands.Served(id, fv));
                StreamCommands.propagateClaim(c, key, g, groupName, a.bytes(k), nack);
                propagateLastId = false;
                c.dirty();
            }
            if (propagateLastId) {
                StreamCommands.propagateGroupId(c, key, g, groupName);
                c.dirty();
            }
        }
        RespWriter out = c.out();
        out.array(reply.size());
        for (Object o : reply) {
            if (o instanceof StreamID id) StreamCommands.id(out, id);
            else StreamCommands.entry(out, ((StreamCommands.Served) o).id(), ((StreamCommands.Served) o).fields());
        }
    }

    static void xautoclaim(Client c, RespRequest a) {
        c.propagateNothing();
        byte[] key = a.bytes(1);
        Long minidleArg = StreamCommands.longArg(c, a, 4, "Invalid min-idle-time argument for XAUTOCLAIM");
        if (minidleArg == null) return;
        long minidle = Math.max(0, minidleArg);
        StreamID start = StreamCommands.interval(c, a, 5, true);
        if (start == null) return;
        long count = 100;
        boolean justid = false;
        for (int j = 6; j < a.argc(); j++) {
            int more = a.argc() - 1 - j;
            if (a.is(j, "COUNT") && more > 0) {
                long max = Long.MAX_VALUE / 16;
                long n;
                try {
                    n = Generic.parseLong(a, j + 1);
                } catch (NumberFormatException e) {
                    c.error("ERR COUNT must be > 0");
                    return;
                }
                if (n < 1 || n > max) {
                    c.error("ERR COUNT must be > 0");
                    return;
                }
                count = n;
                j++;
            } else if (a.is(j, "JUSTID")) {
                justid = true;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        StreamValue s = Generic.read(c, key, StreamValue.class);
        if (Generic.failed(s)) return;
        Group g = s == null ? null : s.group(a.bytes(2));
        if (g == null) {
            noGroup(c, a);
            return;
        }
        byte[] groupName = a.bytes(2);
        long attempts = count * 10;
        long now = System.currentTimeMillis();
        List<Object> claimed = new ArrayList<>();
        List<StreamID> deleted = new ArrayList<>();
        StreamID cursor;
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            Consumer consumer = null;
            StreamID next = g.pel.ceilingKey(start);
            while (attempts-- > 0 && count > 0 && next != null) {
                StreamID id = next;
                Nack nack = g.pel.get(id);
                byte[][] fv = s.entry(id);
                if (fv == null) {
                    StreamCommands.propagateClaim(c, key, g, groupName, id.bytes(), nack);
                    c.dirty();
                    g.ack(id);
                    deleted.add(id);
                    count--;
                    next = g.pel.ceilingKey(id);
                    continue;
                }
                next = g.pel.higherKey(id);
                if (minidle != 0 && now - nack.deliveryTime < minidle) continue;
                if (consumer == null) consumer = StreamCommands.lookupOrCreate(c, key, g, a.bytes(3));
                if (nack.consumer != consumer && nack.consumer != null) nack.consumer.pel.remove(id);
                nack.deliveryTime = now;
                if (!justid) nack.deliveryCount++;
                if (nack.consumer != consumer) {
                    consumer.pel.put(id, nack);
                    nack.consumer = consumer;
                }
                claimed.add(justid ? id : new StreamCommands.Served(id, fv));
                count--;
                StreamCommands.propagateClaim(c, key, g, groupName, id.bytes(), nack);
                c.dirty();
            }
            cursor = next == null ? StreamID.MIN : next;
        }
        RespWriter out = c.out();
        out.array(3);
        StreamCommands.id(out, cursor);
        out.array(claimed.size());
        for (Object o : claimed) {
            if (o instanceof StreamID id) StreamCommands.id(out, id);
            else StreamCommands.entry(out, ((StreamCommands.Served) o).id(), ((StreamCommands.Served) o).fields());
        }
        out.array(deleted.size());
        for (StreamID id : deleted) StreamCommands.id(out, id);
    }

}
