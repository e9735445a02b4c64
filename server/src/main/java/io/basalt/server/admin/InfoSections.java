package io.basalt.server.admin;

import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.commands.Generic;
import io.basalt.server.config.Config;
import io.basalt.server.config.ConfigParams;
import io.basalt.server.stats.LatencyHistogram;
import io.basalt.server.stats.ServerStats;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The text of INFO, section by section, with Redis 7.0.15's field names and order, "# Section"
 * headers, CRLF line endings and a blank line between sections. Figures Redis takes from its
 * allocator come from the keyspace's own accounting (dataset) and the process (RSS).
 */
public final class InfoSections {
    private InfoSections() {}

    /** Every section in Redis's order; "default" leaves out commandstats and latencystats. */
    static final List<String> ALL = List.of("server", "clients", "memory", "persistence", "stats", "replication",
            "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace");
    static final Set<String> DEFAULT = Set.of("server", "clients", "memory", "persistence", "stats", "replication",
            "cpu", "modules", "errorstats", "cluster", "keyspace");

    /** A fixed estimate of what the server itself needs before any key (Redis: used_memory_startup). */
    public static final long STARTUP_OVERHEAD = 876072;
    /** Per-connection overhead in used_memory_overhead (client struct plus buffers). */
    public static final long CLIENT_OVERHEAD = 20 * 1024;

    /** INFO's text for the requested sections (none: default). Unknown sections add nothing. */
    public static String generate(BasaltServer server, Set<String> requested) {
        boolean everything = requested.contains("all") || requested.contains("everything");
        boolean defaults = requested.isEmpty() || requested.contains("default");
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (String s : ALL) {
            if (!(everything || (defaults && DEFAULT.contains(s)) || requested.contains(s))) continue;
            if (n++ > 0) sb.append("\r\n");
            section(server, s, sb);
        }
        return sb.toString();
    }

    private static void section(BasaltServer server, String name, StringBuilder sb) {
        switch (name) {
            case "server": server(server, sb); break;
            case "clients": clients(server, sb); break;
            case "memory": memory(server, sb); break;
            case "persistence": persistence(server, sb); break;
            case "stats": stats(server, sb); break;
            case "replication": replication(server, sb); break;
            case "cpu": cpu(sb); break;
            case "modules": sb.append("# Modules\r\n"); break;
            case "commandstats": commandstats(server, sb); break;
            case "errorstats": errorstats(server, sb); break;
            case "latencystats": latencystats(server, sb); break;
            case "cluster": sb.append("# Cluster\r\n"); line(sb, "cluster_enabled", server.cluster() != null ? 1 : 0); break;
            case "keyspace": keyspace(server, sb); break;
            default: break;
        }
    }

    private static void line(StringBuilder sb, String name, Object value) {
        sb.append(name).append(':').append(value).append("\r\n");
    }

    // ---------------------------------------------------------------- server

    private static void server(BasaltServer s, StringBuilder sb) {
        Config cfg = s.config();
        long uptime = s.uptimeMillis() / 1000;
        sb.append("# Server\r\n");
        line(sb, "redis_version", BasaltServer.REDIS_VERSION);
        line(sb, "redis_git_sha1", "00000000");
        line(sb, "redis_git_dirty", 0);
        line(sb, "redis_build_id", "0000000000000000");
        line(sb, "redis_mode", s.cluster() != null ? "cluster" : "standalone");
        line(sb, "basalt_version", BasaltServer.BASALT_VERSION);
        line(sb, "os", osName());
        line(sb, "arch_bits", "64".equals(System.getProperty("sun.arch.data.model")) ? 64 : 32);
        line(sb, "monotonic_clock", "POSIX clock_gettime");
        line(sb, "multiplexing_api", io.netty.channel.epoll.Epoll.isAvailable() ? "epoll" : "nio");
        line(sb, "atomicvar_api", "java-atomic");
        line(sb, "gcc_version", "0.0.0");
        line(sb, "java_version", Runtime.version());
        line(sb, "process_id", ProcessHandle.current().pid());
        line(sb, "process_supervised", "no");
        line(sb, "run_id", s.runId());
        line(sb, "tcp_port", s.listening() ? s.port() : cfg.getInt("port"));
        line(sb, "server_time_usec", System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000);
        line(sb, "uptime_in_seconds", uptime);
        line(sb, "uptime_in_days", uptime / 86400);
        line(sb, "hz", s.hz());
        line(sb, "configured_hz", cfg.get("hz"));
        line(sb, "lru_clock", Generic.lruClock());
        line(sb, "executable", executable());
        line(sb, "config_file", cfg.file() == null ? "" : cfg.file().toString());
        line(sb, "io_threads_active", 0);
    }

    /** INFO server: os ("Linux 6.1.0 x86_64"). */
    public static String osName() {
        String arch = System.getProperty("os.arch");
        if (arch.equals("amd64")) arch = "x86_64";
        if (arch.equals("aarch64")) arch = "aarch64";
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + arch;
    }

    private static String executable() {
        String launcher = System.getProperty("basalt.executable");
        if (launcher != null) return launcher;
        return ProcessHandle.current().info().command().orElse("");
    }

    // ---------------------------------------------------------------- clients

    private static void clients(BasaltServer s, StringBuilder sb) {
        long maxIn = 0;
        long maxOut = 0;
        int count = 0;
        int pubsub = 0;
        for (Client c : s.clients()) {
            count++;
            if (c.subscribed()) pubsub++;
            maxIn = Math.max(maxIn, c.queryBufferSize());
            maxOut = Math.max(maxOut, c.outputBufferSize());
        }
        sb.append("# Clients\r\n");
        line(sb, "connected_clients", count);
        line(sb, "cluster_connections", 0);
        line(sb, "maxclients", s.config().get("maxclients"));
        line(sb, "client_recent_max_input_buffer", maxIn);
        line(sb, "client_recent_max_output_buffer", maxOut);
        line(sb, "blocked_clients", blockedClients(s));
        // not in Redis 7.0 (added in 7.4), kept for the exporters that read it
        line(sb, "pubsub_clients", pubsub);
        line(sb, "tracking_clients", s.tracking().clients());
        line(sb, "clients_in_timeout_table", s.dispatcher().blocking().clientsWithTimeout());
    }

    /**
     * blocked_clients: clients in a blocking command, plus those CLIENT PAUSE holds (Redis counts
     * both). Two counts, no walk over the connections: /metrics reads it too, with thousands of them.
     */
    public static int blockedClients(BasaltServer s) {
        return s.dispatcher().blocking().blockedClients() + s.pause().parkedClients();
    }

    // ---------------------------------------------------------------- memory

    /** Resident set size from /proc/self/statm (pages), or the JVM's committed heap elsewhere. */
    public static long rss() {
        try {
            String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(statm[1]) * 4096;
        } catch (Exception e) {
            return Runtime.getRuntime().totalMemory();
        }
    }

    /** used_memory: the keyspace's accounted bytes plus the server's and clients' overhead. */
    public static long usedMemory(BasaltServer s) {
        return s.keyspace().memoryUsage() + overhead(s);
    }

    static long overhead(BasaltServer s) {
        return STARTUP_OVERHEAD + clientsMemory(s);
    }

    /** mem_clients_normal: a fixed cost per connection, plus the large arguments being read or run. */
    static long clientsMemory(BasaltServer s) {
        return (long) s.clients().size() * CLIENT_OVERHEAD + s.stats().bigArgumentBytes.sum();
    }

    private static void memory(BasaltServer s, StringBuilder sb) {
        long dataset = s.keyspace().memoryUsage();
        long overhead = overhead(s);
        long used = dataset + overhead;
        long peak = s.peakMemory(used);
        long rss = rss();
        long total = totalSystemMemory();
        long maxmemory = s.config().getLong("maxmemory");
        long netDataset = used - STARTUP_OVERHEAD;
        sb.append("# Memory\r\n");
        line(sb, "used_memory", used);
        line(sb, "used_memory_human", human(used));
        line(sb, "used_memory_rss", rss);
        line(sb, "used_memory_rss_human", human(rss));
        line(sb, "used_memory_peak", peak);
        line(sb, "used_memory_peak_human", human(peak));
        line(sb, "used_memory_peak_perc", pct(used, peak));
        line(sb, "used_memory_overhead", overhead);
        line(sb, "used_memory_startup", STARTUP_OVERHEAD);
        line(sb, "used_memory_dataset", dataset);
        line(sb, "used_memory_dataset_perc", pct(dataset, netDataset));
        Runtime rt = Runtime.getRuntime();
        long heapUsed = rt.totalMemory() - rt.freeMemory();
        line(sb, "allocator_allocated", heapUsed);
        line(sb, "allocator_active", rt.totalMemory());
        line(sb, "allocator_resident", rss);
        line(sb, "total_system_memory", total);
        line(sb, "total_system_memory_human", human(total));
        line(sb, "used_memory_lua", 0);
        line(sb, "used_memory_vm_eval", 0);
        line(sb, "used_memory_lua_human", human(0));
        line(sb, "used_memory_scripts_eval", 0);
        line(sb, "number_of_cached_scripts", 0);
        line(sb, "number_of_functions", s.scripting().functions().functionCount());
        line(sb, "number_of_libraries", s.scripting().functions().libraryCount());
        line(sb, "used_memory_vm_functions", 0);
        line(sb, "used_memory_vm_total", 0);
        line(sb, "used_memory_vm_total_human", human(0));
        line(sb, "used_memory_functions", 0);
        line(sb, "used_memory_scripts", 0);
        line(sb, "used_memory_scripts_human", human(0));
        line(sb, "maxmemory", maxmemory);
        line(sb, "maxmemory_human", human(maxmemory));
        line(sb, "maxmemory_policy", s.config().get("maxmemory-policy"));
        line(sb, "allocator_frag_ratio", ratio(rt.totalMemory(), Math.max(1, heapUsed)));
        line(sb, "allocator_frag_bytes", rt.totalMemory() - heapUsed);
        line(sb, "allocator_rss_ratio", ratio(rss, Math.max(1, rt.totalMemory())));
        line(sb, "allocator_rss_bytes", rss - rt.totalMemory());
        line(sb, "rss_overhead_ratio", ratio(rss, Math.max(1, rss)));
        line(sb, "rss_overhead_bytes", 0);
        line(sb, "mem_fragmentation_ratio", ratio(rss, Math.max(1, used)));
        line(sb, "mem_fragmentation_bytes", rss - used);
        line(sb, "mem_not_counted_for_evict", 0);
        line(sb, "mem_replication_backlog", 0);
        line(sb, "mem_total_replication_buffers", 0);
        line(sb, "mem_clients_slaves", 0);
        line(sb, "mem_clients_normal", clientsMemory(s));
        line(sb, "mem_cluster_links", 0);
        line(sb, "mem_aof_buffer", s.aof().bufferLength());
        line(sb, "mem_allocator", "jvm");
        line(sb, "active_defrag_running", 0);
        line(sb, "lazyfree_pending_objects", 0);
        line(sb, "lazyfreed_objects", 0);
        // Basalt: string values stored LZ4-compressed (basalt-compression), running totals
        line(sb, "basalt_compressed_values", s.keyspace().compressedValues());
        line(sb, "basalt_compression_saved_bytes", s.keyspace().compressionSavedBytes());
    }

    static long totalSystemMemory() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getTotalMemorySize();
        return Runtime.getRuntime().maxMemory();
    }

    /** Redis's bytesToHuman: B, K, M, G, T, P with two decimals. */
    public static String human(long n) {
        double d = n;
        if (n < 1024) return n + "B";
        String[] units = {"K", "M", "G", "T", "P"};
        int u = -1;
        while (d >= 1024 && u < units.length - 1) {
            d /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s", d, units[u]);
    }

    private static String pct(long part, long whole) {
        return String.format(Locale.ROOT, "%.2f%%", whole <= 0 ? 0.0 : part * 100.0 / whole);
    }

    private static String ratio(long a, long b) {
        return String.format(Locale.ROOT, "%.2f", (double) a / b);
    }

    // ---------------------------------------------------------------- persistence

    private static void persistence(BasaltServer s, StringBuilder sb) {
        sb.append("# Persistence\r\n");
        s.persistence().info((k, v) -> line(sb, k, v));
        s.aof().info(sb);
        s.persistence().loadingInfo((k, v) -> line(sb, k, v));
    }

    // ---------------------------------------------------------------- stats

    private static void stats(BasaltServer s, StringBuilder sb) {
        ServerStats st = s.stats();
        sb.append("# Stats\r\n");
        line(sb, "total_connections_received", st.connectionsReceived.sum());
        line(sb, "total_commands_processed", st.commandsProcessed.sum());
        line(sb, "instantaneous_ops_per_sec", st.opsMeter.perSecond());
        line(sb, "total_net_input_bytes", st.netInputBytes.sum());
        line(sb, "total_net_output_bytes", st.netOutputBytes.sum());
        line(sb, "total_net_repl_input_bytes", 0);
        line(sb, "total_net_repl_output_bytes", 0);
        line(sb, "instantaneous_input_kbps", kbps(st.inputMeter.perSecond()));
        line(sb, "instantaneous_output_kbps", kbps(st.outputMeter.perSecond()));
        line(sb, "instantaneous_input_repl_kbps", "0.00");
        line(sb, "instantaneous_output_repl_kbps", "0.00");
        line(sb, "rejected_connections", st.rejectedConnections.sum());
        line(sb, "sync_full", s.replication().syncFull());
        line(sb, "sync_partial_ok", s.replication().syncPartialOk());
        line(sb, "sync_partial_err", s.replication().syncPartialErr());
        line(sb, "expired_keys", s.keyspace().expiredKeys());
        line(sb, "expired_stale_perc", "0.00");
        line(sb, "expired_time_cap_reached_count", 0);
        line(sb, "expire_cycle_cpu_milliseconds", 0);
        line(sb, "evicted_keys", s.keyspace().eviction().evictedKeys());
        line(sb, "evicted_clients", s.evictedClients());
        line(sb, "total_eviction_exceeded_time", s.keyspace().eviction().totalExceededMillis());
        line(sb, "current_eviction_exceeded_time", s.keyspace().eviction().currentExceededMillis());
        line(sb, "keyspace_hits", st.keyspaceHits.sum());
        line(sb, "keyspace_misses", st.keyspaceMisses.sum());
        line(sb, "pubsub_channels", s.pubSub().channelCount(false));
        line(sb, "pubsub_patterns", s.pubSub().numpat());
        line(sb, "pubsubshard_channels", s.pubSub().channelCount(true));
        line(sb, "latest_fork_usec", 0);
        line(sb, "total_forks", 0);
        line(sb, "migrate_cached_sockets", 0);
        line(sb, "slave_expires_tracked_keys", 0);
        line(sb, "active_defrag_hits", 0);
        line(sb, "active_defrag_misses", 0);
        line(sb, "active_defrag_key_hits", 0);
        line(sb, "active_defrag_key_misses", 0);
        line(sb, "total_active_defrag_time", 0);
        line(sb, "current_active_defrag_time", 0);
        line(sb, "tracking_total_keys", s.tracking().totalKeys());
        line(sb, "tracking_total_items", s.tracking().totalItems());
        line(sb, "tracking_total_prefixes", s.tracking().totalPrefixes());
        line(sb, "unexpected_error_replies", st.unexpectedErrorReplies.sum());
        line(sb, "total_error_replies", st.errorReplies.sum());
        line(sb, "dump_payload_sanitizations", 0);
        line(sb, "total_reads_processed", 0); // not counted by the transport yet
        line(sb, "total_writes_processed", 0);
        line(sb, "io_threaded_reads_processed", 0);
        line(sb, "io_threaded_writes_processed", 0);
        line(sb, "reply_buffer_shrinks", 0);
        line(sb, "reply_buffer_expands", 0);
    }

    private static String kbps(long bytesPerSecond) {
        return String.format(Locale.ROOT, "%.2f", bytesPerSecond / 1024.0);
    }

    // ---------------------------------------------------------------- replication

    private static void replication(BasaltServer s, StringBuilder sb) {
        sb.append("# Replication\r\n");
        s.masterLink().info(sb);
        s.replication().info(sb);
    }

    // ---------------------------------------------------------------- cpu

    private static void cpu(StringBuilder sb) {
        long[] proc = procCpuMicros();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long threadTotal = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() / 1000 : 0;
        long threadUser = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadUserTime() / 1000 : 0;
        sb.append("# CPU\r\n");
        line(sb, "used_cpu_sys", seconds(proc[0]));
        line(sb, "used_cpu_user", seconds(proc[1]));
        line(sb, "used_cpu_sys_children", seconds(0));
        line(sb, "used_cpu_user_children", seconds(0));
        line(sb, "used_cpu_sys_main_thread", seconds(Math.max(0, threadTotal - threadUser)));
        line(sb, "used_cpu_user_main_thread", seconds(threadUser));
    }

    /** (system, user) CPU time of the process in microseconds, from /proc/self/stat (100 ticks/s). */
    public static long[] procCpuMicros() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command name: state(0) ... utime is field 14 overall = index 11 here
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return new long[]{stime * 10_000, utime * 10_000};
        } catch (Exception e) {
            java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            long total = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1000 : 0;
            return new long[]{0, total};
        }
    }

    private static String seconds(long micros) {
        return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    // ---------------------------------------------------------------- commandstats, errorstats, latencystats

    private static void commandstats(BasaltServer s, StringBuilder sb) {
        sb.append("# Commandstats\r\n");
        for (CommandSpec c : s.commands().allSpecs()) {
            long calls = c.calls.sum();
            long failed = c.failedCalls.sum();
            long rejected = c.rejectedCalls.sum();
            if (calls == 0 && failed == 0 && rejected == 0) continue;
            long usec = c.usec.sum();
            sb.append("cmdstat_").append(c.name).append(":calls=").append(calls).append(",usec=").append(usec)
                    .append(",usec_per_call=")
                    .append(String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) usec / calls))
                    .append(",rejected_calls=").append(rejected).append(",failed_calls=").append(failed).append("\r\n");
        }
    }

    private static void errorstats(BasaltServer s, StringBuilder sb) {
        sb.append("# Errorstats\r\n");
        for (Map.Entry<String, LongAdder> e : s.stats().errors().entrySet()) {
            sb.append("errorstat_").append(e.getKey()).append(":count=").append(e.getValue().sum()).append("\r\n");
        }
    }

    private static void latencystats(BasaltServer s, StringBuilder sb) {
        sb.append("# Latencystats\r\n");
        String pcts = s.config().get("latency-tracking-info-percentiles");
        String[] ps = pcts.isEmpty() ? new String[0] : pcts.split(" ");
        for (CommandSpec c : s.commands().allSpecs()) {
            LatencyHistogram h = s.monitoring().histogram(c);
            if (h == null || h.count() == 0) continue;
            sb.append("latency_percentiles_usec_").append(c.name).append(':');
            for (int i = 0; i < ps.length; i++) {
                double p = Double.parseDouble(ps[i]);
                if (i > 0) sb.append(',');
                sb.append('p').append(ConfigParams.formatPercentile(p)).append('=')
                        .append(String.format(Locale.ROOT, "%.3f", h.valueAtPercentile(p) / 1000.0));
            }
            sb.append("\r\n");
        }
    }

    // ---------------------------------------------------------------- keyspace

    private static void keyspace(BasaltServer s, StringBuilder sb) {
        sb.append("# Keyspace\r\n");
        Keyspace ks = s.keyspace();
        for (int db = 0; db < ks.databases(); db++) {
            long keys = ks.size(db);
            if (keys == 0) continue;
            long expires = ks.volatileCount(db);
            sb.append("db").append(db).append(":keys=").append(keys).append(",expires=").append(expires)
                    .append(",avg_ttl=").append(expires == 0 ? 0 : avgTtl(ks, db)).append("\r\n");
        }
    }

    /** An estimate like Redis's: the mean remaining TTL of a few sampled volatile keys per shard. */
    static long avgTtl(Keyspace ks, int db) {
        long now = System.currentTimeMillis();
        long sum = 0;
        long n = 0;
        for (int i = 0; i < ks.shardCount(); i++) {
            Shard sh = ks.shard(i);
            if (sh.volatileCount(db) == 0) continue;
            sh.lock();
            try {
                for (int k = 0; k < 5; k++) {
                    Object e = sh.random(db);
                    if (e == null) break;
                    long at = Entries.expireAt(e);
                    if (at > now) {
                        sum += at - now;
                        n++;
                    }
                }
            } finally {
                sh.unlock();
            }
        }
        return n == 0 ? 0 : sum / n;
    }
}
