package io.basalt.compat.persistence;

import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Helpers of the AOF tests: keyspace dumps compared key by key, and the files of a directory. */
final class AofFiles {
    private AofFiles() {}

    /**
     * Every key of databases 0..3: type, absolute expiry (PEXPIRETIME) and value, unordered
     * collections sorted, so two servers holding the same data give equal maps.
     */
    static Map<String, String> dump(int port) {
        awaitLoaded(port);
        Map<String, String> all = new TreeMap<>();
        try (RawClient c = new RawClient(port)) {
            for (int db = 0; db < 4; db++) {
                c.call("SELECT", Integer.toString(db));
                List<String> keys = new ArrayList<>();
                String cursor = "0";
                do {
                    RespValue r = c.call("SCAN", cursor, "COUNT", "1000");
                    cursor = r.get(0).string();
                    for (RespValue k : r.get(1).elements()) keys.add(k.string());
                } while (!cursor.equals("0"));
                for (String k : keys) {
                    String type = c.call("TYPE", k).string();
                    String value = switch (type) {
                        case "string" -> c.call("GET", k).string();
                        case "list" -> strings(c.call("LRANGE", k, "0", "-1")).toString();
                        case "set" -> strings(c.call("SMEMBERS", k)).stream().sorted().toList().toString();
                        case "hash" -> {
                            List<String> f = strings(c.call("HGETALL", k));
                            TreeMap<String, String> m = new TreeMap<>();
                            for (int i = 0; i < f.size(); i += 2) m.put(f.get(i), f.get(i + 1));
                            yield m.toString();
                        }
                        case "zset" -> strings(c.call("ZRANGE", k, "0", "-1", "WITHSCORES")).toString();
                        default -> "?";
                    };
                    all.put(db + ":" + k, type + " " + c.call("PEXPIRETIME", k).string() + " " + value);
                }
            }
        }
        return all;
    }

    /** The keyspace redis-server 7.0 loads from the append-only directory in {@code dir} (see {@link #dump}). */
    static Map<String, String> redisDump(Path dir) {
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", dir.toString());
        try {
            return dump(redis.port());
        } finally {
            redis.stop();
        }
    }

    /** redis-server listens while it loads its files (replying -LOADING): waits until done. */
    static void awaitLoaded(int port) {
        long deadline = System.currentTimeMillis() + 30_000;
        try (RawClient c = new RawClient(port)) {
            while (c.call("PING").isError()) {
                if (System.currentTimeMillis() > deadline) throw new AssertionError("still loading");
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static List<String> strings(RespValue r) {
        List<String> out = new ArrayList<>();
        for (RespValue v : r.elements()) out.add(v.string());
        return out;
    }

    /** The files of the manifest's incremental files, concatenated. */
    static String incr(Path aofDir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(aofDir.resolve("appendonly.aof.manifest"))) {
            if (line.endsWith("type i")) {
                sb.append(Files.readString(aofDir.resolve(line.split(" ")[1]), StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    /**
     * A log with what differs between two runs taken out: #TS annotations and absolute
     * millisecond times (13 digits), which depend on when each server ran the command.
     */
    static String normalized(String log) {
        return log.replaceAll("#TS:\\d+\r\n", "").replaceAll("\\$13\r\n\\d{13}\r\n", "\\$13\r\n<ms>\r\n");
    }

    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    /** Polls INFO persistence until no rewrite is in progress. */
    static void awaitRewrite(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        try (RawClient c = new RawClient(port)) {
            while (System.currentTimeMillis() < deadline) {
                String info = c.call("INFO", "persistence").string();
                if (info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0")) return;
                Thread.sleep(50);
            }
        }
        throw new AssertionError("rewrite still in progress");
    }
}
