package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ACL differential tests: every ACL subcommand, rules and their errors, the GETUSER and LIST
 * descriptions (RESP2 and RESP3), the ACL LOG entries, AUTH / HELLO AUTH as ACL users, NOPERM at
 * the top level, in MULTI (queue time and EXEC) and in EVAL, channel permissions, and the
 * connections closed when a user is deleted or loses channels. Each side is a private server
 * (the tests change users), and every test starts from a reset ACL.
 *
 * <p>Redis orders the single commands at the end of a description ("+@all -get -set") by its
 * command hash table, which is seeded randomly per process: those runs are compared as sets,
 * everything else byte for byte.
 */
class AclTest {
    private static RedisServerProcess redis;
    private static BasaltInstance basalt;
    private static RawClient r;
    private static RawClient b;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        basalt = BasaltInstance.start();
        r = new RawClient(redis.port());
        b = new RawClient(basalt.port());
    }

    @AfterAll
    static void stop() {
        r.close();
        b.close();
        redis.stop();
        basalt.stop();
    }

    @BeforeEach
    void resetAcl() {
        for (RawClient c : new RawClient[] {r, b}) {
            RespValue users = c.call("ACL", "USERS");
            for (RespValue u : users.elements()) if (!u.string().equals("default")) c.call("ACL", "DELUSER", u.string());
            c.call("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all");
            c.call("ACL", "LOG", "RESET");
        }
    }

    /**
     * The reply's bytes with each run of single-command rules ("+get -set +config|get") sorted,
     * the one part whose order Redis leaves to its hash table.
     */
    static String normalized(RespValue v) {
        StringBuilder out = new StringBuilder();
        for (String line : v.rawString().split("\r\n", -1)) {
            String[] tokens = line.split(" ", -1);
            List<String> result = new ArrayList<>();
            List<String> run = new ArrayList<>();
            for (String t : tokens) {
                boolean single = (t.startsWith("+") || t.startsWith("-")) && !t.startsWith("+@") && !t.startsWith("-@")
                        && t.length() > 1;
                if (single && tokens.length > 1) {
                    run.add(t);
                    continue;
                }
                Collections.sort(run);
                result.addAll(run);
                run.clear();
                result.add(t);
            }
            Collections.sort(run);
            result.addAll(run);
            out.append(String.join(" ", result)).append("\r\n");
        }
        return out.toString();
    }

    private static RespValue same(String... cmd) {
        return same(r, b, cmd);
    }

    private static RespValue same(RawClient rc, RawClient bc, String... cmd) {
        RespValue rv = rc.call(cmd);
        RespValue bv = bc.call(cmd);
        if (cmd[0].equalsIgnoreCase("HELLO") && !rv.isError()) {
            // the connection id differs by nature: the protocol it switched to must not
            assertEquals(rv.field("proto").number(), bv.field("proto").number(), () -> "reply to " + String.join(" ", cmd));
            return bv;
        }
        assertEquals(normalized(rv), normalized(bv), () -> "reply to " + String.join(" ", cmd));
        return bv;
    }

    /** The ACL LOG entries without the fields that differ by nature (age, client-info). */
    private static List<String> logEntries(RawClient c, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("ACL", "LOG"));
        cmd.addAll(List.of(extra));
        RespValue v = c.call(cmd.toArray(new String[0]));
        List<String> out = new ArrayList<>();
        for (RespValue e : v.elements()) {
            StringBuilder s = new StringBuilder();
            assertEquals(14, e.size(), "seven fields per entry");
            for (int i = 0; i < e.size(); i += 2) {
                String k = e.get(i).string();
                s.append(k).append('=');
                if (k.equals("age-seconds")) {
                    assertTrue(Double.parseDouble(e.get(i + 1).string()) >= 0);
                } else if (k.equals("client-info")) {
                    assertTrue(e.get(i + 1).string().startsWith("id="), e.get(i + 1).string());
                    String info = e.get(i + 1).string();
                    s.append(info.substring(info.indexOf(" user=")).split(" ")[1]);
                } else {
                    s.append(e.get(i + 1).rawString());
                }
                s.append(' ');
            }
            out.add(s.toString());
        }
        return out;
    }

    @Test
    void setUserRulesAndDescriptions() {
        String[][] setusers = {
                {"u1", "on", ">p1", ">p2", "<p2", "~k*", "%R~r*", "%W~w*", "%RW~rw*", "+@read", "-get", "&ch*", "&ch*"},
                {"u2", "+@all", "-@dangerous", "+config|get", "-get", "+@bitmap"},
                {"u3", "reset", "+@hash", "+get", "(~x* +set)", "(", "~y", "+@list", ")", "(%R~z &zz)"},
                {"u4", "+config|get", "+select|0", "-@all", "+@set", "+client|list", "+debug|x", "+select|1"},
                {"u5", "-@all", "+@read", "+@write", "-@keyspace", "allchannels", "allkeys"},
                {"u6", "on", "nopass", "skip-sanitize-payload", "~a", "~a", "%R~a", "resetkeys", "%W~b"},
                {"u7", "#" + "a".repeat(64), "!" + "a".repeat(64), ">x", "resetpass", "nocommands", "allcommands", "-@scripting"},
                {"u8", "(+get ~a)", "clearselectors", "+@all", "-@all", "+select|0", "+select", "-client", "+client|id"},
                {"u9", "sanitize-payload", "off", "on", "resetchannels", "&a", "&b", "resetkeys", "~*"},
                {"u1", "reset", "on"},
                // errors: nothing of the rule list is applied
                {"e1", "~a", "~*", "~b"},
                {"e1", "&*", "&b"},
                {"e1", "+nope"},
                {"e1", "+@nope"},
                {"e1", "-nope|x"},
                {"e1", "bad"},
                {"e1", "<nopass"},
                {"e1", "!" + "b".repeat(64)},
                {"e1", "#abc"},
                {"e1", "#" + "A".repeat(64)},
                {"e1", "+config|get|x"},
                {"e1", "+get|"},
                {"e1", "(~x", "+get"},
                {"e1", "(~x +nope)"},
                {"e1", "%X~k"},
                {"e1", "%RR~k"},
                {"e1", "~a b"},
                {"e1", "+select|0", "+config|nope"},
                {"a b"},
                {"u2", ">new", "+nope"},
        };
        for (String[] s : setusers) {
            String[] cmd = new String[s.length + 2];
            cmd[0] = "ACL";
            cmd[1] = "SETUSER";
            System.arraycopy(s, 0, cmd, 2, s.length);
            same(cmd);
        }
        same("ACL", "LIST");
        same("ACL", "USERS");
        for (String u : new String[] {"default", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "e1", "nobody"}) {
            same("ACL", "GETUSER", u);
        }
        try (RawClient r3 = new RawClient(redis.port()); RawClient b3 = new RawClient(basalt.port())) {
            r3.call("HELLO", "3");
            b3.call("HELLO", "3");
            for (String u : new String[] {"default", "u1", "u3", "u6", "nobody"}) same(r3, b3, "ACL", "GETUSER", u);
            same(r3, b3, "ACL", "LOG");
        }
        same("ACL", "DELUSER", "u1", "nobody", "u2");
        same("ACL", "DELUSER", "u3", "default");
        same("ACL", "USERS");
    }

    @Test
    void subcommandsAndTheirErrors() {
        same("ACL", "SETUSER", "x", "on", ">p", "~k*", "&c*", "+@all", "-flushall");
        same("ACL", "WHOAMI");
        same("ACL", "CAT");
        same("ACL", "CAT", "nosuch");
        same("ACL", "CAT", "a", "b");
        for (String cat : new String[] {"hash", "keyspace", "dangerous", "scripting", "STRING"}) {
            List<String> rc = strings(r.call("ACL", "CAT", cat));
            List<String> bc = strings(b.call("ACL", "CAT", cat));
            Collections.sort(rc);
            Collections.sort(bc);
            assertEquals(rc, bc, "ACL CAT " + cat);
        }
        same("ACL", "GENPASS", "0");
        same("ACL", "GENPASS", "4097");
        same("ACL", "GENPASS", "x");
        same("ACL", "GENPASS", "1", "2");
        assertEquals(64, b.call("ACL", "GENPASS").string().length());
        assertEquals(2, b.call("ACL", "GENPASS", "5").string().length());
        assertTrue(b.call("ACL", "GENPASS", "4096").string().matches("[0-9a-f]{1024}"));
        same("ACL", "LOG", "x");
        same("ACL", "LOG", "1", "2");
        same("ACL", "LOG", "-5");
        same("ACL", "LOAD");
        same("ACL", "SAVE");
        same("ACL", "HELP");
        same("ACL");
        same("ACL", "NOSUCH");
        same("ACL", "GETUSER");
        same("ACL", "LIST", "x");
        same("ACL", "DELUSER");
        same("ACL", "SETUSER");
        same("ACL", "DRYRUN", "x");
        // DRYRUN
        same("ACL", "SETUSER", "d", "on", "nopass", "+@all", "-flushall", "%R~r*", "%W~w*", "~k*", "&c*", "+select|0", "-select");
        String[][] dry = {
                {"nobody", "get", "k"}, {"d", "nosuch"}, {"d", "get"}, {"d", "get", "k1"}, {"d", "get", "r1"}, {"d", "get", "w1"},
                {"d", "set", "w1", "v"}, {"d", "set", "w1", "v", "get"}, {"d", "set", "r1", "v"}, {"d", "copy", "r1", "w1"},
                {"d", "copy", "w1", "r1"}, {"d", "lmove", "r1", "w1", "left", "right"}, {"d", "sort", "r1", "store", "w1"},
                {"d", "bitfield", "r1", "get", "u8", "0"}, {"d", "bitfield", "r1", "set", "u8", "0", "1"},
                {"d", "eval", "return 1", "2", "k1", "zz"}, {"d", "mset", "k1", "v", "w2", "v", "r3", "v"},
                {"d", "flushall"}, {"d", "publish", "c1", "m"}, {"d", "publish", "x", "m"}, {"d", "subscribe", "c1", "c2", "d"},
                {"d", "psubscribe", "c*"}, {"d", "psubscribe", "c1"}, {"d", "unsubscribe", "x"}, {"d", "select", "0"},
                {"d", "select", "1"}, {"d", "config", "get", "x"}, {"d", "config", "nosuch"}, {"d", "xread", "streams", "k1", "r1", "0", "0"},
                {"d", "georadius", "k1", "0", "0", "1", "km", "store", "r1"}, {"d", "object", "encoding", "zz"},
        };
        for (String[] d : dry) {
            String[] cmd = new String[d.length + 2];
            cmd[0] = "ACL";
            cmd[1] = "DRYRUN";
            System.arraycopy(d, 0, cmd, 2, d.length);
            same(cmd);
        }
    }

    private static List<String> strings(RespValue v) {
        List<String> out = new ArrayList<>();
        for (RespValue e : v.elements()) out.add(e.string());
        return out;
    }

    /** Runs the same commands on a fresh connection to each server, comparing every reply. */
    private static void session(String[]... cmds) {
        try (RawClient rc = new RawClient(redis.port()); RawClient bc = new RawClient(basalt.port())) {
            for (String[] c : cmds) same(rc, bc, c);
        }
    }

    private static String[] c(String... a) { return a; }

    @Test
    void nopermAtTopLevelInMultiAndInScripts() {
        same("ACL", "SETUSER", "alice", "on", ">pw", "~k*", "&ch*", "+@all", "-flushall", "-debug");
        same("FUNCTION", "LOAD", "REPLACE", "#!lua name=acllib\n"
                + "redis.register_function('g', function(keys, args) return redis.call('get', keys[1]) end)\n"
                + "redis.register_function('f', function(keys, args) return redis.call('flushall') end)");
        session(c("AUTH", "alice", "pw"), c("FCALL", "g", "1", "k1"), c("FCALL", "g", "1", "z1"), c("FCALL", "f", "0"),
                c("FCALL_RO", "g", "1", "k1"));
        session(c("AUTH", "alice", "pw"), c("ACL", "WHOAMI"), c("GET", "k1"), c("GET", "z1"), c("MGET", "k1", "z2", "z3"),
                c("FLUSHALL"), c("CONFIG", "GET", "maxmemory"), c("PUBLISH", "zz", "m"), c("PUBLISH", "ch1", "m"),
                c("SUBSCRIBE", "ch1", "zz"), c("PSUBSCRIBE", "ch1", "c*"),
                c("SET", "k1", "v"), c("RENAME", "k1", "z1"),
                // MULTI: refused at queue time (the transaction is doomed), then at EXEC
                c("MULTI"), c("GET", "k1"), c("GET", "zz"), c("FLUSHALL"), c("EXEC"),
                // scripts run as their caller's user
                c("EVAL", "return redis.call('get','z1')", "0"), c("EVAL", "return redis.call('flushall')", "0"),
                c("EVAL", "return redis.pcall('publish','zz','m')", "0"), c("EVAL", "return redis.call('get','k1')", "0"),
                c("EVAL", "return redis.acl_check_cmd('get','zz')", "0"), c("EVAL", "return redis.acl_check_cmd('get','k1')", "0"),
                c("EVAL", "return redis.acl_check_cmd('nosuch')", "0"), c("EVAL", "return 1", "1", "zz"),
                c("AUTH", "alice", "wrong"), c("AUTH", "nobody", "x"), c("ACL", "WHOAMI"));
        assertEquals(logEntries(r), logEntries(b));
        assertEquals(logEntries(r, "3"), logEntries(b, "3"));
        // the ACL changes between queuing and EXEC
        try (RawClient rc = new RawClient(redis.port()); RawClient bc = new RawClient(basalt.port())) {
            for (String[] cmd : new String[][] {c("AUTH", "alice", "pw"), c("MULTI"), c("GET", "k1"), c("SET", "k2", "v"),
                    c("PUBLISH", "ch1", "x"), c("PING")}) {
                same(rc, bc, cmd);
            }
            same("ACL", "SETUSER", "alice", "-set", "resetkeys", "~k1", "resetchannels", "-ping");
            same(rc, bc, "EXEC");
        }
        assertEquals(logEntries(r, "100"), logEntries(b, "100"));
        // repeated denials within a minute are counted in one entry
        same("ACL", "LOG", "RESET");
        session(c("AUTH", "alice", "pw"), c("GET", "zz"), c("GET", "zz"), c("GET", "zz"), c("GET", "yy"));
        assertEquals(logEntries(r), logEntries(b));
        same("CONFIG", "SET", "acllog-max-len", "1");
        assertEquals(logEntries(r), logEntries(b));
        same("CONFIG", "SET", "acllog-max-len", "128");
    }

    @Test
    void authHelloAndTheDefaultUser() {
        same("ACL", "SETUSER", "bob", "on", ">pw", ">pw2", "~*", "&*", "+@all");
        same("ACL", "SETUSER", "off1", "off", ">pw", "+@all");
        session(c("AUTH", "bob", "pw"), c("ACL", "WHOAMI"), c("AUTH", "bob", "pw2"), c("AUTH", "bob", "bad"), c("ACL", "WHOAMI"),
                c("AUTH", "off1", "pw"), c("AUTH", "pw"), c("RESET"), c("ACL", "WHOAMI"));
        session(c("HELLO", "3", "AUTH", "bob", "bad"), c("HELLO", "2", "AUTH", "bob", "pw", "SETNAME", "n1"), c("ACL", "WHOAMI"),
                c("CLIENT", "GETNAME"));
        // requirepass is the default user's password
        same("CONFIG", "SET", "requirepass", "secret");
        same("ACL", "GETUSER", "default");
        same("ACL", "LIST");
        session(c("PING"), c("AUTH", "bad"), c("AUTH", "secret"), c("ACL", "WHOAMI"), c("AUTH", "default", "secret"), c("PING"));
        session(c("HELLO", "3"), c("HELLO", "3", "AUTH", "default", "secret"), c("PING"));
        same("CONFIG", "SET", "requirepass", "");
        same("ACL", "GETUSER", "default");
        session(c("PING"), c("AUTH", "x"));
        // a disabled default user makes every new connection authenticate
        same("ACL", "SETUSER", "default", "off");
        session(c("PING"), c("AUTH", "default", "x"), c("AUTH", "bob", "pw"), c("PING"));
        same("ACL", "SETUSER", "default", "on", "resetpass");
        session(c("PING"), c("HELLO", "3"), c("AUTH", "x"));
        same("ACL", "SETUSER", "default", "nopass");
        assertEquals(logEntries(r, "50"), logEntries(b, "50"));
    }

    @Test
    void deletedUsersAndRevokedChannelsCloseConnections() {
        same("ACL", "SETUSER", "sub", "on", ">pw", "~*", "&ch*", "+@all");
        List<RawClient> open = new ArrayList<>();
        try {
            RawClient[] chans = new RawClient[2];
            RawClient[] pats = new RawClient[2];
            RawClient[] ok = new RawClient[2];
            RawClient[] plain = new RawClient[2];
            int[] ports = {redis.port(), basalt.port()};
            for (int i = 0; i < 2; i++) {
                open.add(chans[i] = new RawClient(ports[i]));
                open.add(pats[i] = new RawClient(ports[i]));
                open.add(ok[i] = new RawClient(ports[i]));
                open.add(plain[i] = new RawClient(ports[i]));
                for (RawClient c : new RawClient[] {chans[i], pats[i], ok[i], plain[i]}) assertEquals("OK", c.call("AUTH", "sub", "pw").string());
                chans[i].call("SUBSCRIBE", "ch1", "ch2");
                chans[i].read();
                pats[i].call("PSUBSCRIBE", "ch*");
                ok[i].call("SUBSCRIBE", "ch1");
            }
            // a superset of the channels: nobody is closed
            same("ACL", "SETUSER", "sub", "&other");
            for (int i = 0; i < 2; i++) assertEquals("pong", chans[i].call("PING").get(0).string());
            same("ACL", "SETUSER", "sub", "resetchannels", "&ch1");
            for (int i = 0; i < 2; i++) {
                String side = i == 0 ? "redis" : "basalt";
                assertTrue(chans[i].isClosedByServer(), side + ": subscribed to ch2, no longer allowed");
                assertTrue(pats[i].isClosedByServer(), side + ": pattern ch* is not literally allowed");
                assertEquals("pong", ok[i].call("PING").get(0).string(), side);
                assertEquals("PONG", plain[i].call("PING").string(), side);
            }
            same("ACL", "DELUSER", "sub");
            for (int i = 0; i < 2; i++) {
                assertTrue(ok[i].isClosedByServer());
                assertTrue(plain[i].isClosedByServer());
            }
        } finally {
            for (RawClient c : open) c.close();
        }
        // a user deleting itself gets its reply, then the connection closes
        same("ACL", "SETUSER", "self", "on", "nopass", "+@all");
        try (RawClient rc = new RawClient(redis.port()); RawClient bc = new RawClient(basalt.port())) {
            same(rc, bc, "AUTH", "self", "x");
            same(rc, bc, "ACL", "DELUSER", "self");
            assertTrue(rc.isClosedByServer());
            assertTrue(bc.isClosedByServer());
        }
    }

    @Test
    void aclPubsubDefault() {
        same("CONFIG", "SET", "acl-pubsub-default", "allchannels");
        same("ACL", "SETUSER", "p1", "+@all");
        same("ACL", "SETUSER", "p2", "(+get)");
        same("ACL", "SETUSER", "p2", "reset");
        same("ACL", "LIST");
        same("CONFIG", "SET", "acl-pubsub-default", "resetchannels");
        same("ACL", "SETUSER", "p3", "+@all");
        same("ACL", "LIST");
        for (String p : new String[] {"aclfile", "acllog-max-len", "acl-pubsub-default"}) same("CONFIG", "GET", p);
    }

    @Test
    void unrestrictedUserSeesNoDifference() {
        // the default user allowed everything: no check is made, nothing logged
        session(c("SET", "k", "v"), c("GET", "k"), c("PUBLISH", "any", "x"), c("EVAL", "return redis.call('get','k')", "0"));
        assertEquals(0, b.call("ACL", "LOG").size());
        assertFalse(b.call("ACL", "LIST").get(0).string().contains("resetchannels"));
    }

    @Test
    void clientListAndKillByUser() {
        same("ACL", "SETUSER", "k", "on", "nopass", "+@all");
        try (RawClient bc = new RawClient(basalt.port()); RawClient rc = new RawClient(redis.port())) {
            bc.call("AUTH", "k", "x");
            rc.call("AUTH", "k", "x");
            assertTrue(b.call("CLIENT", "LIST").string().contains(" user=k "));
            same("CLIENT", "KILL", "USER", "nobody");
            same("CLIENT", "KILL", "USER", "k");
            assertTrue(bc.isClosedByServer());
        }
    }
    /**
     * Random rule lists (valid and invalid, from a vocabulary of every kind of rule) applied to a
     * few users on both servers: the same replies, descriptions, and DRYRUN answers for random
     * commands. Seeded, so a failure replays.
     */
    @Test
    void randomRulesAgreeWithRedis() {
        java.util.Random rnd = new java.util.Random(Long.getLong("acl.seed", 0xAC1));
        String[] vocab = {"on", "off", "nopass", "resetpass", ">p1", ">p2", "<p1", "<nope", "#" + "c".repeat(64),
                "!" + "c".repeat(64), "~k*", "~k1", "%R~r*", "%W~w*", "%RW~rw", "%r~x", "%X~y", "allkeys", "resetkeys", "~*",
                "&ch*", "&ch1", "&*", "allchannels", "resetchannels", "+get", "-get", "+set", "-set", "+@read", "-@read",
                "+@write", "-@write", "+@hash", "-@keyspace", "+@dangerous", "-@admin", "+@pubsub", "-@slow", "+@fast",
                "+config|get", "-config|set", "+client", "-client|kill", "+select|0", "+select|1", "+debug|x",
                "+config|nope", "+nope", "+@nope", "allcommands", "nocommands", "+@all", "-@all", "(~x +get)",
                "(%R~y &c +@hash)", "clearselectors", "reset", "(", "~z", "+hget)", "sanitize-payload", "skip-sanitize-payload",
                "bogus", "", "~a b", "~k?", "~[rw]*", "~*1", "%W~r\\*", "&c?", "&ch[12]", "~**", "~rw*"};
        String[] users = {"r1", "r2", "r3"};
        String[][] probes = {{"get", "k1"}, {"get", "r1"}, {"set", "w1", "v"}, {"set", "rw", "v", "get"}, {"hget", "k1", "f"},
                {"config", "get", "x"}, {"config", "set", "x", "y"}, {"client", "kill", "id", "1"}, {"client", "id"},
                {"select", "0"}, {"select", "1"}, {"publish", "ch1", "m"}, {"publish", "chx", "m"}, {"psubscribe", "ch*"},
                {"subscribe", "c"}, {"flushall"}, {"del", "k1", "x"}, {"copy", "r1", "w1"}, {"lmove", "rw", "k1", "left", "left"},
                {"get", "kx"}, {"get", "w11"}, {"set", "r*", "v"}, {"get", "rwx"}, {"publish", "c1", "m"}, {"subscribe", "ch2", "cz"},
                {"psubscribe", "c?"}, {"mget", "k1", "k22", "r1"}};
        for (int round = 0; round < Integer.getInteger("acl.rounds", 150); round++) {
            String u = users[rnd.nextInt(users.length)];
            List<String> cmd = new ArrayList<>(List.of("ACL", "SETUSER", u));
            int n = 1 + rnd.nextInt(6);
            for (int i = 0; i < n; i++) cmd.add(vocab[rnd.nextInt(vocab.length)]);
            same(cmd.toArray(new String[0]));
            if (round % 10 == 9) {
                same("ACL", "LIST");
                for (String x : users) {
                    same("ACL", "GETUSER", x);
                    for (String[] p : probes) {
                        List<String> dry = new ArrayList<>(List.of("ACL", "DRYRUN", x));
                        dry.addAll(List.of(p));
                        same(dry.toArray(new String[0]));
                    }
                }
            }
        }
    }
}
