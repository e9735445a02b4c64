package io.basalt.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.basalt.server.config.ConfigParam.bool;
import static io.basalt.server.config.ConfigParam.enumeration;
import static io.basalt.server.config.ConfigParam.integer;
import static io.basalt.server.config.ConfigParam.memory;
import static io.basalt.server.config.ConfigParam.special;
import static io.basalt.server.config.ConfigParam.string;

/**
 * The configuration table: every directive Redis 7.0.15 reports for {@code CONFIG GET *}, with
 * Redis's names, aliases, defaults, types, ranges, enum values and mutability (taken from a real
 * redis-server by probing each parameter). Directives marked {@code notImplemented()} are
 * accepted, stored and reported like Redis does so that existing redis.conf files and tools keep
 * working, but have no effect (yet).
 *
 * <p>Deliberate differences from Redis's defaults: {@code save ""} (no persistence unless asked),
 * {@code io-threads} = core count, {@code dir} = working directory.
 */
public final class ConfigParams {
    private ConfigParams() {}

    static final long INT_MAX = Integer.MAX_VALUE;
    static final long INT_MIN = Integer.MIN_VALUE;
    static final long UINT_MAX = 4294967295L;
    static final long LONG_MAX = Long.MAX_VALUE;

    /**
     * Directives Basalt has and Redis does not: reported by CONFIG GET * and settable like the
     * rest, so tests comparing the table with Redis's leave exactly these out.
     */
    public static final java.util.Set<String> BASALT_ONLY = java.util.Set.of(
            "basalt-compression", "basalt-compression-min-size", "basalt-compression-min-saving",
            "basalt-http-port", "basalt-config-yaml", "basalt-tls-provider");

    public static List<ConfigParam> all() {
        List<ConfigParam> t = new ArrayList<>();
        // ACL (io.basalt.server.acl): applied through BasaltServer's bindings
        t.add(enumeration("acl-pubsub-default", "resetchannels", "allchannels", "resetchannels").build());
        t.add(string("aclfile", "").immutable().build());
        t.add(integer("acllog-max-len", 128, 0, LONG_MAX).build());
        t.add(integer("active-defrag-cycle-max", 25, 1, 99).notImplemented().build());
        t.add(integer("active-defrag-cycle-min", 1, 1, 99).notImplemented().build());
        t.add(memory("active-defrag-ignore-bytes", 104857600, 1, LONG_MAX).notImplemented().build());
        t.add(integer("active-defrag-max-scan-fields", 1000, 1, LONG_MAX).notImplemented().build());
        t.add(integer("active-defrag-threshold-lower", 10, 0, 1000).notImplemented().build());
        t.add(integer("active-defrag-threshold-upper", 100, 0, 1000).notImplemented().build());
        t.add(integer("active-expire-effort", 1, 1, 10).build());
        t.add(bool("activedefrag", false).notImplemented().build());
        t.add(bool("activerehashing", true).notImplemented().build());
        t.add(bool("always-show-logo", false).immutable().notImplemented().build());
        t.add(bool("aof-disable-auto-gc", false).notImplemented().build());
        t.add(bool("aof-load-truncated", true).build());
        t.add(bool("aof-rewrite-incremental-fsync", true).notImplemented().build());
        t.add(bool("aof-timestamp-enabled", false).build());
        t.add(bool("aof-use-rdb-preamble", true).build());
        t.add(string("aof_rewrite_cpulist", "").immutable().notImplemented().build());
        t.add(string("appenddirname", "appendonlydir").immutable().build());
        t.add(string("appendfilename", "appendonly.aof").immutable().build());
        t.add(enumeration("appendfsync", "everysec", "everysec", "always", "no").build());
        t.add(bool("appendonly", false).build());
        t.add(memory("auto-aof-rewrite-min-size", 67108864, 0, LONG_MAX).build());
        t.add(integer("auto-aof-rewrite-percentage", 100, 0, INT_MAX).build());
        t.add(string("bgsave_cpulist", "").immutable().notImplemented().build());
        t.add(special("bind", "* -::*", ConfigParams::bind).build());
        t.add(string("bind-source-addr", "").notImplemented().build());
        t.add(string("bio_cpulist", "").immutable().notImplemented().build());
        t.add(integer("busy-reply-threshold", 5000, 0, LONG_MAX).aliases("lua-time-limit").build());
        t.add(special("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", ClientOutputBufferLimit::normalize).build());
        t.add(memory("client-query-buffer-limit", 1024L * 1024 * 1024, 1024 * 1024, LONG_MAX).build());
        // cluster mode (io.basalt.server.cluster.ClusterMode binds them into ClusterOptions)
        t.add(bool("cluster-allow-pubsubshard-when-down", true).build());
        t.add(bool("cluster-allow-reads-when-down", false).build());
        t.add(bool("cluster-allow-replica-migration", true).build());
        t.add(integer("cluster-announce-bus-port", 0, 0, 65535).build());
        t.add(special("cluster-announce-hostname", "", ConfigParams::announcedHostname).build());
        t.add(string("cluster-announce-ip", "").build());
        t.add(integer("cluster-announce-port", 0, 0, 65535).build());
        t.add(integer("cluster-announce-tls-port", 0, 0, 65535).build());
        t.add(string("cluster-config-file", "nodes.conf").immutable().build());
        t.add(bool("cluster-enabled", false).immutable().build());
        t.add(memory("cluster-link-sendbuf-limit", 0, 0, LONG_MAX).build());
        t.add(integer("cluster-migration-barrier", 1, 0, INT_MAX).build());
        t.add(integer("cluster-node-timeout", 15000, 0, LONG_MAX).build());
        t.add(integer("cluster-port", 0, 0, 65535).immutable().build());
        t.add(enumeration("cluster-preferred-endpoint-type", "ip", "ip", "hostname", "unknown-endpoint").build());
        t.add(bool("cluster-replica-no-failover", false).aliases("cluster-slave-no-failover").build());
        t.add(integer("cluster-replica-validity-factor", 10, 0, INT_MAX).aliases("cluster-slave-validity-factor").build());
        t.add(bool("cluster-require-full-coverage", true).build());
        t.add(bool("crash-log-enabled", true).notImplemented().build());
        t.add(bool("crash-memcheck-enabled", true).notImplemented().build());
        t.add(bool("daemonize", false).immutable().notImplemented().build());
        t.add(integer("databases", 16, 1, INT_MAX).immutable().build());
        t.add(special("dbfilename", "dump.rdb", ConfigParams::dbfilename).protectedConfig().build());
        t.add(special("dir", System.getProperty("user.dir"), ConfigParams::dir).protectedConfig().build());
        t.add(bool("disable-thp", true).immutable().notImplemented().build());
        t.add(bool("dynamic-hz", true).notImplemented().build());
        t.add(enumeration("enable-debug-command", "no", "no", "yes", "local").immutable().build());
        t.add(enumeration("enable-module-command", "no", "no", "yes", "local").immutable().notImplemented().build());
        t.add(enumeration("enable-protected-configs", "no", "no", "yes", "local").immutable().build());
        t.add(integer("hash-max-listpack-entries", 512, 0, LONG_MAX).aliases("hash-max-ziplist-entries").build());
        t.add(memory("hash-max-listpack-value", 64, 0, LONG_MAX).aliases("hash-max-ziplist-value").build());
        t.add(memory("hll-sparse-max-bytes", 3000, 0, LONG_MAX).build());
        t.add(special("hz", "10", ConfigParams::hz).build());
        t.add(string("ignore-warnings", "").notImplemented().build());
        t.add(integer("io-threads", Runtime.getRuntime().availableProcessors(), 1, 128).immutable().build());
        t.add(bool("io-threads-do-reads", false).immutable().notImplemented().build());
        t.add(bool("jemalloc-bg-thread", true).notImplemented().build());
        t.add(integer("latency-monitor-threshold", 0, 0, LONG_MAX).build());
        t.add(bool("latency-tracking", true).build());
        t.add(special("latency-tracking-info-percentiles", "50 99 99.9", ConfigParams::percentiles).build());
        // Basalt never frees a value on the command's thread: a dropped key is reclaimed by the
        // garbage collector's own threads, which is what lazy freeing buys Redis. What the
        // lazyfree-lazy-* directives still decide, as in Redis, is whether a deletion the server
        // makes is propagated (AOF) as UNLINK or DEL.
        t.add(bool("lazyfree-lazy-eviction", false).build());
        t.add(bool("lazyfree-lazy-expire", false).build());
        t.add(bool("lazyfree-lazy-server-del", false).build());
        t.add(bool("lazyfree-lazy-user-del", false).build());
        t.add(bool("lazyfree-lazy-user-flush", false).build());
        t.add(integer("lfu-decay-time", 1, 0, INT_MAX).build());
        t.add(integer("lfu-log-factor", 10, 0, INT_MAX).build());
        t.add(integer("list-compress-depth", 0, 0, INT_MAX).build());
        t.add(integer("list-max-listpack-size", -2, INT_MIN, INT_MAX).aliases("list-max-ziplist-size").build());
        t.add(string("logfile", "").immutable().build());
        t.add(enumeration("loglevel", "notice", "debug", "verbose", "notice", "warning").build());
        t.add(string("masterauth", "").build());
        t.add(string("masteruser", "").build());
        t.add(integer("maxclients", 10000, 1, UINT_MAX).build());
        t.add(memory("maxmemory", 0, 0, LONG_MAX).build());
        t.add(special("maxmemory-clients", "0", ConfigParams::memoryOrPercent).build());
        t.add(integer("maxmemory-eviction-tenacity", 10, 0, 100).build());
        t.add(enumeration("maxmemory-policy", "noeviction", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction").build());
        t.add(integer("maxmemory-samples", 5, 1, INT_MAX).build());
        t.add(integer("min-replicas-max-lag", 10, 0, INT_MAX).aliases("min-slaves-max-lag").build());
        t.add(integer("min-replicas-to-write", 0, 0, INT_MAX).aliases("min-slaves-to-write").build());
        t.add(bool("no-appendfsync-on-rewrite", false).notImplemented().build());
        t.add(special("notify-keyspace-events", "", new KeyspaceEventsParser()).build());
        t.add(enumeration("oom-score-adj", "no", "no", "yes", "relative", "absolute").build());
        t.add(special("oom-score-adj-values", "0 200 800", ConfigParams::oomScoreAdjValues).build());
        t.add(string("pidfile", "").immutable().build());
        t.add(integer("port", 6379, 0, 65535).build());
        t.add(string("proc-title-template", "{title} {listen-addr} {server-mode}").notImplemented().build());
        t.add(enumeration("propagation-error-behavior", "ignore", "ignore", "panic", "panic-on-replicas").notImplemented().build());
        t.add(bool("protected-mode", true).build());
        t.add(memory("proto-max-bulk-len", 512L * 1024 * 1024, 1024 * 1024, LONG_MAX).build());
        t.add(bool("rdb-del-sync-files", false).build());
        t.add(bool("rdb-save-incremental-fsync", true).notImplemented().build());
        t.add(bool("rdbchecksum", true).immutable().build());
        t.add(bool("rdbcompression", true).build());
        t.add(memory("repl-backlog-size", 1048576, 1, LONG_MAX).build());
        t.add(integer("repl-backlog-ttl", 3600, 0, LONG_MAX).build());
        t.add(bool("repl-disable-tcp-nodelay", false).notImplemented().build());
        t.add(enumeration("repl-diskless-load", "disabled", "disabled", "on-empty-db", "swapdb").build());
        t.add(bool("repl-diskless-sync", true).build());
        t.add(integer("repl-diskless-sync-delay", 5, 0, INT_MAX).build());
        t.add(integer("repl-diskless-sync-max-replicas", 0, 0, INT_MAX).build());
        t.add(integer("repl-ping-replica-period", 10, 1, INT_MAX).aliases("repl-ping-slave-period").build());
        t.add(integer("repl-timeout", 60, 1, INT_MAX).build());
        t.add(string("replica-announce-ip", "").aliases("slave-announce-ip").build());
        t.add(integer("replica-announce-port", 0, 0, 65535).aliases("slave-announce-port").build());
        t.add(bool("replica-announced", true).build());
        t.add(bool("replica-ignore-disk-write-errors", false).notImplemented().build());
        t.add(bool("replica-ignore-maxmemory", true).aliases("slave-ignore-maxmemory").build());
        t.add(bool("replica-lazy-flush", false).aliases("slave-lazy-flush").notImplemented().build());
        t.add(integer("replica-priority", 100, 0, INT_MAX).aliases("slave-priority").build());
        t.add(bool("replica-read-only", true).aliases("slave-read-only").build());
        t.add(bool("replica-serve-stale-data", true).aliases("slave-serve-stale-data").build());
        t.add(special("replicaof", "", ConfigParams::replicaOf).aliases("slaveof").immutable().build());
        t.add(string("requirepass", "").build());
        t.add(enumeration("sanitize-dump-payload", "no", "no", "yes", "clients").notImplemented().build());
        t.add(special("save", "", ConfigParams::save).build());
        t.add(string("server_cpulist", "").immutable().notImplemented().build());
        t.add(integer("set-max-intset-entries", 512, 0, LONG_MAX).build());
        t.add(bool("set-proc-title", true).immutable().notImplemented().build());
        t.add(special("shutdown-on-sigint", "default", ConfigParams::shutdownOnSignal).build());
        t.add(special("shutdown-on-sigterm", "default", ConfigParams::shutdownOnSignal).build());
        // seconds SHUTDOWN and the signals wait for lagging replicas
        t.add(integer("shutdown-timeout", 10, 0, INT_MAX).build());
        t.add(integer("slowlog-log-slower-than", 10000, -1, LONG_MAX).build());
        t.add(integer("slowlog-max-len", 128, 0, LONG_MAX).build());
        t.add(integer("socket-mark-id", 0, 0, UINT_MAX).immutable().notImplemented().build());
        t.add(bool("stop-writes-on-bgsave-error", true).build());
        t.add(memory("stream-node-max-bytes", 4096, 0, LONG_MAX).build());
        t.add(integer("stream-node-max-entries", 100, 0, LONG_MAX).build());
        t.add(enumeration("supervised", "no", "upstart", "systemd", "auto", "no").immutable().notImplemented().build());
        t.add(bool("syslog-enabled", false).immutable().notImplemented().build());
        t.add(enumeration("syslog-facility", "local0", "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7").immutable().notImplemented().build());
        t.add(string("syslog-ident", "redis").immutable().notImplemented().build());
        t.add(integer("tcp-backlog", 511, 0, INT_MAX).immutable().build());
        t.add(integer("tcp-keepalive", 300, 0, INT_MAX).build());
        t.add(integer("timeout", 0, 0, INT_MAX).build());
        // ---- TLS (tls.c; io.basalt.server.util.TlsContexts). Redis's applyTlsCfg / applyTLSPort
        // are bound in BasaltServer.bindTls; tls-auth-clients is read as each connection is
        // accepted. basalt-tls-provider (Basalt only): auto (BoringSSL when it loads), openssl, jdk.
        t.add(enumeration("tls-auth-clients", "yes", "no", "yes", "optional").build());
        t.add(string("tls-ca-cert-dir", "").volatileConfig().build());
        t.add(string("tls-ca-cert-file", "").volatileConfig().build());
        t.add(string("tls-cert-file", "").volatileConfig().build());
        t.add(string("tls-ciphers", "").build());
        t.add(string("tls-ciphersuites", "").build());
        t.add(string("tls-client-cert-file", "").volatileConfig().build());
        t.add(string("tls-client-key-file", "").volatileConfig().build());
        t.add(string("tls-client-key-file-pass", "").build());
        t.add(bool("tls-cluster", false).build());
        t.add(string("tls-dh-params-file", "").volatileConfig().build());
        t.add(string("tls-key-file", "").volatileConfig().build());
        t.add(string("tls-key-file-pass", "").build());
        t.add(integer("tls-port", 0, 0, 65535).build());
        t.add(bool("tls-prefer-server-ciphers", false).build());
        t.add(string("tls-protocols", "").build());
        t.add(bool("tls-replication", false).build());
        t.add(integer("tls-session-cache-size", 20480, 0, INT_MAX).build());
        t.add(integer("tls-session-cache-timeout", 300, 0, INT_MAX).build());
        t.add(bool("tls-session-caching", true).build());
        t.add(enumeration("basalt-tls-provider", "auto", "auto", "openssl", "jdk").build());
        // ---- end of TLS
        t.add(integer("tracking-table-max-keys", 1000000, 0, LONG_MAX).build());
        t.add(string("unixsocket", "").immutable().notImplemented().build());
        t.add(special("unixsocketperm", "0", ConfigParams::octal).immutable().notImplemented().build());
        t.add(integer("zset-max-listpack-entries", 128, 0, LONG_MAX).aliases("zset-max-ziplist-entries").build());
        t.add(memory("zset-max-listpack-value", 64, 0, LONG_MAX).aliases("zset-max-ziplist-value").build());

        // Basalt-only directives (not in Redis; listed in BASALT_ONLY)
        t.add(enumeration("basalt-compression", "no", "no", "lz4").build());
        t.add(memory("basalt-compression-min-size", 1024, 1, INT_MAX).build());
        t.add(integer("basalt-compression-min-saving", 10, 0, 99).build());
        // the operations HTTP listener (/metrics, /health/*), on the addresses of bind; 0: off
        t.add(integer("basalt-http-port", 9121, 0, 65535).build());
        // a YAML (or JSON) file of directives, read after redis.conf and before the environment
        // and the command line (Main.load, ConfigSources); it is found before the layers apply
        t.add(string("basalt-config-yaml", "").immutable().build());
        t.add(integer("rdb-key-save-delay", 0, INT_MIN, INT_MAX).hidden().build());
        t.add(integer("key-load-delay", 0, INT_MIN, INT_MAX).hidden().build());

        return t;
    }

    // ---------------------------------------------------------------- special value parsers

    /** bind: one or more addresses, normalized to single spaces. */
    static String bind(String v) throws ConfigException {
        String s = v.trim().replaceAll("\\s+", " ");
        if (s.isEmpty()) throw new ConfigException("Too many bind addresses specified.");
        if (s.split(" ").length > 16) throw new ConfigException("Too many bind addresses specified.");
        return s;
    }

    /** dir: must be an existing directory; reported as an absolute path (Redis reports getcwd()). */
    /**
     * Redis's isValidAnnouncedHostname: shorter than NET_HOST_STR_LEN (256) bytes, only letters,
     * digits, '-' and '.' (empty: none).
     */
    static String announcedHostname(String v) throws ConfigException {
        if (v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 256) {
            throw new ConfigException("Hostnames must be less than 256 characters");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                throw new ConfigException("Hostnames may only contain alphanumeric characters, hyphens or dots");
            }
        }
        return v;
    }

    static String dir(String v) throws ConfigException {
        Path p = Path.of(v).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) throw new ConfigException("No such file or directory");
        return p.toString();
    }

    static String dbfilename(String v) throws ConfigException {
        if (v.indexOf('/') >= 0) throw new ConfigException("dbfilename can't be a path, just a filename");
        return v;
    }

    /** save: "" or pairs of seconds and changes, kept in the order given. */
    static String save(String v) throws ConfigException {
        String s = v.trim();
        if (s.isEmpty()) return "";
        String[] w = s.split("\\s+");
        if (w.length % 2 != 0) throw new ConfigException("Invalid save parameters");
        StringBuilder sb = new StringBuilder();
        for (String x : w) {
            long n;
            try {
                n = io.basalt.resp.Numbers.parseLong(x.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (NumberFormatException e) {
                throw new ConfigException("Invalid save parameters");
            }
            if (n < 0 || n > Integer.MAX_VALUE) throw new ConfigException("Invalid save parameters");
            if (sb.length() > 0) sb.append(' ');
            sb.append(n);
        }
        return sb.toString();
    }

    /** The classes of Redis's NOTIFY_ALL ('A'), in the order keyspaceEventsFlagsToString prints them. */
    private static final String EVENT_CLASSES = "g$lshzxetd";

    /**
     * Whether the printed notify-keyspace-events value {@code v} of {@code config} was set with
     * 'n' that the printed form cannot show (see {@link KeyspaceEventsParser}).
     */
    public static boolean keyspaceEventsHideNew(Config config, String v) {
        return config.param("notify-keyspace-events").parser instanceof KeyspaceEventsParser p
                && v.equals(p.newHiddenByAll);
    }

    /**
     * notify-keyspace-events' parser. One per configuration table (so per server: two servers in
     * one JVM do not share it), because it remembers the last value that had 'n' (new-key events)
     * hidden by 'A' in its printed form: the server's flags still include new keys then, as in
     * Redis, where the flags and their printed form are separate.
     */
    private static final class KeyspaceEventsParser implements ConfigParam.Parser {
        private volatile String newHiddenByAll;

        @Override
        public String parse(String v) throws ConfigException {
            String printed = keyspaceEvents(v);
            if (printed.startsWith("A") && v.indexOf('n') >= 0) newHiddenByAll = printed;
            else if (printed.equals(newHiddenByAll)) newHiddenByAll = null;
            return printed;
        }
    }

    /**
     * notify-keyspace-events: Redis's keyspaceEventsStringToFlags (same letters, same error),
     * printed back as keyspaceEventsFlagsToString does: 'A' when every class of NOTIFY_ALL is on,
     * else the classes then 'n'; then 'K', 'E', 'm'. (Like Redis, 'n' is not printed next to 'A'.)
     */
    static String keyspaceEvents(String v) throws ConfigException {
        boolean[] cls = new boolean[EVENT_CLASSES.length()];
        boolean k = false;
        boolean e = false;
        boolean m = false;
        boolean n = false;
        for (char c : v.toCharArray()) {
            int i = EVENT_CLASSES.indexOf(c);
            if (c == 'A') java.util.Arrays.fill(cls, true);
            else if (i >= 0) cls[i] = true;
            else if (c == 'K') k = true;
            else if (c == 'E') e = true;
            else if (c == 'm') m = true;
            else if (c == 'n') n = true;
            else throw new ConfigException("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        }
        StringBuilder sb = new StringBuilder();
        boolean every = true;
        for (boolean b : cls) every &= b;
        if (every) {
            sb.append('A');
        } else {
            for (int i = 0; i < cls.length; i++) if (cls[i]) sb.append(EVENT_CLASSES.charAt(i));
            if (n) sb.append('n');
        }
        if (k) sb.append('K');
        if (e) sb.append('E');
        if (m) sb.append('m');
        return sb.toString();
    }

    static String oomScoreAdjValues(String v) throws ConfigException {
        String[] w = v.trim().split("\\s+");
        if (w.length != 3) throw new ConfigException("wrong number of arguments");
        StringBuilder sb = new StringBuilder();
        for (String x : w) {
            long n;
            try {
                n = io.basalt.resp.Numbers.parseLong(x.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (NumberFormatException e) {
                throw new ConfigException("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
            }
            if (n < -2000 || n > 2000) {
                throw new ConfigException("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
            }
            if (sb.length() > 0) sb.append(' ');
            sb.append(n);
        }
        return sb.toString();
    }

    /** latency-tracking-info-percentiles: doubles in [0, 100], printed like Redis's %f trimmed. */
    static String percentiles(String v) throws ConfigException {
        String s = v.trim();
        if (s.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        for (String x : s.split("\\s+")) {
            double d;
            try {
                d = Double.parseDouble(x);
            } catch (NumberFormatException e) {
                throw new ConfigException("Invalid latency-tracking-info-percentiles parameters");
            }
            if (!(d >= 0.0 && d <= 100.0)) {
                throw new ConfigException("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
            }
            if (sb.length() > 0) sb.append(' ');
            sb.append(formatPercentile(d));
        }
        return sb.toString();
    }

    /** 99.9 -> "99.9", 50 -> "50": Redis prints percentiles with trailing zeros removed. */
    public static String formatPercentile(double d) {
        String f = String.format(Locale.ROOT, "%f", d);
        if (f.indexOf('.') >= 0) {
            f = f.replaceAll("0+$", "");
            if (f.endsWith(".")) f = f.substring(0, f.length() - 1);
        }
        return f;
    }

    /** maxmemory-clients: a memory value, or a percentage of maxmemory ("10%"). */
    static String memoryOrPercent(String v) throws ConfigException {
        if (v.endsWith("%")) {
            try {
                long p = io.basalt.resp.Numbers.parseLong(v.substring(0, v.length() - 1)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                // Redis's numericParseString accepts any non-negative percentage, then
                // numericBoundaryCheck refuses one above the bound (lower_bound -100)
                if (p > 100) throw new ConfigException("percentage argument must be less or equal to 100");
                if (p >= 0) return p + "%";
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            throw new ConfigException("argument must be a memory or percent value");
        }
        long m = MemoryUnits.parse(v);
        if (m == Long.MIN_VALUE) throw new ConfigException("argument must be a memory or percent value");
        return Long.toString(m);
    }

    /** The SHUTDOWN flags of shutdown-on-sigint/-sigterm, in the order CONFIG GET prints them. */
    public static final String[] SHUTDOWN_FLAGS = {"save", "nosave", "now", "force"};

    /**
     * shutdown-on-sigint / shutdown-on-sigterm: Redis 7.0's multi-argument enum, any combination
     * of save, nosave, now and force ("default" alone or with others adds nothing), printed in that
     * order or as "default"; save and nosave together are refused (isValidShutdownOnSigFlags).
     */
    static String shutdownOnSignal(String v) throws ConfigException {
        // split on single spaces as Redis (sdssplitlen): an empty word (two spaces) is invalid
        String[] words = v.split(" ", -1);
        int flags = 0;
        for (String w : words) {
            String lw = w.toLowerCase(Locale.ROOT);
            int bit = lw.equals("default") ? 0 : -1;
            for (int i = 0; i < SHUTDOWN_FLAGS.length; i++) if (SHUTDOWN_FLAGS[i].equals(lw)) bit = 1 << i;
            if (bit < 0) {
                throw new ConfigException("argument(s) must be one of the following: default, save, nosave, now, force");
            }
            flags |= bit;
        }
        if ((flags & 3) == 3) throw new ConfigException("shutdown options SAVE and NOSAVE can't be used simultaneously");
        if (flags == 0) return "default";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SHUTDOWN_FLAGS.length; i++) {
            if ((flags & (1 << i)) != 0) sb.append(sb.length() == 0 ? "" : " ").append(SHUTDOWN_FLAGS[i]);
        }
        return sb.toString();
    }

    /** The flags (bit i = SHUTDOWN_FLAGS[i], Redis's SHUTDOWN_SAVE=1 NOSAVE=2 NOW=4 FORCE=8) of a normalized value. */
    public static int shutdownFlags(String normalized) {
        int flags = 0;
        for (String w : normalized.split(" ")) {
            for (int i = 0; i < SHUTDOWN_FLAGS.length; i++) if (SHUTDOWN_FLAGS[i].equals(w)) flags |= 1 << i;
        }
        return flags;
    }

    /** hz: any non-negative int is accepted, the effective (and reported) value is 1..500. */
    static String hz(String v) throws ConfigException {
        long n;
        try {
            n = io.basalt.resp.Numbers.parseLong(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            throw new ConfigException("argument couldn't be parsed into an integer");
        }
        if (n < 0 || n > INT_MAX) throw new ConfigException("argument must be between 0 and 2147483647 inclusive");
        return Long.toString(Math.max(1, Math.min(500, n)));
    }

    /** unixsocketperm: an octal permission mask. */
    static String octal(String v) throws ConfigException {
        try {
            long n = Long.parseLong(v, 8);
            if (n < 0 || n > 0777) throw new ConfigException("Invalid socket file permissions");
            return Long.toOctalString(n);
        } catch (NumberFormatException e) {
            throw new ConfigException("Invalid socket file permissions");
        }
    }

    /** replicaof: "" or "host port" ("no one" clears it). */
    static String replicaOf(String v) throws ConfigException {
        String s = v.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("no one")) return "";
        String[] w = s.split("\\s+");
        if (w.length != 2) throw new ConfigException("wrong number of arguments");
        try {
            int port = Integer.parseInt(w[1]);
            if (port < 0 || port > 65535) throw new ConfigException("Invalid master port");
        } catch (NumberFormatException e) {
            throw new ConfigException("Invalid master port");
        }
        return w[0] + " " + w[1];
    }
}
