package io.basalt.compat.ops;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /metrics scraped the way Prometheus scrapes it: the exposition is valid text (or OpenMetrics
 * when asked for), carries redis_exporter's names, types and labels, and its values follow what
 * the server does (commands, keys per database, hits and misses, clients, errors, expiry and
 * eviction) and agree with INFO.
 */
class MetricsTest {

    private static double or0(double v) { return Double.isNaN(v) ? 0 : v; }

    private static String info(RawClient c, String field) {
        for (String line : c.call("INFO", "everything").string().split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        throw new AssertionError("no " + field + " in INFO");
    }

    @Test
    void valuesFollowWhatTheServerDoes() throws Exception {
        BasaltInstance b = Http.startWithHttp();
        int http = b.server().ops().port();
        try (RawClient c = new RawClient(b.port())) {
            Exposition before = Http.scrape(http);
            assertEquals(1, before.value("redis_up"));
            for (int i = 0; i < 5; i++) assertEquals("OK", c.call("SET", "k" + i, "v").string());
            c.call("SELECT", "3");
            assertEquals("OK", c.call("SET", "a", "1", "EX", "100").string());
            assertEquals("OK", c.call("SET", "b", "2", "EX", "100").string());
            c.call("SELECT", "0");
            for (int i = 0; i < 3; i++) assertEquals("v", c.call("GET", "k" + i).string());
            for (int i = 0; i < 2; i++) assertTrue(c.call("GET", "missing" + i).isNull());
            assertTrue(c.call("INCR", "k0").isError()); // a failed call
            assertTrue(c.call("GET").isError()); // wrong arity: a rejected call

            Exposition after = Http.scrape(http);
            assertEquals(7, after.value("redis_commands_total", "cmd", "set") - or0(before.value("redis_commands_total", "cmd", "set")));
            // a rejected call is not a call, as in Redis
            assertEquals(5, after.value("redis_commands_total", "cmd", "get") - or0(before.value("redis_commands_total", "cmd", "get")));
            assertEquals(1, after.value("redis_commands_failed_calls_total", "cmd", "incr")
                    - or0(before.value("redis_commands_failed_calls_total", "cmd", "incr")));
            assertEquals(1, after.value("redis_commands_rejected_calls_total", "cmd", "get")
                    - or0(before.value("redis_commands_rejected_calls_total", "cmd", "get")));
            assertTrue(after.value("redis_commands_duration_seconds_total", "cmd", "set") > 0);
            assertEquals(3, after.value("redis_keyspace_hits_total") - before.value("redis_keyspace_hits_total"));
            assertEquals(2, after.value("redis_keyspace_misses_total") - before.value("redis_keyspace_misses_total"));
            assertEquals(5, after.value("redis_db_keys", "db", "db0"));
            assertEquals(0, after.value("redis_db_keys_expiring", "db", "db0"));
            assertEquals(2, after.value("redis_db_keys", "db", "db3"));
            assertEquals(2, after.value("redis_db_keys_expiring", "db", "db3"));
            assertEquals(0, after.value("redis_db_keys", "db", "db15")); // every database, empty ones too
            assertEquals(16, after.samples("redis_db_keys").size());
            double shardKeys = 0;
            for (Exposition.Sample s : after.samples("basalt_shard_keys")) shardKeys += s.value();
            assertEquals(7, shardKeys);
            assertEquals(64, after.samples("basalt_shard_memory_bytes").size());
            assertTrue(after.value("redis_commands_processed_total") - before.value("redis_commands_processed_total") >= 15);
            assertTrue(after.value("redis_net_input_bytes_total") > before.value("redis_net_input_bytes_total"));
            assertTrue(after.value("redis_net_output_bytes_total") > before.value("redis_net_output_bytes_total"));
            // INCR's and the arity error, under their code as INFO errorstats counts them
            assertEquals(2, after.value("redis_errors_total", "err", "ERR") - or0(before.value("redis_errors_total", "err", "ERR")));

            // the same figures as INFO
            assertEquals(Double.parseDouble(info(c, "keyspace_hits")), after.value("redis_keyspace_hits_total"));
            assertEquals(Double.parseDouble(info(c, "maxmemory")), after.value("redis_memory_max_bytes"));
            double used = Double.parseDouble(info(c, "used_memory"));
            assertTrue(Math.abs(used - after.value("redis_memory_used_bytes")) < 64 * 1024,
                    used + " vs " + after.value("redis_memory_used_bytes"));
            Exposition.Sample instance = after.samples("redis_instance_info").get(0);
            assertEquals(Map.of("role", "master", "redis_version", info(c, "redis_version"),
                    "redis_build_id", info(c, "redis_build_id"), "redis_mode", "standalone", "os", info(c, "os"),
                    "maxmemory_policy", "noeviction", "tcp_port", Integer.toString(b.port()),
                    "run_id", info(c, "run_id"), "process_id", info(c, "process_id"),
                    "master_replid", info(c, "master_replid")), instance.labels());
            assertEquals(1, instance.value());

            // expiry: a key found expired by a read
            assertEquals("OK", c.call("SET", "short", "x", "PX", "1").string());
            Thread.sleep(20);
            assertTrue(c.call("GET", "short").isNull());
            Exposition expired = Http.scrape(http);
            assertTrue(expired.value("redis_expired_keys_total") - after.value("redis_expired_keys_total") >= 1);
            assertEquals(Double.parseDouble(info(c, "expired_keys")), expired.value("redis_expired_keys_total"));

            // eviction: a limit under what the keys take
            c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
            c.call("CONFIG", "SET", "maxmemory", "1mb");
            byte[] value = new byte[4096];
            for (int i = 0; i < 100; i++) c.call("SET".getBytes(), ("big" + i).getBytes(), value);
            Exposition evicted = Http.scrape(http);
            assertTrue(evicted.value("redis_evicted_keys_total") > 0);
            assertEquals(Double.parseDouble(info(c, "evicted_keys")), evicted.value("redis_evicted_keys_total"));
            assertEquals(1024 * 1024, evicted.value("redis_memory_max_bytes"));
        } finally {
            b.stop();
        }
    }

    @Test
    void connectedClientsFollowConnections() throws Exception {
        BasaltInstance b = Http.startWithHttp();
        int http = b.server().ops().port();
        List<RawClient> clients = new ArrayList<>();
        try {
            Exposition none = Http.scrape(http);
            assertEquals(0, none.value("redis_connected_clients"));
            for (int i = 0; i < 4; i++) {
                RawClient c = new RawClient(b.port());
                c.call("PING"); // registered once it has been served
                clients.add(c);
            }
            Exposition four = Http.scrape(http);
            assertEquals(4, four.value("redis_connected_clients"));
            assertEquals(4, four.value("redis_connections_received_total") - none.value("redis_connections_received_total"));
            // a client in a blocking command
            clients.get(0).send("BLPOP", "nothing", "0");
            long deadline = System.currentTimeMillis() + 5000;
            while (Http.scrape(http).value("redis_blocked_clients") != 1) {
                assertTrue(System.currentTimeMillis() < deadline, "BLPOP not counted as blocked");
                Thread.sleep(10);
            }
            // a client held by CLIENT PAUSE counts as blocked too, as in Redis
            assertEquals("OK", clients.get(1).call("CLIENT", "PAUSE", "100000", "WRITE").string());
            clients.get(2).send("SET", "k", "v");
            while (Http.scrape(http).value("redis_blocked_clients") != 2) {
                assertTrue(System.currentTimeMillis() < deadline, "a paused client not counted as blocked");
                Thread.sleep(10);
            }
            assertEquals("OK", clients.get(1).call("CLIENT", "UNPAUSE").string());
            assertEquals("OK", clients.get(2).read().string());
            assertEquals(1, Http.scrape(http).value("redis_blocked_clients"));
            for (RawClient c : clients) c.close();
            clients.clear();
            while (Http.scrape(http).value("redis_connected_clients") != 0) {
                assertTrue(System.currentTimeMillis() < deadline, "closed connections still counted");
                Thread.sleep(10);
            }
            assertEquals(0, Http.scrape(http).value("redis_blocked_clients"));
        } finally {
            for (RawClient c : clients) c.close();
            b.stop();
        }
    }

    /** The metrics dashboards and alerts built for redis_exporter query, with its types and labels. */
    @Test
    void redisExporterNamesTypesAndLabels() throws Exception {
        BasaltInstance b = Http.startWithHttp();
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "k", "v");
            Exposition e = Http.scrape(b.server().ops().port());
            Map<String, String> types = new java.util.TreeMap<>();
            for (String g : List.of("redis_up", "redis_uptime_in_seconds", "redis_connected_clients", "redis_blocked_clients",
                    "redis_memory_used_bytes", "redis_memory_max_bytes", "redis_db_keys", "redis_db_keys_expiring",
                    "redis_connected_slaves", "redis_master_repl_offset", "redis_rdb_last_save_timestamp_seconds",
                    "redis_aof_enabled", "redis_instance_info", "redis_start_time_seconds", "redis_loading_dump_file",
                    "redis_rdb_changes_since_last_save", "redis_memory_used_rss_bytes", "redis_memory_used_peak_bytes",
                    "redis_pubsub_channels", "redis_config_maxclients")) {
                types.put(g, "gauge");
            }
            for (String k : List.of("redis_commands_total", "redis_commands_duration_seconds_total",
                    "redis_commands_failed_calls_total", "redis_commands_rejected_calls_total", "redis_keyspace_hits_total",
                    "redis_keyspace_misses_total", "redis_expired_keys_total", "redis_evicted_keys_total",
                    "redis_connections_received_total", "redis_net_input_bytes_total", "redis_net_output_bytes_total",
                    "redis_commands_processed_total", "redis_cpu_user_seconds_total", "redis_cpu_sys_seconds_total")) {
                types.put(k, "counter");
            }
            for (Map.Entry<String, String> t : types.entrySet()) {
                Exposition.Family f = e.family(t.getKey());
                assertEquals(t.getValue(), f.type, t.getKey());
                assertTrue(f.help != null && !f.help.isEmpty(), t.getKey() + " has no HELP");
            }
            assertEquals(Set.of("cmd"), e.samples("redis_commands_total").get(0).labels().keySet());
            assertEquals(Set.of("cmd"), e.samples("redis_commands_duration_seconds_total").get(0).labels().keySet());
            assertEquals(Set.of("db"), e.samples("redis_db_keys").get(0).labels().keySet());
            assertEquals(new TreeSet<>(List.of("role", "redis_version", "redis_build_id", "redis_mode", "os",
                    "maxmemory_policy", "tcp_port", "run_id", "process_id", "master_replid")),
                    new TreeSet<>(e.samples("redis_instance_info").get(0).labels().keySet()));
            // Basalt's own, and the JVM's
            for (String own : List.of("basalt_shard_keys", "basalt_shard_memory_bytes", "basalt_build_info",
                    "basalt_event_loop_cpu_seconds_total", "jvm_memory_used_bytes", "jvm_gc_collection_seconds")) {
                e.family(own);
            }
            assertTrue(e.samples("basalt_event_loop_cpu_seconds_total").size() >= 1);
            assertTrue(e.value("jvm_memory_used_bytes", "area", "heap") > 0);
            // no thread metrics: finding deadlocks stops every thread at a safepoint
            assertTrue(e.families.keySet().stream().noneMatch(n -> n.startsWith("jvm_threads")), e.families.keySet().toString());
            // nor process metrics: counting open files lists /proc/self/fd, one entry per connection
            assertTrue(e.families.keySet().stream().noneMatch(n -> n.startsWith("process_")), e.families.keySet().toString());
        } finally {
            b.stop();
        }
    }

    @Test
    void textFormatByDefaultOpenMetricsWhenAskedFor() throws Exception {
        BasaltInstance b = Http.startWithHttp();
        int http = b.server().ops().port();
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "k", "v");
            Http.Response text = Http.get(http, "/metrics");
            assertEquals(200, text.status());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", text.contentType());
            Exposition t = Exposition.parseText(text.body());
            assertEquals("counter", t.family("redis_commands_total").type);
            assertTrue(!text.body().contains("# EOF"));

            // what Prometheus sends: OpenMetrics preferred
            String prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
            Http.Response om = Http.get(http, "/metrics", prometheusAccept);
            assertEquals(200, om.status());
            assertTrue(om.contentType().startsWith("application/openmetrics-text; version=1.0.0"), om.contentType());
            Exposition o = Exposition.parseOpenMetrics(om.body());
            assertEquals("counter", o.family("redis_commands").type);
            assertEquals(1, o.value("redis_commands_total", "cmd", "set"));
            assertEquals("info", o.family("redis_instance").type);
            assertEquals(1, o.samples("redis_instance_info").size());
            assertEquals("gauge", o.family("redis_db_keys").type);

            // a scraper that accepts only the text format gets it
            assertEquals("text/plain; version=0.0.4; charset=utf-8",
                    Http.get(http, "/metrics", "text/plain;version=0.0.4").contentType());
        } finally {
            b.stop();
        }
    }

    /** Prometheus's own promtool parses and checks the exposition (where Debian's prometheus package is at hand). */
    @Test
    void promtoolChecksTheExposition() throws Exception {
        String promtool = Promtool.find();
        org.junit.jupiter.api.Assumptions.assumeTrue(promtool != null, "promtool not installed (.ci/run provides it)");
        BasaltInstance b = Http.startWithHttp();
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "k", "v");
            c.call("GET", "k");
            String body = Http.get(b.server().ops().port(), "/metrics").body();
            Promtool.Result r = Promtool.checkMetrics(promtool, body);
            assertTrue(r.parsed(), r.output());
            // and finds nothing to lint either (names, HELP, counter suffixes)
            assertEquals(0, r.exit(), r.output());
        } finally {
            b.stop();
        }
    }

    /**
     * A scrape reads running totals and takes no lock a writer waits on: with every shard lock and
     * the replication stream's lock held by another thread, /metrics still answers at once.
     */
    @Test
    void scrapingTakesNoShardLock() throws Exception {
        BasaltInstance b = Http.startWithHttp();
        int http = b.server().ops().port();
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "k", "v");
            b.server().keyspace().lockAll();
            try {
                synchronized (b.server().replication()) {
                    CompletableFuture<Exposition> f = CompletableFuture.supplyAsync(() -> {
                        try {
                            return Http.scrape(http);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    Exposition e = f.get(5, TimeUnit.SECONDS);
                    assertEquals(1, e.value("redis_db_keys", "db", "db0"));
                }
            } finally {
                b.server().keyspace().unlockAll();
            }
        } finally {
            b.stop();
        }
    }
}
