package io.basalt.compat.replication;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real redis-server 7.0 replicating from Basalt with Redis's own protocol: full sync (diskless
 * and disk-based), the live stream, and a partial resync after the link drops, under a
 * randomized workload of every type with TTLs, MULTI/EXEC, several databases and commands whose
 * effect Basalt rewrites (SPOP, INCRBYFLOAT, SET EX). The keyspaces are compared whole after
 * every phase, and the offsets must agree byte for byte.
 */
class ReplicationTest {
    private static final int DBS = 3;

    @Test
    void redisReplicatesFromBasaltDiskless() throws Exception {
        replicate("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0");
    }

    @Test
    void redisReplicatesFromBasaltDiskBased() throws Exception {
        replicate("--repl-diskless-sync", "no");
    }

    /**
     * Outside cluster mode Redis sends PUBLISH and SPUBLISH to its replicas (PROPAGATE_REPL, not
     * the AOF), so a replica's subscribers get what is published on the master: here a
     * redis-server replica's, and the AOF holds no PUBLISH.
     */
    @Test
    void publishReachesTheReplicasSubscribersNotTheAof() throws Exception {
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes");
        RedisServerProcess replica = null;
        try (RawClient m = new RawClient(basalt.port())) {
            replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(basalt.port()));
            try (RawClient r = new RawClient(replica.port()); RawClient sub = new RawClient(replica.port())) {
                awaitInSync(m, r);
                sub.call("SUBSCRIBE", "news");
                sub.call("SSUBSCRIBE", "shard-news");
                assertEquals(0, m.call("PUBLISH", "news", "hello").number());
                assertEquals(0, m.call("SPUBLISH", "shard-news", "sharded").number());
                m.call("MULTI");
                m.call("SET", "k", "v");
                m.call("PUBLISH", "news", "in-exec");
                m.call("EXEC");
                m.call("EVAL", "redis.call('publish', 'news', 'from-script') return 1", "0");
                assertEquals(push("message", "news", "hello"), sub.read().rawString());
                assertEquals(push("smessage", "shard-news", "sharded"), sub.read().rawString());
                assertEquals(push("message", "news", "in-exec"), sub.read().rawString());
                assertEquals(push("message", "news", "from-script"), sub.read().rawString());
                awaitInSync(m, r);
                assertEquals("v", r.call("GET", "k").string());
            }
            String dir = m.call("CONFIG", "GET", "dir").get(1).string();
            String aofDir = m.call("CONFIG", "GET", "appenddirname").get(1).string();
            StringBuilder aof = new StringBuilder();
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir, aofDir))) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    aof.append(java.nio.file.Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
            assertTrue(aof.toString().contains("\r\nSET\r\n"), aof.toString());
            assertTrue(!aof.toString().toUpperCase().contains("PUBLISH"), aof.toString());
        } finally {
            if (replica != null) replica.stop();
            basalt.stop();
        }
    }

    private static String push(String... parts) {
        StringBuilder b = new StringBuilder("*" + parts.length + "\r\n");
        for (String p : parts) b.append('$').append(p.length()).append("\r\n").append(p).append("\r\n");
        return b.toString();
    }

    private void replicate(String... masterArgs) throws Exception {
        BasaltInstance basalt = BasaltInstance.start(masterArgs);
        RedisServerProcess replica = null;
        try (RawClient m = new RawClient(basalt.port())) {
            Workload w = new Workload(new Random(7));
            w.run(m, 1500);
            replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(basalt.port()));
            try (RawClient r = new RawClient(replica.port())) {
                awaitInSync(m, r);
                assertEquals(dump(m), dump(r), "after the full sync");
                w.run(m, 1500);
                awaitInSync(m, r);
                assertEquals(dump(m), dump(r), "after streaming");

                // the link drops: the replica continues from the backlog
                assertEquals(1, r.call("CLIENT", "KILL", "TYPE", "master").number());
                w.run(m, 300);
                awaitInSync(m, r);
                assertEquals(dump(m), dump(r), "after a partial resync");
                String stats = m.call("INFO", "stats").string();
                assertTrue(stats.contains("sync_full:1\r\n"), stats);
                assertTrue(stats.contains("sync_partial_ok:1\r\n"), stats);
                String info = m.call("INFO", "replication").string();
                assertTrue(info.contains("connected_slaves:1\r\n") && info.contains(",state=online,"), info);
            }
        } finally {
            if (replica != null) replica.stop();
            basalt.stop();
        }
    }

    /**
     * Waits until the replica's link is up and its processed offset equals the master's, and
     * the workload's 1 ms keys are logically expired on both sides (a replica hides them by its
     * own clock until the master's DEL arrives).
     */
    static void awaitInSync(RawClient m, RawClient r) throws InterruptedException {
        Thread.sleep(10);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            String mi = m.call("INFO", "replication").string();
            String ri = r.call("INFO", "replication").string();
            last = ri;
            if (ri.contains("master_link_status:up") && field(ri, "slave_repl_offset") == field(mi, "master_repl_offset")) return;
            Thread.sleep(20);
        }
        fail("replica not in sync: " + last + "\nmaster: " + m.call("INFO", "replication").string());
    }

    static long field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1));
        }
        return -1;
    }

    /** Every key of every database: its type, value (sorted where unordered) and whether it has a TTL. */
    static TreeMap<String, String> dump(RawClient c) {
        TreeMap<String, String> all = new TreeMap<>();
        for (int db = 0; db < DBS; db++) {
            c.call("SELECT", Integer.toString(db));
            for (RespValue k : c.call("KEYS", "*").elements()) {
                String key = k.string();
                String type = c.call("TYPE", key).string();
                if (type.equals("none")) continue; // expired between KEYS and TYPE
                String value = switch (type) {
                    case "string" -> c.call("GET", key).string();
                    case "list" -> strings(c.call("LRANGE", key, "0", "-1")).toString();
                    case "set" -> sorted(strings(c.call("SMEMBERS", key))).toString();
                    case "hash" -> sorted(strings(c.call("HGETALL", key))).toString();
                    case "zset" -> strings(c.call("ZRANGE", key, "0", "-1", "WITHSCORES")).toString();
                    default -> "?";
                };
                long pttl = c.call("PTTL", key).number();
                all.put(db + ":" + key, type + " " + value + (pttl > 0 ? " ttl" : ""));
            }
        }
        c.call("SELECT", "0");
        return all;
    }

    private static List<String> strings(RespValue v) {
        List<String> l = new ArrayList<>();
        for (RespValue e : v.elements()) l.add(e.string());
        return l;
    }

    private static List<String> sorted(List<String> l) {
        List<String> s = new ArrayList<>(l);
        s.sort(null);
        return s;
    }

    /** Random writes over a small key space (so types collide and collections grow and empty). */
    static final class Workload {
        private final Random rnd;

        Workload(Random rnd) {
            this.rnd = rnd;
        }

        void run(RawClient c, int n) {
            for (int i = 0; i < n; i++) {
                if (rnd.nextInt(40) == 0) {
                    c.call("SELECT", Integer.toString(rnd.nextInt(DBS)));
                    continue;
                }
                if (rnd.nextInt(30) == 0) {
                    c.call("MULTI");
                    int k = 1 + rnd.nextInt(4);
                    for (int j = 0; j < k; j++) c.call(command());
                    c.call("EXEC");
                    continue;
                }
                c.call(command());
            }
            c.call("SELECT", "0");
        }

        private String key(String prefix) { return prefix + rnd.nextInt(12); }

        private String val() { return Integer.toString(rnd.nextInt(1000)); }

        private String[] command() {
            switch (rnd.nextInt(22)) {
                case 0: return new String[] {"SET", key("s"), val()};
                case 1: return new String[] {"SET", key("s"), val(), "EX", "1000"};
                case 2: return new String[] {"INCR", key("n")};
                case 3: return new String[] {"INCRBYFLOAT", key("f"), "1.5"};
                case 4: return new String[] {"APPEND", key("s"), "x"};
                case 5: return new String[] {"DEL", key("s"), key("l")};
                case 6: return new String[] {"EXPIRE", key("h"), "1000"};
                case 7: return new String[] {"RPUSH", key("l"), val(), val()};
                case 8: return new String[] {"LPOP", key("l")};
                case 9: return new String[] {"LPUSH", key("l"), val()};
                case 10: return new String[] {"HSET", key("h"), "f" + rnd.nextInt(5), val()};
                case 11: return new String[] {"HDEL", key("h"), "f" + rnd.nextInt(5)};
                case 12: return new String[] {"SADD", key("t"), val(), val()};
                case 13: return new String[] {"SPOP", key("t")};
                case 14: return new String[] {"SREM", key("t"), val()};
                case 15: return new String[] {"ZADD", key("z"), Integer.toString(rnd.nextInt(50)), "m" + rnd.nextInt(8)};
                case 16: return new String[] {"ZINCRBY", key("z"), "2.5", "m" + rnd.nextInt(8)};
                case 17: return new String[] {"ZPOPMIN", key("z")};
                case 18: return new String[] {"PERSIST", key("s")};
                case 19: return new String[] {"RENAME", key("s"), key("s")};
                case 20: return new String[] {"SET", key("x"), val(), "PX", "1"}; // expires: a DEL in the stream
                default: return new String[] {"GETDEL", key("s")};
            }
        }
    }
}
