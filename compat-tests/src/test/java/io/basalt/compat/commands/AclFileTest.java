package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ACL file both ways (a file Redis saved loads in Basalt and the reverse, ACL LOAD/SAVE and
 * their errors), users declared with the "user" directive, CONFIG REWRITE of users, and Jedis and
 * Lettuce connecting as a user other than the default one.
 */
class AclFileTest {
    /** A description's lines with each run of single-command rules sorted (Redis's order is its hash table's). */
    private static List<String> normalizedLines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            List<String> result = new ArrayList<>();
            List<String> run = new ArrayList<>();
            for (String t : line.split(" ", -1)) {
                if ((t.startsWith("+") || t.startsWith("-")) && !t.startsWith("+@") && !t.startsWith("-@")) {
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
            out.add(String.join(" ", result));
        }
        return out;
    }

    private static List<String> list(RawClient c) {
        List<String> out = new ArrayList<>();
        for (RespValue v : c.call("ACL", "LIST").elements()) out.addAll(normalizedLines(v.string()));
        return out;
    }

    @Test
    void aclFileWrittenByEitherLoadsInTheOther() throws Exception {
        Path dir = Files.createTempDirectory("aclfile");
        Path rf = dir.resolve("redis.acl");
        Path bf = dir.resolve("basalt.acl");
        Files.writeString(rf, "");
        Files.writeString(bf, "");
        RedisServerProcess redis = RedisServerProcess.start("--aclfile", rf.toString());
        BasaltInstance basalt = BasaltInstance.start("--aclfile", bf.toString());
        try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            // an empty file: only the default user, as created
            assertEquals(list(r), list(b));
            String[][] users = {
                    {"alice", "on", ">pw", "~k*", "%R~r*", "&ch*", "+@all", "-flushall", "-@dangerous"},
                    {"bob", "off", "#" + "ab".repeat(32), "(~x* +get)", "(%W~w +set &c)", "+@read", "+select|0"},
                    {"carol", "on", "nopass", "allkeys", "allchannels", "-@all", "+@hash", "+client|id", "-hdel"},
                    {"default", "on", ">def", "~*", "&*", "+@all", "-keys"},
            };
            for (String[] u : users) {
                List<String> cmd = new ArrayList<>(List.of("ACL", "SETUSER"));
                cmd.addAll(List.of(u));
                assertEquals("OK", r.call(cmd.toArray(new String[0])).string());
            }
            assertEquals("OK", r.call("ACL", "SAVE").string());
            String written = Files.readString(rf, StandardCharsets.ISO_8859_1);
            Files.writeString(bf, written, StandardCharsets.ISO_8859_1);
            assertEquals("OK", b.call("ACL", "LOAD").string());
            assertEquals(list(r), list(b));
            assertEquals("OK", b.call("ACL", "SAVE").string());
            assertEquals(normalizedLines(written), normalizedLines(Files.readString(bf, StandardCharsets.ISO_8859_1)));
            // Basalt's file loads in Redis: change a user on Basalt, save, load it there
            assertEquals("OK", b.call("ACL", "SETUSER", "dave", "on", ">d", "%RW~rw", "-@all", "+get", "+set").string());
            assertEquals("OK", b.call("ACL", "SAVE").string());
            Files.copy(bf, rf, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals("OK", r.call("ACL", "LOAD").string());
            assertEquals(list(r), list(b));
            // a broken file: every error, nothing applied
            String broken = written + "user bad +nosuch\nbogus line\nuser alice on\nuser sp ~a\tb\nuser x #abc\n";
            Files.writeString(rf, broken);
            Files.writeString(bf, broken);
            String re = r.call("ACL", "LOAD").string();
            String be = b.call("ACL", "LOAD").string();
            assertEquals(re.replace(rf.toString(), "F"), be.replace(bf.toString(), "F"));
            assertEquals(list(r), list(b));
            Files.delete(rf);
            Files.delete(bf);
            assertEquals(r.call("ACL", "LOAD").string().replace(rf.toString(), "F"), b.call("ACL", "LOAD").string().replace(bf.toString(), "F"));
            // ACL LOAD closes the connections of users other than the default one
            Files.writeString(bf, written);
            RawClient alice = new RawClient(basalt.port());
            assertEquals("OK", alice.call("AUTH", "alice", "pw").string());
            assertEquals("OK", b.call("ACL", "LOAD").string());
            assertTrue(alice.isClosedByServer());
            alice.close();
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    @Test
    void userDirectivesAndConfigRewrite() throws Exception {
        Path dir = Files.createTempDirectory("acluser");
        String conf = "user alice on >pw ~k* &ch* +@all -flushall\nuser bob off (~x +get) +@read\nuser default on nopass ~* &* +@all -keys\n";
        Path rc = dir.resolve("redis.conf");
        Path bc = dir.resolve("basalt.conf");
        Files.writeString(rc, conf);
        Files.writeString(bc, conf);
        RedisServerProcess redis = RedisServerProcess.start("--include", rc.toString());
        BasaltInstance basalt = startWithFile(bc);
        try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            assertEquals(list(r), list(b));
            try (RawClient a = new RawClient(basalt.port())) {
                assertEquals("OK", a.call("AUTH", "alice", "pw").string());
                assertEquals("NOPERM this user has no permissions to run the 'flushall' command", a.call("FLUSHALL").string());
            }
            assertEquals("OK", b.call("ACL", "SETUSER", "carol", "on", ">c", "+get").string());
            assertEquals("OK", b.call("CONFIG", "REWRITE").string());
            String rewritten = Files.readString(bc);
            assertTrue(rewritten.contains("user carol on #"), rewritten);
            assertTrue(rewritten.contains("user alice on #"), rewritten);
            assertTrue(!rewritten.contains(">pw"), "passwords are written hashed: " + rewritten);
        } finally {
            redis.stop();
            basalt.stop();
        }
        // a bad rule stops the server from starting (and an aclfile with users in the config too)
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "user x on bogus\n");
        assertThrows(IllegalStateException.class, () -> startWithFile(bad));
    }

    private static BasaltInstance startWithFile(Path conf) {
        return BasaltInstance.startWithConfigFile(conf);
    }

    @Test
    void jedisAndLettuceAsAnAclUser() {
        BasaltInstance basalt = BasaltInstance.start();
        try {
            try (RawClient admin = new RawClient(basalt.port())) {
                assertEquals("OK", admin.call("ACL", "SETUSER", "app", "on", ">secret", "~app:*", "&app:*", "+@all", "-@dangerous").string());
            }
            HostAndPort hp = new HostAndPort("127.0.0.1", basalt.port());
            try (Jedis j = new Jedis(hp, DefaultJedisClientConfig.builder().user("app").password("secret").build())) {
                assertEquals("OK", j.set("app:1", "v"));
                assertEquals("v", j.get("app:1"));
                assertEquals("app", j.aclWhoAmI());
                JedisDataException e = assertThrows(JedisDataException.class, () -> j.get("other"));
                assertTrue(e.getMessage().startsWith("NOPERM"), e.getMessage());
                assertThrows(JedisDataException.class, () -> j.flushAll());
            }
            assertThrows(JedisAccessControlException.class, () -> {
                try (Jedis j = new Jedis(hp, DefaultJedisClientConfig.builder().user("app").password("wrong").build())) {
                    j.ping();
                }
            });
            RedisClient client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(basalt.port())
                    .withAuthentication("app", "secret".toCharArray()).build());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                assertEquals("v", c.sync().get("app:1"));
                assertEquals("app", c.sync().aclWhoami());
                assertEquals(0L, c.sync().publish("app:news", "x"));
                io.lettuce.core.RedisCommandExecutionException e = assertThrows(io.lettuce.core.RedisCommandExecutionException.class,
                        () -> c.sync().publish("other", "x"));
                assertTrue(e.getMessage().contains("channels"), e.getMessage());
            } finally {
                client.shutdown();
            }
        } finally {
            basalt.stop();
        }
    }
}
