package io.basalt.server.commands;

import io.basalt.data.StreamID;
import io.basalt.data.StreamValue;
import io.basalt.data.StreamValue.Consumer;
import io.basalt.data.StreamValue.Group;
import io.basalt.data.StreamValue.Nack;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;

import java.util.Map;

/** XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP, with Redis 7.0's maps (xinfoCommand). */
final class StreamInfo {
    private StreamInfo() {}

    static void xinfo(Client c, RespRequest a) {
        if (a.is(1, "HELP")) {
            if (a.argc() != 2) {
                CommandHelp.syntaxError(c, a);
                return;
            }
            CommandHelp.reply(c, "XINFO",
                    "CONSUMERS <key> <groupname>",
                    "    Show consumers of <groupname>.",
                    "GROUPS <key>",
                    "    Show the stream consumer groups.",
                    "STREAM <key> [FULL [COUNT <count>]",
                    "    Show information about the stream.");
            return;
        } else if (a.argc() < 3) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        Object e = Generic.lookupRead(c, a.bytes(2));
        if (e == null) {
            c.error("ERR no such key");
            return;
        }
        StreamValue s = Generic.as(c, e, StreamValue.class);
        if (Generic.failed(s)) return;
        RespWriter out = c.out();
        if (a.is(1, "CONSUMERS") && a.argc() == 4) {
            Group g = s.group(a.bytes(3));
            if (g == null) {
                c.error("NOGROUP No such consumer group '" + a.string(3) + "' for key name '" + a.string(2) + "'");
                return;
            }
            out.array(g.consumers.size());
            long now = System.currentTimeMillis();
            for (Consumer cs : g.consumers.values()) {
                out.map(3);
                out.bulk("name");
                out.bulk(cs.name);
                out.bulk("pending");
                out.integer(cs.pel.size());
                out.bulk("idle");
                out.integer(Math.max(0, now - cs.seenTime));
            }
        } else if (a.is(1, "GROUPS") && a.argc() == 3) {
            out.array(s.groups().size());
            for (Map.Entry<byte[], Group> ge : s.groups().entrySet()) {
                Group g = ge.getValue();
                out.map(6);
                out.bulk("name");
                out.bulk(ge.getKey());
                out.bulk("consumers");
                out.integer(g.consumers.size());
                out.bulk("pending");
                out.integer(g.pel.size());
                out.bulk("last-delivered-id");
                StreamCommands.id(out, g.lastId);
                entriesRead(out, g);
                lag(out, s, g);
            }
        } else if (a.is(1, "STREAM")) {
            stream(c, a, s);
        } else {
            CommandHelp.syntaxError(c, a);
        }
    }

    private static void entriesRead(RespWriter out, Group g) {
        out.bulk("entries-read");
        if (g.entriesRead != StreamValue.INVALID_ENTRIES_READ) out.integer(g.entriesRead);
        else out.nullBulk();
    }

    private static void lag(RespWriter out, StreamValue s, Group g) {
        out.bulk("lag");
        Long lag = s.lag(g);
        if (lag != null) out.integer(lag);
        else out.nullBulk();
    }

    private static void stream(Client c, RespRequest a, StreamValue s) {
        boolean full = true;
        long count = 10;
        int optc = a.argc() - 3;
        if (optc == 0) {
            full = false;
        } else {
            if (optc != 1 && optc != 3) {
                CommandHelp.syntaxError(c, a);
                return;
            }
            if (!a.is(3, "FULL")) {
                CommandHelp.syntaxError(c, a);
                return;
            }
            if (optc == 3) {
                if (!a.is(4, "COUNT")) {
                    CommandHelp.syntaxError(c, a);
                    return;
                }
                Long n = StreamCommands.longArg(c, a, 5, null);
                if (n == null) return;
                count = n < 0 ? 10 : n;
            }
        }
        RespWriter out = c.out();
        out.map(full ? 9 : 10);
        out.bulk("length");
        out.integer(s.length);
        out.bulk("radix-tree-keys");
        out.integer(s.nodeCount());
        out.bulk("radix-tree-nodes");
        out.integer(s.raxNodes());
        out.bulk("last-generated-id");
        StreamCommands.id(out, s.lastId);
        out.bulk("max-deleted-entry-id");
        StreamCommands.id(out, s.maxDeletedId);
        out.bulk("entries-added");
        out.integer(s.entriesAdded);
        out.bulk("recorded-first-entry-id");
        StreamCommands.id(out, s.firstId);
        if (!full) {
            out.bulk("groups");
            out.integer(s.groups().size());
            out.bulk("first-entry");
            edge(out, s, false);
            out.bulk("last-entry");
            edge(out, s, true);
            return;
        }
        out.bulk("entries");
        StreamCommands.replyRange(out, s, null, null, count, false);
        out.bulk("groups");
        out.array(s.groups().size());
        for (Map.Entry<byte[], Group> ge : s.groups().entrySet()) {
            Group g = ge.getValue();
            out.map(7);
            out.bulk("name");
            out.bulk(ge.getKey());
            out.bulk("last-delivered-id");
            StreamCommands.id(out, g.lastId);
            entriesRead(out, g);
            lag(out, s, g);
            out.bulk("pel-count");
            out.integer(g.pel.size());
            out.bulk("pending");
            long n = count == 0 ? g.pel.size() : Math.min(count, g.pel.size());
            out.array((int) n);
            int k = 0;
            for (Map.Entry<StreamID, Nack> pe : g.pel.entrySet()) {
                if (k++ == n) break;
                out.array(4);
                StreamCommands.id(out, pe.getKey());
                out.bulk(pe.getValue().consumer.name);
                out.integer(pe.getValue().deliveryTime);
                out.integer(pe.getValue().deliveryCount);
            }
            out.bulk("consumers");
            out.array(g.consumers.size());
            for (Consumer cs : g.consumers.values()) {
                out.map(4);
                out.bulk("name");
                out.bulk(cs.name);
                out.bulk("seen-time");
                out.integer(cs.seenTime);
                out.bulk("pel-count");
                out.integer(cs.pel.size());
                out.bulk("pending");
                long m = count == 0 ? cs.pel.size() : Math.min(count, cs.pel.size());
                out.array((int) m);
                int q = 0;
                for (Map.Entry<StreamID, Nack> pe : cs.pel.entrySet()) {
                    if (q++ == m) break;
                    out.array(3);
                    StreamCommands.id(out, pe.getKey());
                    out.integer(pe.getValue().deliveryTime);
                    out.integer(pe.getValue().deliveryCount);
                }
            }
        }
    }

    /** The first (or last) live entry as [id, fields] with no array around it, or a null. */
    private static void edge(RespWriter out, StreamValue s, boolean last) {
        StreamValue.Iter it = s.iterator(null, null, last);
        if (it.next()) StreamCommands.entry(out, it.id(), it.fields());
        else out.nullBulk();
    }
}
