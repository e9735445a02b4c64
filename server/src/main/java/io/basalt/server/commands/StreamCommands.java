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
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandTable;
import io.basalt.server.pubsub.KeyspaceEvents;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stream commands, following Redis 7.0's t_stream.c: the same order of argument parsing,
 * key lookup and checks (so the same error wins), the same reply shapes in RESP2 and RESP3, the
 * same keyspace events, and the same propagation: XADD with the id it generated and an
 * approximate trim made exact, XREADGROUP / XCLAIM / XAUTOCLAIM as the XCLAIM ... FORCE JUSTID
 * LASTID and XGROUP SETID / CREATECONSUMER records Redis's streamPropagate* functions emit.
 * Blocking XREAD / XREADGROUP park in {@link io.basalt.server.blocking.Blocking} like BLPOP.
 */
public final class StreamCommands {
    private StreamCommands() {}

    static void register(CommandTable t) {
        t.register("xadd", StreamCommands::xadd);
        t.register("xrange", (c, a) -> xrange(c, a, false));
        t.register("xrevrange", (c, a) -> xrange(c, a, true));
        t.register("xlen", StreamCommands::xlen);
        t.register("xdel", StreamCommands::xdel);
        t.register("xtrim", StreamCommands::xtrim);
        t.register("xsetid", StreamCommands::xsetid);
        t.register("xread", (c, a) -> StreamRead.xread(c, a, false));
        t.register("xreadgroup", (c, a) -> StreamRead.xread(c, a, true));
        for (String sub : new String[] {"create", "setid", "destroy", "createconsumer", "delconsumer", "help"}) {
            t.register("xgroup|" + sub, StreamCommands::xgroup);
        }
        t.register("xack", StreamCommands::xack);
        t.register("xpending", StreamGroups::xpending);
        t.register("xclaim", StreamGroups::xclaim);
        t.register("xautoclaim", StreamGroups::xautoclaim);
        for (String sub : new String[] {"stream", "groups", "consumers", "help"}) {
            t.register("xinfo|" + sub, StreamInfo::xinfo);
        }
    }

    static final String INVALID_ID = "ERR Invalid stream ID specified as stream command argument";

    // ---------------------------------------------------------------- ids

    /**
     * streamGenericParseIDOrReply on argument i: null after replying the invalid-id error.
     * {@code seqGiven} non-null accepts {@code <ms>-*}.
     */
    static StreamID id(Client c, RespRequest a, int i, long missingSeq, boolean strict, boolean[] seqGiven) {
        byte[] b = a.bytes(i);
        StreamID id = StreamID.parse(b, 0, b.length, missingSeq, strict, seqGiven);
        if (id == null && c != null) c.error(INVALID_ID);
        return id;
    }

    /** streamParseStrictIDOrReply without a missing sequence. */
    static StreamID strictId(Client c, RespRequest a, int i) { return id(c, a, i, 0, true, null); }

    /**
     * streamParseIntervalIDOrReply plus the exclusive bound's step (XRANGE, XPENDING, XAUTOCLAIM):
     * "(" makes the id exclusive, moved one up (start) or down (end). Null after replying.
     */
    static StreamID interval(Client c, RespRequest a, int i, boolean start) {
        byte[] b = a.bytes(i);
        boolean exclusive = b.length > 1 && b[0] == '(';
        StreamID id = exclusive
                ? StreamID.parse(b, 1, b.length - 1, start ? 0 : -1L, true, null)
                : StreamID.parse(b, 0, b.length, start ? 0 : -1L, false, null);
        if (id == null) {
            c.error(INVALID_ID);
            return null;
        }
        if (exclusive) {
            id = start ? id.next() : id.prev();
            if (id == null) {
                c.error(start ? "ERR invalid start ID for the interval" : "ERR invalid end ID for the interval");
                return null;
            }
        }
        return id;
    }

    static void id(RespWriter out, StreamID id) { out.bulk(id.bytes()); }

    /** One entry as streamReplyWithRange emits it: [id, [field, value, ...]]. */
    static void entry(RespWriter out, StreamID id, byte[][] fv) {
        out.array(2);
        id(out, id);
        out.array(fv.length);
        for (byte[] b : fv) out.bulk(b);
    }

    static byte[] b(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    /** Redis's getLongLongFromObjectOrReply with its optional message; null after replying. */
    static Long longArg(Client c, RespRequest a, int i, String message) {
        try {
            return Generic.parseLong(a, i);
        } catch (NumberFormatException e) {
            c.error(message != null ? "ERR " + message : Generic.NOT_INTEGER);
            return null;
        }
    }

    // ---------------------------------------------------------------- XADD / XTRIM

    /** streamAddTrimArgs. */
    private static final class TrimArgs {
        StreamID id;
        boolean idGiven;
        boolean seqGiven = true;
        boolean noMkStream;
        boolean approx;
        long limit;
        int strategyArgIdx;
        /** MAXLEN's count, or -1 for MINID / no strategy. */
        long maxlen = -1;
        StreamID minid;

        boolean any() { return maxlen >= 0 || minid != null; }
    }

    /** streamParseAddOrTrimArgsOrReply: the id's position (XADD), or -1 after replying. */
    private static int trimArgs(Client c, RespRequest a, TrimArgs t, boolean xadd) {
        int i = 2;
        boolean limitGiven = false;
        for (; i < a.argc(); i++) {
            int more = a.argc() - 1 - i;
            byte[] opt = a.bytes(i);
            if (xadd && opt.length == 1 && opt[0] == '*') {
                break;
            } else if ((a.is(i, "MAXLEN") || a.is(i, "MINID")) && more > 0) {
                boolean byLen = a.is(i, "MAXLEN");
                if (t.any()) {
                    c.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                    return -1;
                }
                t.approx = false;
                byte[] next = a.bytes(i + 1);
                if (more >= 2 && next.length == 1 && next[0] == '~') {
                    t.approx = true;
                    i++;
                } else if (more >= 2 && next.length == 1 && next[0] == '=') {
                    i++;
                }
                if (byLen) {
                    Long n = longArg(c, a, i + 1, null);
                    if (n == null) return -1;
                    if (n < 0) {
                        c.error("ERR The MAXLEN argument must be >= 0.");
                        return -1;
                    }
                    t.maxlen = n;
                } else {
                    StreamID id = strictId(c, a, i + 1);
                    if (id == null) return -1;
                    t.minid = id;
                }
                i++;
                t.strategyArgIdx = i;
            } else if (a.is(i, "LIMIT") && more > 0) {
                Long n = longArg(c, a, i + 1, null);
                if (n == null) return -1;
                if (n < 0) {
                    c.error("ERR The LIMIT argument must be >= 0.");
                    return -1;
                }
                t.limit = n;
                limitGiven = true;
                i++;
            } else if (xadd && a.is(i, "NOMKSTREAM")) {
                t.noMkStream = true;
            } else if (xadd) {
                boolean[] seqGiven = new boolean[1];
                StreamID id = id(c, a, i, 0, true, seqGiven);
                if (id == null) return -1;
                t.id = id;
                t.idGiven = true;
                t.seqGiven = seqGiven[0];
                break;
            } else {
                c.error(Generic.SYNTAX);
                return -1;
            }
        }
        if (t.limit != 0 && !t.any()) {
            c.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
            return -1;
        }
        if (!xadd && !t.any()) {
            c.error("ERR syntax error, XTRIM must be called with a trimming strategy");
            return -1;
        }
        if (c.kind().obeys()) {
            t.limit = 0; // the master's / the AOF's trim was made exact before it was propagated
        } else if (limitGiven) {
            if (!t.approx) {
                c.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
                return -1;
            }
        } else if (t.approx) {
            long nodeMax = Generic.limits(c).streamNodeMaxEntries;
            t.limit = 100 * nodeMax;
            if (t.limit <= 0) t.limit = 10000;
            if (t.limit > 1000000) t.limit = 1000000;
        } else {
            t.limit = 0;
        }
        return i;
    }

    private static long trim(StreamValue s, TrimArgs t) {
        return s.trim(t.maxlen, t.minid, t.approx, t.limit);
    }

    /**
     * streamRewriteApproxSpecifier + streamRewriteTrimArgument: an approximate trim propagates as
     * the exact one that leaves the same stream ({@code = <length>} or {@code = <first id>}).
     */
    private static void rewriteTrim(StreamValue s, TrimArgs t, byte[][] argv) {
        argv[t.strategyArgIdx - 1] = b("=");
        if (t.maxlen >= 0) {
            argv[t.strategyArgIdx] = b(Long.toString(s.length));
        } else {
            StreamID first = s.edgeId(true, false);
            argv[t.strategyArgIdx] = (first == null ? StreamID.MAX : first).bytes();
        }
    }

    private static byte[][] argv(RespRequest a) {
        byte[][] r = new byte[a.argc()][];
        for (int i = 0; i < r.length; i++) r[i] = a.bytes(i);
        return r;
    }

    private static void xadd(Client c, RespRequest a) {
        TrimArgs t = new TrimArgs();
        int idpos = trimArgs(c, a, t, true);
        if (idpos < 0) return;
        int fieldPos = idpos + 1;
        int nfv = a.argc() - fieldPos;
        if (nfv < 2 || nfv % 2 == 1) {
            c.error("ERR wrong number of arguments for 'xadd' command");
            return;
        }
        if (t.idGiven && t.seqGiven && t.id.isZero()) {
            c.error("ERR The ID specified in XADD must be greater than 0-0");
            return;
        }
        byte[] key = a.bytes(1);
        StreamValue s = Generic.write(c, key, StreamValue.class);
        if (Generic.failed(s)) return;
        if (s == null && t.noMkStream) {
            c.out().nullBulk();
            return;
        }
        boolean created = s == null;
        StreamID id;
        long deleted = 0;
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            if (created) s = ed.insert(new StreamValue(key));
            if (s.lastId.equals(StreamID.MAX)) {
                c.error("ERR The stream has exhausted the last possible ID, unable to add more items");
                return;
            }
            id = s.nextId(t.idGiven ? t.id : null, t.seqGiven, System.currentTimeMillis());
            if (id == null) {
                c.error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
                return;
            }
            byte[][] fv = new byte[nfv][];
            for (int i = 0; i < nfv; i++) fv[i] = a.bytes(fieldPos + i);
            s.append(id, fv, ed.limits());
            if (t.any()) deleted = trim(s, t);
        } finally {
            if (created) Generic.added(c, key);
        }
        id(c.out(), id);
        Generic.changed(c, KeyspaceEvents.STREAM, "xadd", key);
        c.dirty();
        if (deleted > 0) c.notifyKeyspaceEvent(KeyspaceEvents.STREAM, "xtrim", key);
        boolean rewriteId = !t.idGiven || !t.seqGiven;
        if (rewriteId || t.approx) {
            byte[][] argv = argv(a);
            if (t.approx) rewriteTrim(s, t, argv);
            if (rewriteId) argv[idpos] = id.bytes();
            c.propagate(argv);
        }
        // signalKeyAsReady: clients blocked in XREAD/XREADGROUP on this key may now be served
        c.server().dispatcher().blocking().keyAdded(c.db(), key);
    }

    private static void xtrim(Client c, RespRequest a) {
        TrimArgs t = new TrimArgs();
        if (trimArgs(c, a, t, false) < 0) return;
        byte[] key = a.bytes(1);
        StreamValue s = Generic.write(c, key, StreamValue.class);
        if (Generic.failed(s)) return;
        if (s == null) {
            c.out().integer(0);
            return;
        }
        long deleted;
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            deleted = trim(s, t);
        }
        if (deleted > 0) {
            c.notifyKeyspaceEvent(KeyspaceEvents.STREAM, "xtrim", key);
            if (t.approx) {
                byte[][] argv = argv(a);
                rewriteTrim(s, t, argv);
                c.propagate(argv);
            }
            c.signalModified(key);
            for (long i = 0; i < deleted; i++) c.dirty();
        }
        c.out().integer(deleted);
    }

    // ---------------------------------------------------------------- XRANGE / XLEN / XDEL / XSETID

    private static void xrange(Client c, RespRequest a, boolean rev) {
        StreamID start = interval(c, a, rev ? 3 : 2, true);
        if (start == null) return;
        StreamID end = interval(c, a, rev ? 2 : 3, false);
        if (end == null) return;
        long count = -1;
        for (int j = 4; j < a.argc(); j++) {
            if (a.is(j, "COUNT") && a.argc() - j - 1 >= 1) {
                Long n = longArg(c, a, j + 1, null);
                if (n == null) return;
                count = Math.max(0, n);
                j++;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        StreamValue s = Generic.read(c, a.bytes(1), StreamValue.class);
        if (Generic.failed(s)) return;
        if (s == null) {
            c.out().array(0);
            return;
        }
        if (count == 0) {
            c.out().nullArray();
            return;
        }
        replyRange(c.out(), s, start, end, count < 0 ? 0 : count, rev);
    }

    /** streamReplyWithRange without a group: the entries as an array; count 0 is no limit. */
    static int replyRange(RespWriter out, StreamValue s, StreamID start, StreamID end, long count, boolean rev) {
        List<StreamID> ids = new ArrayList<>();
        List<byte[][]> fvs = new ArrayList<>();
        StreamValue.Iter it = s.iterator(start, end, rev);
        while (it.next()) {
            ids.add(it.id());
            fvs.add(it.fields());
            if (count != 0 && ids.size() == count) break;
        }
        out.array(ids.size());
        for (int i = 0; i < ids.size(); i++) entry(out, ids.get(i), fvs.get(i));
        return ids.size();
    }

    private static void xlen(Client c, RespRequest a) {
        StreamValue s = Generic.read(c, a.bytes(1), StreamValue.class);
        if (Generic.failed(s)) return;
        c.out().integer(s == null ? 0 : s.length);
    }

    private static void xdel(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        StreamValue s = Generic.write(c, key, StreamValue.class);
        if (Generic.failed(s)) return;
        if (s == null) {
            c.out().integer(0);
            return;
        }
        StreamID[] ids = new StreamID[a.argc() - 2];
        for (int j = 2; j < a.argc(); j++) {
            if ((ids[j - 2] = strictId(c, a, j)) == null) return;
        }
        int deleted = 0;
        boolean first = false;
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            for (StreamID id : ids) {
                if (!s.delete(id)) continue;
                if (id.equals(s.firstId)) first = true;
                if (id.compareTo(s.maxDeletedId) > 0) s.maxDeletedId = id;
                deleted++;
            }
            if (deleted > 0) s.afterDeletes(first);
        }
        if (deleted > 0) {
            Generic.changed(c, KeyspaceEvents.STREAM, "xdel", key);
            for (int i = 0; i < deleted; i++) c.dirty();
        }
        c.out().integer(deleted);
    }

    private static void xsetid(Client c, RespRequest a) {
        StreamID id = strictId(c, a, 2);
        if (id == null) return;
        StreamID maxDeleted = StreamID.MIN;
        long entriesAdded = -1;
        for (int i = 3; i < a.argc(); i += 2) {
            int more = a.argc() - 1 - i;
            if (a.is(i, "ENTRIESADDED") && more > 0) {
                Long n = longArg(c, a, i + 1, null);
                if (n == null) return;
                if (n < 0) {
                    c.error("ERR entries_added must be positive");
                    return;
                }
                entriesAdded = n;
            } else if (a.is(i, "MAXDELETEDID") && more > 0) {
                StreamID m = strictId(c, a, i + 1);
                if (m == null) return;
                if (id.compareTo(m) < 0) {
                    c.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
                    return;
                }
                maxDeleted = m;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        byte[] key = a.bytes(1);
        StreamValue s = Generic.write(c, key, StreamValue.class);
        if (Generic.failed(s)) return;
        if (s == null) {
            c.error("ERR no such key");
            return;
        }
        if (s.length > 0) {
            if (id.compareTo(s.lastValidId()) < 0) {
                c.error("ERR The ID specified in XSETID is smaller than the target stream top item");
                return;
            }
            if (entriesAdded != -1 && s.length > entriesAdded) {
                c.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
                return;
            }
        }
        s.lastId = id;
        if (entriesAdded != -1) s.entriesAdded = entriesAdded;
        if (!maxDeleted.isZero()) s.maxDeletedId = maxDeleted;
        c.out().ok();
        c.dirty();
        c.notifyKeyspaceEvent(KeyspaceEvents.STREAM, "xsetid", key);
    }

    // ---------------------------------------------------------------- XGROUP / XACK

    private static void xgroup(Client c, RespRequest a) {
        String opt = a.lowerString(1);
        StreamValue s = null;
        byte[] key = null;
        byte[] groupName = null;
        Group cg = null;
        boolean mkstream = false;
        long entriesRead = StreamValue.INVALID_ENTRIES_READ;
        if (a.argc() >= 4) {
            boolean create = opt.equals("create"), setid = opt.equals("setid");
            for (int i = 5; i < a.argc(); ) {
                if (create && a.is(i, "MKSTREAM")) {
                    mkstream = true;
                    i++;
                } else if ((create || setid) && a.is(i, "ENTRIESREAD") && i + 1 < a.argc()) {
                    Long n = longArg(c, a, i + 1, null);
                    if (n == null) return;
                    if (n < 0 && n != StreamValue.INVALID_ENTRIES_READ) {
                        c.error("ERR value for ENTRIESREAD must be positive or -1");
                        return;
                    }
                    entriesRead = n;
                    i += 2;
                } else {
                    CommandHelp.syntaxError(c, a);
                    return;
                }
            }
            key = a.bytes(2);
            s = Generic.write(c, key, StreamValue.class);
            if (Generic.failed(s)) return;
            groupName = a.bytes(3);
        }
        if (a.argc() >= 4 && !mkstream) {
            if (s == null) {
                c.error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
                return;
            }
            if ((cg = s.group(groupName)) == null && (opt.equals("setid") || opt.equals("createconsumer") || opt.equals("delconsumer"))) {
                c.error("NOGROUP No such consumer group '" + a.string(3) + "' for key name '" + a.string(2) + "'");
                return;
            }
        }
        int argc = a.argc();
        if (argc == 2 && opt.equals("help")) {
            CommandHelp.reply(c, "XGROUP",
                    "CREATE <key> <groupname> <id|$> [option]",
                    "    Create a new consumer group. Options are:",
                    "    * MKSTREAM",
                    "      Create the empty stream if it does not exist.",
                    "    * ENTRIESREAD entries_read",
                    "      Set the group's entries_read counter (internal use).",
                    "CREATECONSUMER <key> <groupname> <consumer>",
                    "    Create a new consumer in the specified group.",
                    "DELCONSUMER <key> <groupname> <consumer>",
                    "    Remove the specified consumer.",
                    "DESTROY <key> <groupname>",
                    "    Remove the specified group.",
                    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                    "    Set the current group ID and entries_read counter.");
        } else if (opt.equals("create") && argc >= 5 && argc <= 8) {
            StreamID id;
            if (a.is(4, "$")) {
                id = s != null ? s.lastId : StreamID.MIN;
            } else if ((id = strictId(c, a, 4)) == null) {
                return;
            }
            boolean created = s == null;
            Group g;
            try (Shard.Edit ed = Generic.edit(c, key, s)) {
                if (created) s = ed.insert(new StreamValue(key));
                g = s.createGroup(groupName, id, entriesRead);
            }
            if (created) {
                Generic.added(c, key);
                c.signalModified(key);
            }
            if (g != null) {
                c.out().ok();
                c.dirty();
                c.notifyKeyspaceEvent(KeyspaceEvents.STREAM, "xgroup-create", key);
            } else {
                c.error("BUSYGROUP Consumer Group name already exists");
            }
        } else if (opt.equals("setid") && (argc == 5 || argc == 7)) {
            StreamID id;
            if (a.is(4, "$")) {
                id = s.lastId;
            } else if ((id = id(c, a, 4, 0, false, null)) == null) {
                return;
            }
            cg.lastId = id;
            cg.entriesRead = entriesRead;
            c.out().ok();
            c.dirty();
            c.notifyKeyspaceEvent(KeyspaceEvents.STREAM, "xgroup-setid", key);
        } else if (opt.equals("destroy") && argc == 4) {
            if (cg != null) {
                try (Shard.Edit ed = Generic.edit(c, key, s)) {
                    s.destroyGroup(groupName);
                }
                c.out().integer(1);
                c.dirty();
                c.notifyKeyspaceEvent(KeyspaceEvents.STREAM, "xgroup-destroy", key);
                // clients blocked in XREADGROUP on this group get -NOGROUP
                c.server().dispatcher().blocking().keyAdded(c.db(), key);
            } else {
                c.out().integer(0);
            }
        } else if (opt.equals("createconsumer") && argc == 5) {
            Consumer created;
            try (Shard.Edit ed = Generic.edit(c, key, s)) {
                created = createConsumer(c, key, cg, a.bytes(4));
            }
            c.out().integer(created != null ? 1 : 0);
        } else if (opt.equals("delconsumer") && argc == 5) {
            long pending = 0;
            Consumer consumer = cg.consumer(a.bytes(4));
            if (consumer != null) {
                pending = consumer.pel.size();
                try (Shard.Edit ed = Generic.edit(c, key, s)) {
                    cg.deleteConsumer(consumer);
                }
                c.dirty();
                c.notifyKeyspaceEvent(KeyspaceEvents.STREAM, "xgroup-delconsumer", key);
            }
            c.out().integer(pending);
        } else {
            CommandHelp.syntaxError(c, a);
        }
    }

    /**
     * streamCreateConsumer with its side effects (dirty, "xgroup-createconsumer"); null when it
     * exists. The caller holds an edit of the stream.
     */
    static Consumer createConsumer(Client c, byte[] key, Group g, byte[] name) {
        Consumer created = g.createConsumer(name, System.currentTimeMillis());
        if (created == null) return null;
        c.dirty();
        c.notifyKeyspaceEvent(KeyspaceEvents.STREAM, "xgroup-createconsumer", key);
        return created;
    }

    /** streamLookupConsumer (refreshing its seen time) or streamCreateConsumer. */
    static Consumer lookupOrCreate(Client c, byte[] key, Group g, byte[] name) {
        Consumer consumer = g.consumer(name);
        if (consumer != null) {
            consumer.seenTime = System.currentTimeMillis();
            return consumer;
        }
        return createConsumer(c, key, g, name);
    }

    private static void xack(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        StreamValue s = Generic.read(c, key, StreamValue.class);
        if (Generic.failed(s)) return;
        Group g = s == null ? null : s.group(a.bytes(2));
        if (g == null) {
            c.out().integer(0);
            return;
        }
        StreamID[] ids = new StreamID[a.argc() - 3];
        for (int j = 3; j < a.argc(); j++) {
            if ((ids[j - 3] = strictId(c, a, j)) == null) return;
        }
        int acked = 0;
        try (Shard.Edit ed = Generic.edit(c, key, s)) {
            for (StreamID id : ids) {
                if (g.ack(id)) {
                    acked++;
                    c.dirty();
                }
            }
        }
        c.out().integer(acked);
    }

    // ---------------------------------------------------------------- propagation

    /**
     * streamPropagateXCLAIM: XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE JUSTID
     * LASTID group-last-id, which recreates the pending entry on a replica or in the AOF.
     */
    static void propagateClaim(Client c, byte[] key, Group g, byte[] groupName, byte[] id, Nack nack) {
        c.propagate(b("XCLAIM"), key, groupName, nack.consumer.name, b("0"), id, b("TIME"),
                b(Long.toString(nack.deliveryTime)), b("RETRYCOUNT"), b(Long.toString(nack.deliveryCount)),
                b("FORCE"), b("JUSTID"), b("LASTID"), g.lastId.bytes());
    }

    /** streamPropagateGroupID: XGROUP SETID key group last-id ENTRIESREAD n. */
    static void propagateGroupId(Client c, byte[] key, Group g, byte[] groupName) {
        c.propagate(b("XGROUP"), b("SETID"), key, groupName, g.lastId.bytes(), b("ENTRIESREAD"), b(Long.toString(g.entriesRead)));
    }

    /** streamPropagateConsumerCreation: XGROUP CREATECONSUMER key group consumer. */
    static void propagateConsumer(Client c, byte[] key, byte[] groupName, byte[] consumer) {
        c.propagate(b("XGROUP"), b("CREATECONSUMER"), key, groupName, consumer);
    }

    /** Copies of an entry list, so a reply can be written after the group state changed. */
    record Served(StreamID id, byte[][] fields) {}

    static void writeEntries(RespWriter out, List<Served> entries) {
        out.array(entries.size());
        for (Served e : entries) {
            if (e.fields == null) {
                out.array(2);
                id(out, e.id);
                out.nullArray();
            } else {
                entry(out, e.id, e.fields);
            }
        }
    }

    static Map<byte[], Group> groups(StreamValue s) { return s.groups(); }
}
