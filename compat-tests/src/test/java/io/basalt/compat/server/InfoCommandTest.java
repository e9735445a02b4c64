package io.basalt.compat.server;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest extends DifferentialTest {

    /** Section header -> field names, in order. */
    private static Map<String, List<String>> parse(String info) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        List<String> cur = null;
        for (String line : info.split("\r\n", -1)) {
            if (line.startsWith("# ")) {
                cur = new ArrayList<>();
                m.put(line.substring(2), cur);
            } else if (!line.isEmpty()) {
                cur.add(line.substring(0, line.indexOf(':')));
            }
        }
        return m;
    }

    /** Fields redis_exporter, redis-cli --stat, RedisInsight and ioredis/BullMQ read. */
    static final Set<String> TOOL_FIELDS = Set.of("redis_version", "redis_mode", "os", "arch_bits", "process_id",
            "run_id", "tcp_port", "uptime_in_seconds", "uptime_in_days", "hz", "configured_hz", "executable",
            "config_file", "connected_clients", "blocked_clients", "maxclients", "tracking_clients",
            "client_recent_max_input_buffer", "client_recent_max_output_buffer", "used_memory", "used_memory_human",
            "used_memory_rss", "used_memory_peak", "used_memory_peak_human", "used_memory_overhead",
            "used_memory_dataset", "maxmemory", "maxmemory_human", "maxmemory_policy", "mem_fragmentation_ratio",
            "mem_allocator", "loading", "rdb_changes_since_last_save", "rdb_last_save_time", "rdb_last_bgsave_status",
            "aof_enabled", "total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
            "total_net_input_bytes", "total_net_output_bytes", "instantaneous_input_kbps",
            "instantaneous_output_kbps", "rejected_connections", "expired_keys", "evicted_keys", "keyspace_hits",
            "keyspace_misses", "pubsub_channels", "pubsub_patterns", "latest_fork_usec", "total_error_replies",
            "role", "connected_slaves", "master_replid", "master_repl_offset", "used_cpu_sys", "used_cpu_user",
            "cluster_enabled", "basalt_version", "pubsub_clients");

    @Test
    void sectionsAndFieldNamesMatchRedis() {
        redis.call("SET", "k", "v");
        basalt.call("SET", "k", "v");
        redis.call("NOSUCHCMD");
        basalt.call("NOSUCHCMD");
        Map<String, List<String>> r = parse(redis.call("INFO", "everything").string());
        Map<String, List<String>> b = parse(basalt.call("INFO", "everything").string());
        assertEquals(new ArrayList<>(r.keySet()), new ArrayList<>(b.keySet()));
        for (String section : r.keySet()) {
            if (section.equals("Commandstats") || section.equals("Latencystats") || section.equals("Keyspace")) continue;
            List<String> missing = new ArrayList<>(r.get(section));
            missing.removeAll(b.get(section));
            assertTrue(missing.isEmpty(), section + " lacks " + missing);
        }
        Set<String> all = new TreeSet<>();
        b.values().forEach(all::addAll);
        for (String f : TOOL_FIELDS) assertTrue(all.contains(f), "missing " + f);
        assertTrue(b.get("Keyspace").contains("db0"));
        assertTrue(b.get("Commandstats").contains("cmdstat_set"));
        assertTrue(b.get("Errorstats").contains("errorstat_ERR"));
        assertTrue(b.get("Latencystats").contains("latency_percentiles_usec_set"));
    }

    @Test
    void sectionSelection() {
        for (String[] args : new String[][]{{"INFO"}, {"INFO", "default"}, {"INFO", "all"}, {"INFO", "server", "CLIENTS"},
                {"INFO", "keyspace", "server"}, {"INFO", "cpu", "cpu"}, {"INFO", "modules"}, {"INFO", "commandstats"}}) {
            assertEquals(parse(redis.call(args).string()).keySet(), parse(basalt.call(args).string()).keySet(),
                    String.join(" ", args));
        }
        same("INFO", "nosuch");
        same("INFO", "modules");
        same("INFO", "cluster");
        same("INFO", "keyspace");
        resp3();
        same("INFO", "nosuch");
        same("INFO", "cluster");
    }

    private long field(String section, String name) {
        for (String line : basalt.call("INFO", section).string().split("\r\n")) {
            if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1));
        }
        throw new AssertionError("no " + name);
    }

    @Test
    void countersMove() {
        long dirty = field("persistence", "rdb_changes_since_last_save");
        long hits = field("stats", "keyspace_hits");
        long misses = field("stats", "keyspace_misses");
        long commands = field("stats", "total_commands_processed");
        basalt.call("SET", "c", "1");
        basalt.call("GET", "c");
        basalt.call("GET", "nope");
        assertEquals(dirty + 1, field("persistence", "rdb_changes_since_last_save"));
        assertEquals(hits + 1, field("stats", "keyspace_hits"));
        assertEquals(misses + 1, field("stats", "keyspace_misses"));
        assertTrue(field("stats", "total_commands_processed") >= commands + 4);
        assertTrue(field("clients", "connected_clients") >= 1);
    }

    @Test
    void formatAndValues() {
        basalt.call("INFO", "server");
        RespValue v = basalt.call("INFO", "server", "replication", "commandstats", "latencystats", "keyspace");
        String info = v.string();
        assertTrue(info.startsWith("# Server\r\nredis_version:7.0.15\r\n"), info);
        assertTrue(info.endsWith("\r\n"));
        assertTrue(info.matches("(?s).*\r\nrun_id:[0-9a-f]{40}\r\n.*"));
        assertTrue(info.matches("(?s).*\r\nmaster_replid:[0-9a-f]{40}\r\n.*"));
        assertTrue(info.contains("\r\nrole:master\r\n"));
        assertTrue(info.contains("\r\ntcp_port:" + io.basalt.compat.harness.BasaltInstance.shared().port() + "\r\n"));
        assertTrue(info.matches("(?s).*\r\ncmdstat_info:calls=\\d+,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=0\r\n.*"), info);
        assertTrue(info.matches("(?s).*\r\nlatency_percentiles_usec_info:p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99.9=\\d+\\.\\d{3}\r\n.*"), info);
        basalt.call("DEBUG", "POPULATE", "5");
        String ks = basalt.call("INFO", "keyspace").string();
        assertTrue(ks.matches("# Keyspace\r\ndb0:keys=5,expires=0,avg_ttl=0\r\n"), ks);
        basalt.call("SET", "x", "y");
        basalt.call("HELLO", "3");
        RespValue three = basalt.call("INFO", "memory");
        assertEquals('=', three.type());
        String mem = three.string();
        assertTrue(mem.contains("mem_allocator:jvm\r\n"), mem);
        assertTrue(mem.matches("(?s).*used_memory:\\d+\r\nused_memory_human:[0-9.]+[BKMG]\r\n.*"), mem);
    }
}
