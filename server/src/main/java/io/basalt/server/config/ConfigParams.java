package io.basalt.server.config;

import java.util.ArrayList;
import java.util.List;

import static io.basalt.server.config.ConfigParam.bool;
import static io.basalt.server.config.ConfigParam.enumeration;
import static io.basalt.server.config.ConfigParam.integer;
import static io.basalt.server.config.ConfigParam.memory;
import static io.basalt.server.config.ConfigParam.special;
import static io.basalt.server.config.ConfigParam.string;

/**
 * The configuration table: every directive Basalt knows, with Redis 7.0's names, aliases,
 * defaults and ranges. Directives marked {@code notImplemented()} are accepted and reported like
 * Redis does so that existing redis.conf files and tools keep working, but have no effect yet.
 */
public final class ConfigParams {
    private ConfigParams() {}

    static final long INT_MAX = Integer.MAX_VALUE;
    static final long LONG_MAX = Long.MAX_VALUE;

    public static List<ConfigParam> all() {
        List<ConfigParam> t = new ArrayList<>();
        // ---------------------------------------------------------------- network
        t.add(integer("port", 6379, 0, 65535).build());
        t.add(special("bind", "127.0.0.1 -::1", v -> v.trim().replaceAll("\\s+", " ")).build());
        t.add(bool("protected-mode", true).build());
        t.add(integer("tcp-backlog", 511, 0, INT_MAX).immutable().build());
        t.add(integer("timeout", 0, 0, INT_MAX).build());
        t.add(integer("tcp-keepalive", 300, 0, INT_MAX).build());
        t.add(integer("maxclients", 10000, 1, INT_MAX).build());
        t.add(integer("io-threads", Runtime.getRuntime().availableProcessors(), 1, 128).immutable().build());
        t.add(bool("io-threads-do-reads", false).immutable().build());
        // ---------------------------------------------------------------- protocol limits
        t.add(memory("proto-max-bulk-len", 512L * 1024 * 1024, 1024 * 1024, LONG_MAX).build());
        t.add(memory("client-query-buffer-limit", 1024L * 1024 * 1024, 1024 * 1024, LONG_MAX).build());
        t.add(special("client-output-buffer-limit",
                "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
                ClientOutputBufferLimit::normalize).build());
        // ---------------------------------------------------------------- security
        t.add(string("requirepass", "").build());
        // ---------------------------------------------------------------- general
        t.add(integer("databases", 16, 1, INT_MAX).immutable().build());
        t.add(integer("hz", 10, 0, INT_MAX).build());
        t.add(bool("dynamic-hz", true).build());
        t.add(integer("active-expire-effort", 1, 1, 10).build());
        t.add(enumeration("loglevel", "notice", "debug", "verbose", "notice", "warning", "nothing").build());
        t.add(string("logfile", "").immutable().build());
        t.add(bool("daemonize", false).immutable().notImplemented().build());
        t.add(string("pidfile", "").immutable().build());
        // ---------------------------------------------------------------- persistence (issue 5)
        t.add(special("save", "", v -> v.trim()).notImplemented().build());
        t.add(bool("appendonly", false).notImplemented().build());
        t.add(string("dir", System.getProperty("user.dir")).build());
        t.add(string("dbfilename", "dump.rdb").build());
        // ---------------------------------------------------------------- monitoring
        t.add(integer("slowlog-log-slower-than", 10000, -1, LONG_MAX).build());
        t.add(integer("slowlog-max-len", 128, 0, LONG_MAX).build());
        t.add(integer("latency-monitor-threshold", 0, 0, LONG_MAX).build());
        // ---------------------------------------------------------------- memory (issue 6)
        t.add(memory("maxmemory", 0, 0, LONG_MAX).notImplemented().build());
        t.add(enumeration("maxmemory-policy", "noeviction", "volatile-lru", "volatile-lfu", "volatile-random",
                "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction").notImplemented().build());
        return t;
    }
}
