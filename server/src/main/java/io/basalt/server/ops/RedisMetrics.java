package io.basalt.server.ops;

import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.config.Config;
import io.basalt.server.replication.MasterLink;
import io.basalt.server.replication.ReplicationSource;
import io.basalt.server.stats.ServerStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's metrics as Prometheus snapshots, built at each scrape from the figures INFO
 * reports. Where a figure means what redis_exporter exports, the metric has redis_exporter's
 * name, type and labels ({@code redis_commands_total{cmd="get"}}, {@code redis_db_keys{db="db0"}},
 * ...), so dashboards and alerts written for redis_exporter work unchanged; what only Basalt has is
 * named {@code basalt_*}.
 *
 * <p>Nothing here takes a shard lock or any lock a writer waits on: counters are {@code LongAdder}
 * sums, key counts and memory are the shards' running totals read without their locks (a moment
 * stale, as INFO's), and the replication offset is a volatile read. A scrape's cost grows with the
 * number of shards, databases and command types run, never with the number of keys.
 */
final class RedisMetrics implements MultiCollector {
    private final OpsView view;
    private final Config config;
    private final Keyspace keyspace;
    private final ServerStats stats;
    private final CommandTable commands;
    private final ReplicationSource replication;
    private final MasterLink masterLink;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    RedisMetrics(OpsView view, Config config, Keyspace keyspace, ServerStats stats, CommandTable commands,
                 ReplicationSource replication, MasterLink masterLink) {
        this.view = view;
        this.config = config;
        this.keyspace = keyspace;
        this.stats = stats;
        this.commands = commands;
        this.replication = replication;
        this.masterLink = masterLink;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>(80);
        server(out);
        clients(out);
        memory(out);
        persistence(out);
        stats(out);
        replication(out);
        commandstats(out);
        keyspace(out);
        basalt(out);
        return new MetricSnapshots(out);
    }

    // ---------------------------------------------------------------- server

    private void server(List<MetricSnapshot> out) {
        boolean replica = masterLink.isReplica();
        out.add(gauge("redis_up", "Information about the Redis instance", 1));
        long uptimeMillis = view.uptimeMillis();
        out.add(gauge("redis_uptime_in_seconds", "uptime_in_seconds metric", uptimeMillis / 1000));
        out.add(gauge("redis_start_time_seconds", "Start time of the Redis instance since unix epoch in seconds.",
                view.startMillis() / 1000));
        out.add(gauge("redis_process_id", "process_id metric", ProcessHandle.current().pid()));
        out.add(InfoSnapshot.builder().name("redis_instance").help("Information about the Redis instance")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of(
                        "role", replica ? "slave" : "master",
                        "redis_version", view.redisVersion(),
                        "redis_build_id", "0000000000000000",
                        "redis_mode", config.getBool("cluster-enabled") ? "cluster" : "standalone",
                        "os", view.os(),
                        "maxmemory_policy", config.get("maxmemory-policy"),
                        "tcp_port", Integer.toString(view.tcpPort()),
                        "run_id", view.runId(),
                        "process_id", Long.toString(ProcessHandle.current().pid()),
                        "master_replid", replication.replId())).build())
                .build());
        out.add(InfoSnapshot.builder().name("basalt_build").help("Basalt's version and the Java runtime it runs on")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of(
                        "version", view.basaltVersion(),
                        "redis_version", view.redisVersion(),
                        "java_version", Runtime.version().toString())).build())
                .build());
        out.add(gauge("redis_config_maxclients", "config_maxclients metric", config.getLong("maxclients")));
        out.add(gauge("redis_config_maxmemory", "config_maxmemory metric", config.getLong("maxmemory")));
    }

    // ---------------------------------------------------------------- clients

    private void clients(List<MetricSnapshot> out) {
        out.add(gauge("redis_connected_clients", "connected_clients metric", view.connectedClients()));
        out.add(gauge("redis_blocked_clients", "blocked_clients metric", view.blockedClients()));
    }

    // ---------------------------------------------------------------- memory

    private void memory(List<MetricSnapshot> out) {
        long used = view.usedMemory();
        out.add(gauge("redis_memory_used_bytes", "used_memory metric", used));
        out.add(gauge("redis_memory_used_peak_bytes", "used_memory_peak metric", view.usedMemoryPeak(used)));
        out.add(gauge("redis_memory_used_rss_bytes", "used_memory_rss metric", view.rss()));
        out.add(gauge("redis_memory_used_dataset_bytes", "used_memory_dataset metric", keyspace.memoryUsage()));
        out.add(gauge("redis_memory_max_bytes", "maxmemory metric", config.getLong("maxmemory")));
    }

    // ---------------------------------------------------------------- persistence

    private void persistence(List<MetricSnapshot> out) {
        out.add(gauge("redis_loading_dump_file", "loading metric", view.loading() ? 1 : 0));
        out.add(gauge("redis_rdb_changes_since_last_save", "rdb_changes_since_last_save metric", stats.dirty.sum()));
        out.add(gauge("redis_rdb_bgsave_in_progress", "rdb_bgsave_in_progress metric", view.bgsaveInProgress() ? 1 : 0));
        out.add(gauge("redis_rdb_last_bgsave_status", "rdb_last_bgsave_status metric", view.lastBgsaveOk() ? 1 : 0));
        out.add(gauge("redis_rdb_last_save_timestamp_seconds", "rdb_last_save_time metric", view.lastSave()));
        out.add(gauge("redis_aof_enabled", "aof_enabled metric", view.aofEnabled() ? 1 : 0));
        out.add(gauge("redis_aof_rewrite_in_progress", "aof_rewrite_in_progress metric", view.aofRewriteInProgress() ? 1 : 0));
    }

    // ---------------------------------------------------------------- stats

    private void stats(List<MetricSnapshot> out) {
        out.add(counter("redis_connections_received", "connections_received_total metric", stats.connectionsReceived.sum()));
        out.add(counter("redis_commands_processed", "commands_processed_total metric", stats.commandsProcessed.sum()));
        out.add(counter("redis_rejected_connections", "rejected_connections_total metric", stats.rejectedConnections.sum()));
        out.add(counter("redis_net_input_bytes", "net_input_bytes_total metric", stats.netInputBytes.sum()));
        out.add(counter("redis_net_output_bytes", "net_output_bytes_total metric", stats.netOutputBytes.sum()));
        out.add(counter("redis_expired_keys", "expired_keys_total metric", keyspace.expiredKeys()));
        out.add(counter("redis_evicted_keys", "evicted_keys_total metric", keyspace.eviction().evictedKeys()));
        out.add(counter("redis_evicted_clients", "evicted_clients_total metric", view.evictedClients()));
        out.add(counter("redis_keyspace_hits", "keyspace_hits_total metric", stats.keyspaceHits.sum()));
        out.add(counter("redis_keyspace_misses", "keyspace_misses_total metric", stats.keyspaceMisses.sum()));
        out.add(gauge("redis_pubsub_channels", "pubsub_channels metric", view.pubsubChannels()));
        out.add(gauge("redis_pubsub_patterns", "pubsub_patterns metric", view.pubsubPatterns()));
        long[] cpu = view.cpuMicros();
        out.add(counter("redis_cpu_sys_seconds", "cpu_sys_seconds_total metric", cpu[0] / 1e6));
        out.add(counter("redis_cpu_user_seconds", "cpu_user_seconds_total metric", cpu[1] / 1e6));
        CounterSnapshot.Builder errors = CounterSnapshot.builder().name("redis_errors").help("Total number of errors per error type");
        for (Map.Entry<String, LongAdder> e : stats.errors().entrySet()) {
            errors.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("err", e.getKey())).value(e.getValue().sum()).build());
        }
        out.add(errors.build());
    }

    // ---------------------------------------------------------------- replication

    private void replication(List<MetricSnapshot> out) {
        // redis_exporter: cluster_enabled from INFO, and in cluster mode CLUSTER INFO's state
        String cluster = view.clusterState();
        out.add(gauge("redis_cluster_enabled", "cluster_enabled metric", cluster != null ? 1 : 0));
        if (cluster != null) out.add(gauge("redis_cluster_state", "cluster_state metric", "ok".equals(cluster) ? 1 : 0));
        out.add(gauge("redis_connected_slaves", "connected_slaves metric", replication.replicaCount()));
        long offset = replication.offset();
        out.add(gauge("redis_master_repl_offset", "master_repl_offset metric", offset));
        String host = masterLink.masterHost();
        if (host != null) {
            // a replica: redis_exporter labels its link's figures with the master's address
            Labels master = Labels.of("master_host", host, "master_port", Integer.toString(masterLink.masterPort()));
            out.add(gauge("redis_master_link_up", "Master link status on Redis slave", master, masterLink.connected() ? 1 : 0));
            out.add(gauge("redis_master_sync_in_progress", "Master sync in progress", master, masterLink.syncInProgress() ? 1 : 0));
            out.add(gauge("redis_slave_repl_offset", "Slave replication offset", master, masterLink.replicaOffset()));
        }
    }

    // ---------------------------------------------------------------- commandstats

    private void commandstats(List<MetricSnapshot> out) {
        CounterSnapshot.Builder calls = CounterSnapshot.builder().name("redis_commands").help("Total number of calls per command");
        CounterSnapshot.Builder usec = CounterSnapshot.builder().name("redis_commands_duration_seconds")
                .help("Total amount of time in seconds spent per command");
        CounterSnapshot.Builder rejected = CounterSnapshot.builder().name("redis_commands_rejected_calls")
                .help("Total number of rejected calls per command");
        CounterSnapshot.Builder failed = CounterSnapshot.builder().name("redis_commands_failed_calls")
                .help("Total number of failed calls per command");
        for (CommandSpec c : commands.allSpecs()) {
            long n = c.calls.sum();
            long f = c.failedCalls.sum();
            long r = c.rejectedCalls.sum();
            // as INFO commandstats: the commands that ran (or were refused) since the last reset
            if (n == 0 && f == 0 && r == 0) continue;
            Labels cmd = Labels.of("cmd", c.name);
            calls.dataPoint(CounterDataPointSnapshot.builder().labels(cmd).value(n).build());
            usec.dataPoint(CounterDataPointSnapshot.builder().labels(cmd).value(c.usec.sum() / 1e6).build());
            rejected.dataPoint(CounterDataPointSnapshot.builder().labels(cmd).value(r).build());
            failed.dataPoint(CounterDataPointSnapshot.builder().labels(cmd).value(f).build());
        }
        out.add(calls.build());
        out.add(usec.build());
        out.add(rejected.build());
        out.add(failed.build());
    }

    // ---------------------------------------------------------------- keyspace

    private void keyspace(List<MetricSnapshot> out) {
        GaugeSnapshot.Builder keys = GaugeSnapshot.builder().name("redis_db_keys").help("Total number of keys by DB");
        GaugeSnapshot.Builder expiring = GaugeSnapshot.builder().name("redis_db_keys_expiring")
                .help("Total number of expiring keys by DB");
        // every database, also the empty ones (redis_exporter --include-metrics-for-empty-databases),
        // so a database's series does not vanish when it is flushed
        for (int db = 0; db < keyspace.databases(); db++) {
            Labels l = Labels.of("db", "db" + db);
            keys.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(keyspace.size(db)).build());
            expiring.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(keyspace.volatileCount(db)).build());
        }
        out.add(keys.build());
        out.add(expiring.build());
    }

    // ---------------------------------------------------------------- Basalt's own

    private void basalt(List<MetricSnapshot> out) {
        GaugeSnapshot.Builder shardKeys = GaugeSnapshot.builder().name("basalt_shard_keys")
                .help("Keys in each shard of the keyspace, all databases together");
        GaugeSnapshot.Builder shardMemory = GaugeSnapshot.builder().name("basalt_shard_memory_bytes")
                .help("Bytes accounted to each shard of the keyspace (its part of used_memory_dataset)");
        int databases = keyspace.databases();
        for (int i = 0; i < keyspace.shardCount(); i++) {
            Shard s = keyspace.shard(i);
            long n = 0;
            for (int db = 0; db < databases; db++) n += s.size(db);
            Labels l = Labels.of("shard", Integer.toString(i));
            shardKeys.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(n).build());
            shardMemory.dataPoint(GaugeDataPointSnapshot.builder().labels(l).value(s.memoryUsage()).build());
        }
        out.add(shardKeys.build());
        out.add(shardMemory.build());
        out.add(gauge("basalt_compressed_values", "String values stored LZ4-compressed (basalt-compression)",
                keyspace.compressedValues()));
        out.add(gauge("basalt_compression_saved_bytes", "Raw length minus stored length of the compressed string values",
                keyspace.compressionSavedBytes()));
        // CPU time of each RESP event loop: its busy time (an idle loop waits in epoll at no CPU)
        if (threads.isThreadCpuTimeSupported()) {
            CounterSnapshot.Builder busy = CounterSnapshot.builder().name("basalt_event_loop_cpu_seconds")
                    .help("CPU time used by each RESP event loop thread (commands, parsing, replies)");
            int i = 0;
            for (Thread t : view.eventLoopThreads()) {
                long nanos = threads.getThreadCpuTime(t.getId());
                if (nanos < 0) continue; // ended
                busy.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("loop", Integer.toString(i++)))
                        .value(nanos / 1e9).build());
            }
            out.add(busy.build());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return gauge(name, help, Labels.EMPTY, value);
    }

    private static GaugeSnapshot gauge(String name, String help, Labels labels, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build()).build();
    }

    /** A counter; {@code name} without "_total", which the exposition formats add. */
    private static CounterSnapshot counter(String name, String help, double value) {
        return CounterSnapshot.builder().name(name).help(help)
                .dataPoint(CounterDataPointSnapshot.builder().value(value).build()).build();
    }
}
