package io.basalt.compat.ops;

import io.basalt.resp.Json;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin REST API (/api/v1/) driven by java.net.http as a tool would: every route against the
 * commands it runs, PUT /config refused and accepted exactly as CONFIG SET on a real redis-server
 * (same error text), the password, a full and duplicate-free SCAN traversal of a few thousand keys
 * by cursor, and bad input answered with a 4xx JSON error that changes nothing.
 */
class AdminApiTest {
    private static BasaltInstance b;
    private static int http;

    @BeforeAll
    static void start() throws Exception {
        b = Http.startWithHttp();
        http = b.server().ops().port();
    }

    @AfterAll
    static void stop() {
        b.stop();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Http.Response r) throws Json.ParseException {
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        return (Map<String, Object>) Json.parse(r.body());
    }

    static Map<String, Object> ok(String path) throws Exception {
        Http.Response r = Http.send(http, "GET", path, null, null);
        assertEquals(200, r.status(), path + ": " + r.body());
        return obj(r);
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object o, Object... path) {
        for (Object p : path) o = p instanceof Integer i ? ((List<Object>) o).get(i) : ((Map<String, Object>) o).get(p);
        return (T) o;
    }

    static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"); }

    @Test
    void infoConfigClientsAndReplication() throws Exception {
        try (RawClient c = new RawClient(b.port())) {
            c.call("SELECT", "5");
            c.call("FLUSHDB");
            c.call("SET", "a", "1");
            c.call("SET", "b", "2");
            c.call("CLIENT", "SETNAME", "admin-api-test");
            long id = c.call("CLIENT", "ID").number();

            Map<String, Object> info = ok("/api/v1/info");
            assertTrue(String.valueOf((Object) at(info, "server", "redis_version")).startsWith("7."), info.toString());
            assertEquals(2L, (Object) at(info, "keyspace", "db5", "keys"));
            assertEquals((long) b.port(), (Object) at(info, "server", "tcp_port"));
            Map<String, Object> stats = ok("/api/v1/info?section=stats");
            assertEquals(Set.of("stats"), stats.keySet());

            assertEquals(c.call("CONFIG", "GET", "maxmemory-policy").get(1).string(),
                    at(ok("/api/v1/config/maxmemory-policy"), "value"));
            Map<String, Object> all = at(ok("/api/v1/config?pattern=maxmemory*"), "config");
            assertEquals(c.call("CONFIG", "GET", "maxmemory*").size() / 2, all.size());
            assertTrue(all.containsKey("maxmemory-samples"));
            assertEquals(404, Http.send(http, "GET", "/api/v1/config/no-such-param", null, null).status());

            List<Map<String, Object>> clients = at(ok("/api/v1/clients"), "clients");
            Map<String, Object> me = clients.stream().filter(m -> Long.valueOf(id).equals(m.get("id"))).findFirst().orElseThrow();
            assertEquals("admin-api-test", me.get("name"));
            assertEquals(5L, me.get("db"));
            assertTrue(String.valueOf(me.get("addr")).startsWith("127.0.0.1:"));

            Map<String, Object> repl = ok("/api/v1/replication");
            assertEquals("master", (Object) at(repl, "role", "role"));
            assertEquals("master", (Object) at(repl, "info", "role"));
            assertEquals(List.of(), (Object) at(repl, "role", "replicas"));

            Http.Response cluster = Http.send(http, "GET", "/api/v1/cluster", null, null);
            assertEquals(404, cluster.status());
            assertEquals("ERR This instance has cluster support disabled", obj(cluster).get("error"));

            Map<String, Object> openapi = ok("/api/v1/openapi.json");
            assertTrue(String.valueOf(openapi.get("openapi")).startsWith("3."));
            Map<String, Object> paths = at(openapi, "paths");
            for (String route : AdminApiTest.<List<String>>at(ok("/api/v1"), "routes")) {
                String p = route.substring("/api/v1".length());
                if (!p.isEmpty()) assertTrue(paths.containsKey(p), "openapi.json documents " + p);
            }
        }
    }

    /** GET /api/v1/profile: a JFR recording of N seconds (a .jfr file: magic "FLR\0"); bad N is a 400. */
    @Test
    void profileRecordsAJfrFile() throws Exception {
        Http.Response r = Http.send(http, "GET", "/api/v1/profile?seconds=1", null, null);
        assertEquals(200, r.status(), r.body());
        assertEquals("application/octet-stream", r.contentType());
        assertTrue(r.body().startsWith("FLR\0"), "a JFR file");
        assertTrue(r.body().length() > 10_000, "a recording with events: " + r.body().length() + " bytes");
        for (String bad : new String[] {"0", "301", "x"}) {
            Http.Response e = Http.send(http, "GET", "/api/v1/profile?seconds=" + bad, null, null);
            assertEquals(400, e.status(), e.body());
            assertTrue(obj(e).get("error").toString().contains("seconds"), e.body());
        }
        assertEquals(405, Http.send(http, "POST", "/api/v1/profile", null, null).status());
    }

    @Test
    void slowlogAndLatency() throws Exception {
        try (RawClient c = new RawClient(b.port())) {
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            c.call("CONFIG", "SET", "latency-monitor-threshold", "1");
            try {
                c.call("SLOWLOG", "RESET");
                c.call("LATENCY", "RESET");
                c.call("DEBUG", "SLEEP", "0.02");
                c.call("ECHO", "slow-marker");
                Map<String, Object> sl = ok("/api/v1/slowlog?count=-1");
                List<Map<String, Object>> entries = at(sl, "entries");
                assertTrue(entries.stream().anyMatch(e -> List.of("ECHO", "slow-marker").equals(e.get("args"))), sl.toString());
                assertTrue((Long) sl.get("len") >= 2);
                assertEquals(1, ((List<?>) at(ok("/api/v1/slowlog?count=1"), "entries")).size());

                List<Map<String, Object>> events = at(ok("/api/v1/latency"), "events");
                Map<String, Object> command = events.stream().filter(e -> "command".equals(e.get("event"))).findFirst().orElseThrow();
                assertTrue((Long) command.get("max_ms") >= 20, command.toString());
                List<Map<String, Object>> hist = at(ok("/api/v1/latency/command"), "history");
                assertFalse(hist.isEmpty());

                assertEquals(200, Http.send(http, "DELETE", "/api/v1/slowlog", null, null).status());
                // what SLOWLOG LEN counts after the reset is the SLOWLOG LEN itself at most
                assertTrue(c.call("SLOWLOG", "LEN").number() <= 1);
                assertEquals(200, Http.send(http, "DELETE", "/api/v1/latency", null, null).status());
                assertEquals(0, c.call("LATENCY", "LATEST").size());
            } finally {
                c.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
                c.call("CONFIG", "SET", "latency-monitor-threshold", "0");
            }
        }
    }

    @Test
    void keyDetailsOfEveryType() throws Exception {
        try (RawClient c = new RawClient(b.port())) {
            c.call("SELECT", "3");
            c.call("FLUSHDB");
            c.call("SET", "s k/é", "hello");
            c.call("PEXPIRE", "s k/é", "100000");
            c.call("SET", "big", "x".repeat(10_000));
            for (int i = 0; i < 150; i++) c.call("RPUSH", "l", "e" + i);
            c.call("SADD", "set", "m1", "m2");
            c.call("ZADD", "z", "1", "one", "2", "two");
            c.call("HSET", "h", "f", "v");
            c.call("XADD", "st", "1-1", "f", "v");

            Map<String, Object> s = ok("/api/v1/keys/" + enc("s k/é") + "?db=3");
            assertEquals("string", s.get("type"));
            assertEquals("hello", s.get("preview"));
            assertEquals(5L, s.get("size"));
            long ttl = (Long) s.get("ttl_ms");
            assertTrue(ttl > 90_000 && ttl <= 100_000, "ttl " + ttl);
            assertEquals(c.call("OBJECT", "ENCODING", "s k/é").string(), s.get("encoding"));

            Map<String, Object> big = ok("/api/v1/keys/big?db=3");
            assertEquals(4096, ((String) big.get("preview")).length());
            assertEquals(true, big.get("truncated"));
            assertEquals(10_000L, big.get("size"));

            Map<String, Object> l = ok("/api/v1/keys/l?db=3");
            assertEquals(150L, l.get("size"));
            assertEquals(100, ((List<?>) l.get("preview")).size());
            assertEquals("e0", (Object) at(l, "preview", 0));
            assertEquals(true, l.get("truncated"));
            assertEquals(-1L, l.get("ttl_ms"));

            assertEquals(Set.of("m1", "m2"), new HashSet<>((List<?>) ok("/api/v1/keys/set?db=3").get("preview")));
            assertEquals("two", (Object) at(ok("/api/v1/keys/z?db=3"), "preview", 1, "member"));
            assertEquals(Map.of("f", "v"), ok("/api/v1/keys/h?db=3").get("preview"));
            assertEquals("1-1", (Object) at(ok("/api/v1/keys/st?db=3"), "preview", 0, "id"));
            assertEquals(List.of("f", "v"), (Object) at(ok("/api/v1/keys/st?db=3"), "preview", 0, "fields"));

            // '+' in a path is a plus, '%2B' too, '%20' a space
            c.call("SET", "a+b", "plus");
            c.call("SET", "a b", "space");
            assertEquals("plus", ok("/api/v1/keys/a+b?db=3").get("preview"));
            assertEquals("plus", ok("/api/v1/keys/a%2Bb?db=3").get("preview"));
            assertEquals("space", ok("/api/v1/keys/a%20b?db=3").get("preview"));

            Http.Response missing = Http.send(http, "GET", "/api/v1/keys/nope?db=3", null, null);
            assertEquals(404, missing.status());
            assertEquals("no such key", obj(missing).get("error"));
            // the key is in db 3, not in db 0
            assertEquals(404, Http.send(http, "GET", "/api/v1/keys/l", null, null).status());
        }
    }

    /** A few thousand keys walked page by page: every key once, types and TTLs as the keys have them. */
    @Test
    void keyBrowserTraversesEveryKeyOnce() throws Exception {
        try (RawClient c = new RawClient(b.port())) {
            c.call("SELECT", "7");
            c.call("FLUSHDB");
            assertEquals("OK", c.call("DEBUG", "POPULATE", "3000", "k").string());
            for (int i = 0; i < 100; i++) {
                c.call("HSET", "h:" + i, "f", "v");
                c.call("EXPIRE", "h:" + i, "1000");
            }
            List<String> seen = new ArrayList<>();
            String cursor = "0";
            int pages = 0;
            do {
                Map<String, Object> page = ok("/api/v1/keys?db=7&count=200&cursor=" + cursor);
                assertEquals(7L, page.get("db"));
                for (Map<String, Object> k : AdminApiTest.<List<Map<String, Object>>>at(page, "keys")) {
                    String key = (String) k.get("key");
                    seen.add(key);
                    if (key.startsWith("h:")) {
                        assertEquals("hash", k.get("type"));
                        assertTrue((Long) k.get("ttl_ms") > 0);
                    } else {
                        assertEquals("string", k.get("type"));
                        assertEquals(-1L, k.get("ttl_ms"));
                    }
                }
                cursor = (String) page.get("cursor");
                assertEquals(cursor.equals("0"), page.get("done"));
                pages++;
                assertTrue(pages < 1000, "the traversal ends");
            } while (!cursor.equals("0"));
            assertTrue(pages > 5, "paginated: " + pages + " pages");
            assertEquals(3100, seen.size(), "no key twice");
            assertEquals(3100, new HashSet<>(seen).size());
            assertTrue(seen.contains("k:0") && seen.contains("k:2999") && seen.contains("h:99"));

            // MATCH and TYPE filters are SCAN's
            Set<String> hashes = new HashSet<>();
            cursor = "0";
            do {
                Map<String, Object> page = ok("/api/v1/keys?db=7&count=1000&type=hash&cursor=" + cursor);
                for (Map<String, Object> k : AdminApiTest.<List<Map<String, Object>>>at(page, "keys")) hashes.add((String) k.get("key"));
                cursor = (String) page.get("cursor");
            } while (!cursor.equals("0"));
            assertEquals(100, hashes.size());
            Set<String> matched = new HashSet<>();
            cursor = "0";
            do {
                Map<String, Object> page = ok("/api/v1/keys?db=7&count=1000&match=" + enc("k:1??") + "&cursor=" + cursor);
                for (Map<String, Object> k : AdminApiTest.<List<Map<String, Object>>>at(page, "keys")) matched.add((String) k.get("key"));
                cursor = (String) page.get("cursor");
            } while (!cursor.equals("0"));
            assertEquals(100, matched.size());
            c.call("FLUSHDB");
        }
    }

    /**
     * PUT /api/v1/config/{name} against CONFIG SET on a real redis-server: the same parameters are
     * accepted and refused, with the same error text, and the value read back is the same.
     */
    @Test
    void configPutIsConfigSet() throws Exception {
        RedisServerProcess redis = RedisServerProcess.start();
        String[][] samples = {
                {"maxmemory", "100mb"}, {"maxmemory", "abc"}, {"maxmemory", "-1"},
                {"maxmemory-policy", "allkeys-lru"}, {"maxmemory-policy", "bogus"},
                {"daemonize", "yes"}, {"no-such-param", "1"}, {"hz", "20"}, {"hz", "x"},
                {"timeout", "-5"}, {"timeout", "30"}, {"notify-keyspace-events", "KEA"},
                {"notify-keyspace-events", "Q"}, {"save", "900 1 300 10"}, {"save", "900"},
                {"appendfsync", "always"}, {"appendfsync", "sometimes"}, {"lazyfree-lazy-eviction", "yes"},
                {"lazyfree-lazy-eviction", "maybe"}, {"list-max-listpack-size", "-2"}, {"databases", "4"},
                {"maxmemory", "0"}, {"timeout", "0"}, {"appendfsync", "everysec"}, {"notify-keyspace-events", ""},
        };
        try (RawClient r = new RawClient(redis.port()); RawClient c = new RawClient(b.port())) {
            for (String[] s : samples) {
                String before = c.call("CONFIG", "GET", s[0]).size() == 2 ? c.call("CONFIG", "GET", s[0]).get(1).string() : null;
                RespValue expected = r.call("CONFIG", "SET", s[0], s[1]);
                Http.Response put = Http.send(http, "PUT", "/api/v1/config/" + s[0], Json.write(Map.of("value", s[1])), null);
                String what = s[0] + " " + s[1] + ": " + put.body();
                if (expected.isError()) {
                    assertEquals(400, put.status(), what);
                    assertEquals(expected.string(), obj(put).get("error"), what);
                    if (before != null) assertEquals(before, c.call("CONFIG", "GET", s[0]).get(1).string(), "unchanged: " + what);
                } else {
                    assertEquals(200, put.status(), what);
                    String redisValue = r.call("CONFIG", "GET", s[0]).get(1).string();
                    assertEquals(redisValue, obj(put).get("value"), what);
                    assertEquals(redisValue, c.call("CONFIG", "GET", s[0]).get(1).string(), what);
                }
            }
            // JSON booleans and integers as CONFIG SET's yes/no and numbers
            assertEquals(200, Http.send(http, "PUT", "/api/v1/config/lazyfree-lazy-eviction", "{\"value\":false}", null).status());
            assertEquals("no", c.call("CONFIG", "GET", "lazyfree-lazy-eviction").get(1).string());
            assertEquals(200, Http.send(http, "PUT", "/api/v1/config/hz", "{\"value\":10}", null).status());
            assertEquals("10", c.call("CONFIG", "GET", "hz").get(1).string());
        } finally {
            redis.stop();
        }
    }

    /** Bad input: a clear 4xx JSON error, and nothing changed. */
    @Test
    void badInputIsRefusedAndChangesNothing() throws Exception {
        try (RawClient c = new RawClient(b.port())) {
            c.call("SELECT", "9");
            c.call("FLUSHDB");
            c.call("SET", "keep", "1");
            String maxmemory = c.call("CONFIG", "GET", "maxmemory").get(1).string();
            String[][] cases = {
                    {"PUT", "/api/v1/config/maxmemory", "{\"value\": ", "400"},
                    {"PUT", "/api/v1/config/maxmemory", "not json", "400"},
                    {"PUT", "/api/v1/config/maxmemory", "{\"other\":\"1mb\"}", "400"},
                    {"PUT", "/api/v1/config/maxmemory", "[\"1mb\"]", "400"},
                    {"PUT", "/api/v1/config/maxmemory", "{\"value\":1.5}", "400"},
                    {"PUT", "/api/v1/config/maxmemory", null, "400"},
                    {"GET", "/api/v1/keys?db=x", null, "400"},
                    {"GET", "/api/v1/keys?db=16", null, "400"},
                    {"GET", "/api/v1/keys?db=-1", null, "400"},
                    {"GET", "/api/v1/keys?count=0", null, "400"},
                    {"GET", "/api/v1/keys?count=1001", null, "400"},
                    {"GET", "/api/v1/keys?count=many", null, "400"},
                    {"GET", "/api/v1/keys?cursor=abc", null, "400"},
                    {"GET", "/api/v1/keys/keep?db=99", null, "400"},
                    {"GET", "/api/v1/slowlog?count=x", null, "400"},
                    {"GET", "/api/v1/config/max*", null, "400"},
                    {"DELETE", "/api/v1/clients/abc", null, "400"},
                    {"DELETE", "/api/v1/clients/999999999", null, "404"},
                    {"GET", "/api/v1/nothing", null, "404"},
                    {"GET", "/api/v1/keys/a/b", null, "404"},
                    {"POST", "/api/v1/info", "{}", "405"},
                    {"DELETE", "/api/v1/config/maxmemory", null, "405"},
                    {"PUT", "/api/v1/keys", "{}", "405"},
                    {"DELETE", "/api/v1/backups", null, "405"},
                    {"PATCH", "/api/v1/slowlog", null, "405"},
            };
            for (String[] k : cases) {
                Http.Response r = Http.send(http, k[0], k[1], k[2], null);
                assertEquals(Integer.parseInt(k[3]), r.status(), k[0] + " " + k[1] + ": " + r.body());
                Object err = obj(r).get("error");
                assertTrue(err instanceof String e && !e.isEmpty(), r.body());
            }
            assertEquals(maxmemory, c.call("CONFIG", "GET", "maxmemory").get(1).string());
            assertEquals(1, c.call("DBSIZE").number());
            assertEquals("1", c.call("GET", "keep").string());
            assertEquals("ERR DB index is out of range", obj(Http.send(http, "GET", "/api/v1/keys?db=16", null, null)).get("error"));
        }
    }

    @Test
    void clientKill() throws Exception {
        RawClient victim = new RawClient(b.port());
        try {
            long id = victim.call("CLIENT", "ID").number();
            Http.Response r = Http.send(http, "DELETE", "/api/v1/clients/" + id, null, null);
            assertEquals(200, r.status(), r.body());
            assertEquals(1L, obj(r).get("killed"));
            assertThrows(RuntimeException.class, () -> victim.call("PING"));
            assertEquals(404, Http.send(http, "DELETE", "/api/v1/clients/" + id, null, null).status());
        } finally {
            victim.close();
        }
    }

    @Test
    void backupStartsBgsave(@TempDir Path dir) throws Exception {
        BasaltInstance s = Http.startWithHttp("--dir", dir.toString());
        int port = s.server().ops().port();
        try (RawClient c = new RawClient(s.port())) {
            c.call("SET", "x", "1");
            Http.Response r = Http.send(port, "POST", "/api/v1/backups", null, null);
            assertEquals(202, r.status(), r.body());
            assertEquals("Background saving started", obj(r).get("status"));
            long deadline = System.currentTimeMillis() + 10_000;
            Map<String, Object> p;
            do {
                Thread.sleep(20);
                p = at(obj(Http.send(port, "GET", "/api/v1/backups", null, null)), "persistence");
            } while (!Long.valueOf(0).equals(p.get("rdb_bgsave_in_progress")) && System.currentTimeMillis() < deadline);
            assertEquals("ok", p.get("rdb_last_bgsave_status"));
            assertEquals(0L, p.get("rdb_changes_since_last_save"));
            assertTrue(Files.size(dir.resolve("dump.rdb")) > 0);
        } finally {
            s.stop();
        }
    }

    @Test
    void requirepassGuardsTheApi() throws Exception {
        BasaltInstance s = Http.startWithHttp("--requirepass", "s3cret");
        int port = s.server().ops().port();
        try (RawClient c = new RawClient(s.port())) {
            c.call("AUTH", "s3cret");
            String basic = "Basic " + Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8));
            String wrong = "Basic " + Base64.getEncoder().encodeToString("admin:nope".getBytes(StandardCharsets.UTF_8));
            for (String auth : new String[] {null, wrong, "Bearer nope", "Bearer", "Token s3cret", "Basic !!!"}) {
                Http.Response put = Http.send(port, "PUT", "/api/v1/config/maxmemory", "{\"value\":\"1mb\"}", auth);
                assertEquals(401, put.status(), String.valueOf(auth));
                assertNotNull(obj(put).get("error"));
                assertEquals(401, Http.send(port, "POST", "/api/v1/backups", null, auth).status());
                assertEquals(401, Http.send(port, "DELETE", "/api/v1/slowlog", null, auth).status());
                assertEquals(401, Http.send(port, "GET", "/api/v1/config/requirepass", null, auth).status());
                assertEquals(401, Http.send(port, "GET", "/api/v1/keys", null, auth).status());
            }
            assertEquals("0", c.call("CONFIG", "GET", "maxmemory").get(1).string());
            assertTrue(c.call("INFO", "persistence").string().contains("rdb_saves:0"), "no BGSAVE ran");
            Http.Response ok = Http.send(port, "PUT", "/api/v1/config/maxmemory", "{\"value\":\"1mb\"}", basic);
            assertEquals(200, ok.status(), ok.body());
            assertEquals("1048576", c.call("CONFIG", "GET", "maxmemory").get(1).string());
            assertEquals(200, Http.send(port, "GET", "/api/v1/info", null, "Bearer s3cret").status());
            // the document describes the API and holds nothing secret
            assertEquals(200, Http.send(port, "GET", "/api/v1/openapi.json", null, null).status());
            // /metrics and the probes are unchanged
            assertEquals(200, Http.get(port, "/health/live").status());
        } finally {
            s.stop();
        }
    }

    @Test
    void clusterState(@TempDir Path dir) throws Exception {
        BasaltInstance s = Http.startWithHttp("--cluster-enabled", "yes", "--dir", dir.toString(),
                "--cluster-port", Integer.toString(RedisServerProcess.freePort()));
        int port = s.server().ops().port();
        try (RawClient c = new RawClient(s.port())) {
            assertEquals("OK", c.call("CLUSTER", "ADDSLOTSRANGE", "0", "99").string());
            Map<String, Object> cl = obj(Http.send(port, "GET", "/api/v1/cluster", null, null));
            assertEquals(100L, (Object) at(cl, "info", "cluster_slots_assigned"));
            List<Map<String, Object>> nodes = at(cl, "nodes");
            assertEquals(1, nodes.size());
            assertEquals(c.call("CLUSTER", "MYID").string(), nodes.get(0).get("id"));
            assertTrue(((List<?>) nodes.get(0).get("flags")).contains("myself"));
            assertEquals(List.of("0-99"), nodes.get(0).get("slots"));
            assertEquals(0L, (Object) at(cl, "slots", 0, "start"));
            assertEquals(99L, (Object) at(cl, "slots", 0, "end"));
            assertEquals(c.call("CLUSTER", "MYID").string(), (Object) at(cl, "slots", 0, "master", "id"));
        } finally {
            s.stop();
        }
    }
    /**
     * The API runs on a thread of its own: an API request waiting for a shard lock (held here by
     * the test, as a long command would) holds up neither /metrics nor the probes, and completes
     * once the lock is free.
     */
    @Test
    void aWaitingApiRequestHoldsUpNeitherMetricsNorProbes() throws Exception {
        try (RawClient c = new RawClient(b.port())) {
            c.call("SELECT", "0");
            c.call("SET", "locked-key", "v");
            java.util.concurrent.CompletableFuture<Http.Response> api;
            b.server().keyspace().lockAll();
            try {
                api = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return Http.send(http, "GET", "/api/v1/keys/locked-key", null, null);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(200);
                assertFalse(api.isDone(), "the API request waits for the key's shard");
                long t0 = System.nanoTime();
                assertEquals(200, Http.get(http, "/health/live").status());
                Http.scrape(http);
                assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
            } finally {
                b.server().keyspace().unlockAll();
            }
            Http.Response r = api.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(200, r.status(), r.body());
            assertEquals("v", obj(r).get("preview"));
        }
    }
    /**
     * CLIENT PAUSE ALL holds the API's commands back as any client's: a 503 while it lasts (the
     * probes still answer), then the API answers again. The pause holds every client, UNPAUSE
     * included, so it is a short one that ends by itself.
     */
    @Test
    void pausedServerIsA503() throws Exception {
        try (RawClient c = new RawClient(b.port())) {
            assertEquals("OK", c.call("CLIENT", "PAUSE", "1500", "ALL").string());
            long paused = System.nanoTime();
            Http.Response r = Http.send(http, "GET", "/api/v1/info", null, null);
            if (System.nanoTime() - paused < 1_200_000_000L) {
                assertEquals(503, r.status(), r.body());
                assertTrue(((String) obj(r).get("error")).contains("CLIENT PAUSE"));
                assertEquals(200, Http.get(http, "/health/live").status());
            }
            long deadline = System.currentTimeMillis() + 10_000;
            while (Http.send(http, "GET", "/api/v1/info", null, null).status() != 200 && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(200, Http.send(http, "GET", "/api/v1/info", null, null).status());
            assertEquals(200, Http.send(http, "GET", "/api/v1/keys", null, null).status());
            assertEquals("PONG", c.call("PING").string());
        }
    }
}
