package io.basalt.server.admin;

import io.basalt.data.Entries;
import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;
import io.basalt.server.util.Log;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * DEBUG, gated by enable-debug-command like Redis 7.0. The subcommands that make sense for
 * Basalt are implemented (SLEEP, SET-ACTIVE-EXPIRE, OBJECT, POPULATE, PROTOCOL, LOG, ERROR, RELOAD,
 * DIGEST, DIGEST-VALUE, HELP);
 * the others (crash, RDB reload, allocator tuning...) answer exactly as Redis answers an unknown
 * subcommand.
 */
public final class DebugCommand {
    private DebugCommand() {}

    static final String NOT_ALLOWED = "ERR DEBUG command not allowed. If the enable-debug-command option is set to "
            + "\"local\", you can run it from a local connection, otherwise you need to set this option in the "
            + "configuration file, and then restart the server.";

    /** Redis keeps small integers as shared objects; DEBUG OBJECT shows their refcount as INT_MAX. */
    static final long SHARED_INTEGERS = 10000;

    static void register(CommandTable t) {
        t.register("debug", DebugCommand::debug);
    }

    static void debug(Client c, RespRequest a) {
        if (!c.server().config().allowed("enable-debug-command", ConfigCommands.isLocal(c))) {
            c.error(NOT_ALLOWED);
            return;
        }
        String sub = a.string(1).toLowerCase(Locale.ROOT);
        int argc = a.argc();
        switch (sub) {
            case "help":
                if (argc == 2) {
                    help(c);
                    return;
                }
                break;
            case "sleep":
                if (argc == 3) {
                    sleep(c, a);
                    return;
                }
                break;
            case "set-active-expire":
                if (argc == 3) {
                    c.server().keyspace().activeExpireEnabled(atoi(a.string(2)) != 0);
                    c.out().ok();
                    return;
                }
                break;
            case "object":
                if (argc == 3) {
                    object(c, a);
                    return;
                }
                break;
            case "populate":
                if (argc >= 3 && argc <= 5) {
                    populate(c, a);
                    return;
                }
                break;
            case "protocol":
                if (argc == 3) {
                    protocol(c, a.string(2).toLowerCase(Locale.ROOT));
                    return;
                }
                break;
            case "log":
                if (argc == 3) {
                    Log.warning("DEBUG LOG: " + a.string(2));
                    c.out().ok();
                    return;
                }
                break;
            case "reload":
                reload(c, a);
                return;
            case "digest":
                if (argc == 2) {
                    digest(c);
                    return;
                }
                break;
            case "digest-value":
                digestValue(c, a);
                return;
            case "error":
                if (argc == 3) {
                    c.error(a.string(2));
                    return;
                }
                break;
            case "drop-cluster-packet-filter":
                if (argc == 3) {
                    Long type = io.basalt.server.commands.Generic.longArg(c, a, 2);
                    if (type == null) return;
                    // the cluster tests' way to cut one kind of bus message (-1: none)
                    if (c.server().cluster() != null) c.server().cluster().engine().dropPacketFilter((int) Math.max(-1, Math.min(Integer.MAX_VALUE, type)));
                    c.out().ok();
                    return;
                }
                break;
            case "clusterlink":
                if (argc == 5 && a.is(2, "KILL")) {
                    clusterLinkKill(c, a);
                    return;
                }
                break;
            default:
                break;
        }
        c.error("ERR unknown subcommand or wrong number of arguments for '" + a.string(1) + "'. Try DEBUG HELP.");
    }

    /** DEBUG CLUSTERLINK KILL to|from|all node-id: closes bus links, as a network fault would. */
    private static void clusterLinkKill(Client c, RespRequest a) {
        io.basalt.server.cluster.ClusterMode cluster = c.server().cluster();
        if (cluster == null) {
            c.error("ERR Debug option only available for cluster mode enabled setup!");
            return;
        }
        io.basalt.cluster.ClusterNode n = cluster.state().lookup(a.string(4));
        if (n == null) {
            c.error("ERR Unknown node " + a.string(4));
            return;
        }
        if (!cluster.engine().killLinks(n, a.string(3).toLowerCase(java.util.Locale.ROOT))) {
            // (redis-server also sends +OK after this error, leaving the connection one reply ahead)
            c.error("ERR Unknown direction " + a.string(3));
            return;
        }
        c.out().ok();
    }

    /**
     * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back, all under every shard lock
     * after the save so no client sees the keyspace half loaded.
     */
    private static void reload(Client c, RespRequest a) {
        boolean flush = true;
        boolean save = true;
        boolean merge = false;
        for (int j = 2; j < a.argc(); j++) {
            if (a.is(j, "MERGE")) merge = true;
            else if (a.is(j, "NOFLUSH")) flush = false;
            else if (a.is(j, "NOSAVE")) save = false;
            else {
                c.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                return;
            }
        }
        io.basalt.server.persist.Persistence p = c.server().persistence();
        if (save && !p.save()) {
            c.error("ERR");
            return;
        }
        io.basalt.data.Keyspace ks = c.server().keyspace();
        ks.lockAll();
        try {
            if (flush) {
                c.server().scripting().functions().clear();
                for (int db = 0; db < ks.databases(); db++) {
                    for (int s = 0; s < ks.shardCount(); s++) ks.shard(s).clear(db);
                }
            }
            if (!p.load(merge)) {
                c.error("ERR Error trying to load the RDB dump");
                return;
            }
        } catch (java.io.IOException | RuntimeException e) {
            Log.warning("Error loading the RDB dump in DEBUG RELOAD: " + e.getMessage());
            c.error("ERR Error trying to load the RDB dump");
            return;
        } finally {
            ks.unlockAll();
        }
        Log.warning("DB reloaded by DEBUG RELOAD");
        c.out().ok();
    }

    /** DEBUG DIGEST: the dataset's digest at one instant (every shard locked). */
    private static void digest(Client c) {
        io.basalt.data.Keyspace ks = c.server().keyspace();
        byte[] d;
        ks.lockAll();
        try {
            d = new DebugDigest().dataset(ks);
        } finally {
            ks.unlockAll();
        }
        c.out().simple(DebugDigest.hex(d));
    }

    /** DEBUG DIGEST-VALUE key ...: each key's digest, logically expired keys included (as Redis). */
    private static void digestValue(Client c, RespRequest a) {
        DebugDigest digest = new DebugDigest();
        c.out().array(a.argc() - 2);
        for (int j = 2; j < a.argc(); j++) {
            byte[] key = a.bytes(j);
            io.basalt.data.Shard s = c.server().keyspace().shardOf(key);
            byte[] d;
            s.lock();
            try {
                d = digest.key(s.peek(c.db(), key));
            } finally {
                s.unlock();
            }
            c.out().simple(DebugDigest.hex(d));
        }
    }

    /** C's atoi: leading whitespace, optional sign, digits; anything else ends the number. */
    static long atoi(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) neg = s.charAt(i++) == '-';
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && v < Integer.MAX_VALUE) v = v * 10 + (s.charAt(i++) - '0');
        return neg ? -v : v;
    }

    /** C's atof prefix parse: the longest leading decimal number, 0 if none. */
    static double atof(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?").matcher(s);
        return m.find() ? Double.parseDouble(m.group().trim()) : 0;
    }

    /** DEBUG SLEEP seconds: blocks this connection's event loop, as Redis blocks its main thread. */
    private static void sleep(Client c, RespRequest a) {
        double secs = atof(a.string(2));
        long nanos = (long) (secs * 1e9);
        if (nanos > 0) {
            try {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        c.out().ok();
    }

    /** DEBUG OBJECT key: "Value at:0x... refcount:1 encoding:embstr serializedlength:N lru:N lru_seconds_idle:N". */
    private static void object(Client c, RespRequest a) {
        byte[] key = a.bytes(2);
        Shard s = c.server().keyspace().shardOf(key);
        String reply;
        s.lock();
        try {
            Object e = s.get(c.db(), key, System.currentTimeMillis());
            if (e == null) {
                c.error("ERR no such key");
                return;
            }
            String enc = Entries.encodingName(e);
            long refcount = 1;
            long serialized;
            if (e instanceof byte[] r) {
                byte[] v = StringRecord.value(r);
                if (StringRecord.encoding(r) == StringRecord.ENC_INT) {
                    long n = Long.parseLong(new String(v, StandardCharsets.US_ASCII));
                    if (n >= 0 && n < SHARED_INTEGERS) refcount = Integer.MAX_VALUE;
                    serialized = serializedInt(n, v.length);
                } else {
                    serialized = lengthPrefix(v.length) + v.length;
                }
            } else {
                serialized = Entries.memoryUsage(e);
            }
            int lru = Entries.clock(e);
            long idle = ((Generic.lruClock() - lru) & 0xffffff);
            reply = "Value at:0x" + Long.toHexString(0x7f0000000000L | (System.identityHashCode(e) & 0xffffffffL) << 4)
                    + " refcount:" + refcount + " encoding:" + enc + " serializedlength:" + serialized
                    + " lru:" + lru + " lru_seconds_idle:" + idle;
        } finally {
            s.unlock();
        }
        c.out().simple(reply);
    }

    /** RDB length of an integer-encoded string: 8/16/32-bit int encodings, else the decimal text. */
    private static long serializedInt(long n, int textLen) {
        if (n >= Byte.MIN_VALUE && n <= Byte.MAX_VALUE) return 2;
        if (n >= Short.MIN_VALUE && n <= Short.MAX_VALUE) return 3;
        if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) return 5;
        return lengthPrefix(textLen) + textLen;
    }

    private static int lengthPrefix(long len) {
        if (len < 64) return 1;
        if (len < 16384) return 2;
        if (len <= 0xffffffffL) return 5;
        return 9;
    }

    /** DEBUG POPULATE count [prefix] [size]: string keys prefix:N = "value:N", existing keys kept. */
    private static void populate(Client c, RespRequest a) {
        long count;
        try {
            count = Generic.parseLong(a, 2);
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 0) {
            c.error("ERR value is out of range, must be positive");
            return;
        }
        String prefix = a.argc() >= 4 ? a.string(3) : "key";
        long size = 0;
        if (a.argc() == 5) {
            try {
                size = Generic.parseLong(a, 4);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 0) {
                c.error("ERR value is out of range, must be positive");
                return;
            }
        }
        for (long j = 0; j < count; j++) {
            byte[] key = (prefix + ":" + j).getBytes(StandardCharsets.UTF_8);
            byte[] text = ("value:" + j).getBytes(StandardCharsets.US_ASCII);
            byte[] value = text;
            if (size > 0) {
                value = new byte[(int) Math.min(size, Integer.MAX_VALUE - 64)];
                System.arraycopy(text, 0, value, 0, Math.min(value.length, text.length));
            }
            Shard s = c.server().keyspace().shardOf(key);
            s.lock();
            try {
                if (s.get(c.db(), key, System.currentTimeMillis()) != null) continue;
                // the clock is stamped by Shard.put: LRU seconds, or LFU_INIT_VAL under LFU
                byte[] r = StringRecord.create(key, value, -1, StringRecord.encodingFor(value, 0, value.length));
                s.put(c.db(), key, r);
                // Redis's dbAdd ("new") and signalModifiedKey
                Generic.added(c, key);
                c.signalModified(key);
            } finally {
                s.unlock();
            }
        }
        c.out().ok();
    }

    /** DEBUG PROTOCOL type: one reply of each RESP type, for client tests. */
    private static void protocol(Client c, String type) {
        switch (type) {
            case "string": c.out().bulk("Hello World"); break;
            case "integer": c.out().integer(12345); break;
            case "double": c.out().dbl(3.141); break;
            case "bignum": c.out().bigNumber("1234567999999999999999999999999999999"); break;
            case "null": c.out().nullBulk(); break;
            case "array":
                c.out().array(3);
                for (int i = 0; i < 3; i++) c.out().integer(i);
                break;
            case "set":
                c.out().set(3);
                for (int i = 0; i < 3; i++) c.out().integer(i);
                break;
            case "map":
                c.out().map(3);
                for (int i = 0; i < 3; i++) {
                    c.out().integer(i);
                    c.out().bool(i == 1);
                }
                break;
            case "attrib":
                if (c.resp3()) {
                    c.out().attribute(1);
                    c.out().bulk("key-popularity");
                    c.out().array(2);
                    c.out().bulk("key:123");
                    c.out().integer(90);
                }
                c.out().bulk("Some real reply following the attribute");
                break;
            case "push":
                if (!c.resp3()) {
                    c.error("ERR RESP2 is not supported by this command");
                    return;
                }
                c.out().push(2);
                c.out().bulk("server-cpu-usage");
                c.out().integer(42);
                c.out().bulk("Some real reply following the push reply");
                break;
            case "true": c.out().bool(true); break;
            case "false": c.out().bool(false); break;
            case "verbatim":
                c.out().verbatim("txt", "This is a verbatim\nstring".getBytes(StandardCharsets.US_ASCII));
                break;
            default:
                c.error("ERR Wrong protocol type name. Please use one of the following: "
                        + "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
        }
    }

    private static void help(Client c) {
        CommandHelp.reply(c, "DEBUG", HELP);
    }

    /** Redis 7.0's DEBUG HELP text, verbatim (it documents the whole command, as Redis does). */
    static final String[] HELP = {
        "AOF-FLUSH-SLEEP <microsec>",
        "    Server will sleep before flushing the AOF, this is used for testing.",
        "ASSERT",
        "    Crash by assertion failed.",
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "CONFIG-REWRITE-FORCE-ALL",
        "    Like CONFIG REWRITE but writes all configuration options, including",
        "    keywords not listed in original configuration file or default values.",
        "CRASH-AND-RECOVER [<milliseconds>]",
        "    Hard crash and restart after a <milliseconds> delay (default 0).",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LEAK <string>",
        "    Create a memory leak of the input string.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "HTSTATS <dbid>",
        "    Return hash table statistics of the specified Redis database.",
        "HTSTATS-KEY <key>",
        "    Like HTSTATS but for the hash table stored at <key>'s value.",
        "LOADAOF",
        "    Flush the AOF buffers on disk and reload the AOF in memory.",
        "REPLICATE <string>",
        "    Replicates the provided string to replicas, allowing data divergence.",
        "MALLCTL <key> [<val>]",
        "    Get or set a malloc tuning integer.",
        "MALLCTL-STR <key> [<val>]",
        "    Get or set a malloc tuning string.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "DROP-CLUSTER-PACKET-FILTER <packet-type>",
        "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
        "OOM",
        "    Crash the server simulating an out-of-memory error.",
        "PANIC",
        "    Crash the server simulating a panic.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix. These are not propagated to",
        "    replicas. Cluster slots are not respected so keys not belonging to the",
        "    current node can be created in cluster mode.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: conflicting keys will be loaded from RDB.",
        "    * NOFLUSH: the existing database will not be removed before load, but",
        "      conflicting keys will generate an exception and kill the server.",
        "    * NOSAVE: the database will be loaded from an existing RDB file.",
        "    Examples:",
        "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
        "      the database.",
        "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
        "      existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
        "      file to the database.",
        "RESTART [<milliseconds>]",
        "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
        "SDSLEN <key>",
        "    Show low level SDS string info representing `key` and value.",
        "SEGFAULT",
        "    Crash the server with sigsegv.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
        "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "STRINGMATCH-TEST",
        "    Run a fuzz tester against the stringmatchlen() function.",
        "STRUCTSIZE",
        "    Return the size of different Redis core C structures.",
        "LISTPACK <key>",
        "    Show low level info about the listpack encoding of <key>.",
        "QUICKLIST <key> [<0|1>]",
        "    Show low level info about the quicklist encoding of <key>.",
        "    The optional argument (0 by default) sets the level of detail",
        "CLIENT-EVICTION",
        "    Show low level client eviction pools info (maxmemory-clients).",
        "PAUSE-CRON <0|1>",
        "    Stop periodic cron job processing.",
        "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
        "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
        "    In case NEVER is provided the last observed peak will never be reset",
        "    In case RESET is provided the peak reset time will be restored to the default value",
        "REPLYBUFFER RESIZING <0|1>",
        "    Enable or disable the reply buffer resize cron job",
        "CLUSTERLINK KILL <to|from|all> <node-id>",
        "    Kills the link based on the direction to/from (both) with the provided node.",
    };
}
