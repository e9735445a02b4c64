package io.basalt.server.ops;

import io.basalt.resp.Json;

import io.basalt.resp.RespReader;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespValue;
import io.basalt.server.client.Client;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The admin REST API under {@code /api/v1/} (issue 18), documented in
 * {@code io/basalt/server/ops/openapi.json} (served at {@code /api/v1/openapi.json}).
 *
 * <p>Every route runs the server's own commands (INFO, CONFIG GET/SET, CLIENT LIST/KILL, SLOWLOG,
 * LATENCY, SCAN, TYPE, PTTL, BGSAVE, ROLE, CLUSTER ...) through one internal client, the way a
 * script's redis.call runs them, and turns their replies into JSON: the validation, the error
 * texts and the locking are those of the commands, so {@code PUT /api/v1/config/maxmemory}
 * accepts and refuses exactly what {@code CONFIG SET maxmemory} does, with the same message.
 * Requests are handled one at a time on a thread of their own ({@code basalt-admin}), never on
 * the RESP event loops nor on the HTTP thread that answers {@code /metrics} and the probes; each
 * command holds its shard locks only as long as it would for a RESP client (the key browser is
 * SCAN-based, one bounded page per request).
 *
 * <p>When {@code requirepass} is set, every route but the OpenAPI document needs the password
 * (HTTP Basic, any user name, or {@code Authorization: Bearer <password>}): the reads show key
 * values, client addresses and the configuration, which a RESP client sees only after AUTH.
 */
public final class AdminApi {
    /** What the API needs of the server: its internal client and the password check. */
    public interface Backend {
        /** A new internal client (not listed by CLIENT LIST, authenticated). */
        Client newClient();

        /** Runs one command for {@code c} as the dispatcher runs a connection's command. */
        void dispatch(Client c, RespRequest req);

        boolean requiresAuth();

        boolean checkPassword(byte[] password);
    }

    /** An answer: HTTP status, JSON body (or, for a JFR recording, {@code binary}). */
    public record Response(int status, String body, String contentType, byte[] binary) {
        Response(int status, String body, String contentType) { this(status, body, contentType, null); }

        static Response json(int status, Object v) { return new Response(status, Json.write(v), "application/json"); }

        static Response error(int status, String msg) { return json(status, Map.of("error", msg)); }
    }

    /** A request refused with a status and a message (bad input, a command's error). */
    static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String msg) {
            super(msg, null, false, false);
            this.status = status;
        }
    }

    /** Largest page of the key browser (SCAN's COUNT hint and the keys' TYPE/PTTL look-ups). */
    static final int MAX_COUNT = 1000;
    /** How many elements of a collection the key view shows, and how many bytes of a string. */
    static final int PREVIEW_ELEMENTS = 100;
    static final int PREVIEW_BYTES = 4096;

    private static final Pattern FLAT_FIELDS = Pattern.compile("[A-Za-z0-9_\\-]+=[^,]*(,[A-Za-z0-9_\\-]+=[^,]*)*");

    private final Backend backend;
    private Client client; // only on the admin thread

    public AdminApi(Backend backend) {
        this.backend = backend;
    }

    // ---------------------------------------------------------------- entry

    /**
     * Handles one request (on the admin thread). {@code path} is the raw (still percent-encoded)
     * path, {@code authorization} the header or null.
     */
    public Response handle(String method, String rawPath, Map<String, List<String>> query, String body, String authorization) {
        try {
            List<String> seg = segments(rawPath);
            if (seg.size() == 1 && seg.get(0).equals("openapi.json") && method.equals("GET")) return openapi();
            if (backend.requiresAuth() && !authorized(authorization)) {
                return Response.error(401, "authentication required: the requirepass password as HTTP Basic or Bearer credentials");
            }
            return route(method, seg, query, body);
        } catch (ApiError e) {
            return Response.error(e.status, e.getMessage());
        } catch (Paused e) {
            return Response.error(503, "the server is paused (CLIENT PAUSE): retry later");
        } catch (RuntimeException e) {
            client = null; // start again from a fresh client
            return Response.error(500, "internal error: " + e);
        }
    }

    private static List<String> segments(String rawPath) {
        String p = rawPath.substring("/api/v1".length());
        List<String> seg = new ArrayList<>();
        for (String s : p.split("/", -1)) {
            // a path's '+' is a plus (decodeComponent would read it as a form's space)
            if (!s.isEmpty()) seg.add(QueryStringDecoder.decodeComponent(s.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        return seg;
    }

    private boolean authorized(String h) {
        if (h == null) return false;
        String password;
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            password = h.substring(7).trim();
        } else if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String up = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = up.indexOf(':');
                if (colon < 0) return false;
                password = up.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return false;
            }
        } else {
            return false;
        }
        return backend.checkPassword(password.getBytes(StandardCharsets.UTF_8));
    }

    private Response route(String method, List<String> seg, Map<String, List<String>> q, String body) {
        if (seg.isEmpty()) return methods(method, "GET") ? index() : null;
        String first = seg.get(0);
        int n = seg.size();
        switch (first) {
            case "info":
                if (n == 1 && methods(method, "GET")) return ok(info(param(q, "section")));
                break;
            case "config":
                if (n == 1 && methods(method, "GET")) return configList(param(q, "pattern"));
                if (n == 2 && methods(method, "GET", "PUT")) {
                    return method.equals("GET") ? configGet(seg.get(1)) : configSet(seg.get(1), body);
                }
                break;
            case "clients":
                if (n == 1 && methods(method, "GET")) return ok(Map.of("clients", clients()));
                if (n == 2 && methods(method, "DELETE")) return clientKill(seg.get(1));
                break;
            case "slowlog":
                if (n == 1 && methods(method, "GET", "DELETE")) return method.equals("GET") ? slowlog(q) : slowlogReset();
                break;
            case "latency":
                if (n == 1 && methods(method, "GET", "DELETE")) return method.equals("GET") ? latest() : latencyReset();
                if (n == 2 && methods(method, "GET")) return history(seg.get(1));
                break;
            case "keys":
                if (n == 1 && methods(method, "GET")) return keys(q);
                if (n == 2 && methods(method, "GET")) return key(seg.get(1), q);
                break;
            case "backups":
                if (n == 1 && methods(method, "GET", "POST")) return method.equals("GET") ? ok(backups()) : bgsave();
                break;
            case "replication":
                if (n == 1 && methods(method, "GET")) return ok(replication());
                break;
            case "cluster":
                if (n == 1 && methods(method, "GET")) return cluster();
                break;
            case "profile":
                if (n == 1 && methods(method, "GET")) return profile(longParam(q, "seconds", 10, 1, MAX_PROFILE_SECONDS));
                break;
            default:
                break;
        }
        throw new ApiError(404, "no such route: /api/v1/" + String.join("/", seg));
    }

    /** Whether {@code method} is one of {@code allowed}; otherwise a 405 naming them. */
    private static boolean methods(String method, String... allowed) {
        for (String a : allowed) if (a.equals(method)) return true;
        throw new ApiError(405, "method " + method + " not allowed here (allowed: " + String.join(", ", allowed) + ")");
    }

    private static Response ok(Object v) { return Response.json(200, v); }

    private static String param(Map<String, List<String>> q, String name) {
        List<String> l = q.get(name);
        return l == null || l.isEmpty() ? null : l.get(l.size() - 1);
    }

    private static long longParam(Map<String, List<String>> q, String name, long def, long min, long max) {
        String s = param(q, name);
        if (s == null) return def;
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ApiError(400, "parameter '" + name + "' must be an integer");
        }
        if (v < min || v > max) throw new ApiError(400, "parameter '" + name + "' must be between " + min + " and " + max);
        return v;
    }

    /** The longest JFR recording the profile route takes (the admin thread waits for it). */
    static final long MAX_PROFILE_SECONDS = 300;

    /**
     * GET /api/v1/profile?seconds=N: a Java Flight Recorder recording of the whole process for N
     * seconds (JFR's "profile" settings: CPU samples, allocations, locks, GC, I/O), returned as
     * a .jfr file for JDK Mission Control or {@code jfr print}. Recording costs a few percent
     * while it runs and nothing otherwise; the admin API's other requests wait meanwhile.
     */
    private Response profile(long seconds) {
        java.nio.file.Path file = null;
        try (jdk.jfr.Recording rec = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
            rec.setName("basalt-admin-profile");
            rec.start();
            Thread.sleep(seconds * 1000);
            rec.stop();
            file = java.nio.file.Files.createTempFile("basalt-profile-", ".jfr");
            rec.dump(file);
            return new Response(200, null, "application/octet-stream", java.nio.file.Files.readAllBytes(file));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the server is stopping");
        } catch (java.io.IOException | java.text.ParseException | IllegalStateException e) {
            throw new ApiError(500, "could not record a profile: " + e.getMessage());
        } finally {
            if (file != null) {
                try {
                    java.nio.file.Files.deleteIfExists(file);
                } catch (java.io.IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }

    private Response index() {
        return ok(Map.of("routes", List.of("/api/v1/info", "/api/v1/config", "/api/v1/config/{name}", "/api/v1/clients",
                "/api/v1/clients/{id}", "/api/v1/slowlog", "/api/v1/latency", "/api/v1/latency/{event}", "/api/v1/keys",
                "/api/v1/keys/{key}", "/api/v1/backups", "/api/v1/replication", "/api/v1/cluster", "/api/v1/profile",
                "/api/v1/openapi.json")));
    }

    private static volatile String openapi;

    static Response openapi() {
        String doc = openapi;
        if (doc == null) {
            try (InputStream in = AdminApi.class.getResourceAsStream("openapi.json")) {
                if (in == null) throw new ApiError(500, "openapi.json missing from the jar");
                openapi = doc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ApiError(500, "openapi.json unreadable: " + e.getMessage());
            }
        }
        return new Response(200, doc, "application/json");
    }

    // ---------------------------------------------------------------- running commands

    /** A command held back by CLIENT PAUSE. */
    static final class Paused extends RuntimeException {
        Paused() { super(null, null, false, false); }
    }

    /** Runs a command on the internal client and reads its reply (errors included, not thrown). */
    RespValue call(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        Client c = client;
        if (c == null) client = c = backend.newClient();
        ByteBuf buf = Unpooled.buffer(256);
        try {
            c.out().target(buf);
            c.beginReply();
            backend.dispatch(c, RespRequest.of(argv));
            if (c.takeDeferred()) throw new Paused();
            if (!buf.isReadable()) throw new ApiError(500, args[0] + " gave no reply");
            return new RespReader(new ByteBufInputStream(buf)).read();
        } catch (IOException e) {
            throw new ApiError(500, "unreadable reply to " + args[0] + ": " + e.getMessage());
        } finally {
            c.out().target(null);
            buf.release();
        }
    }

    /** Runs a command; its error reply becomes an {@link ApiError} with {@code status}. */
    private RespValue must(int status, String... args) {
        RespValue v = call(args);
        if (v.isError()) throw new ApiError(errorStatus(v.string(), status), v.string());
        return v;
    }

    private static int errorStatus(String err, int dflt) {
        if (err.startsWith("MOVED ") || err.startsWith("ASK ") || err.startsWith("CLUSTERDOWN")) return 421;
        if (err.startsWith("LOADING")) return 503;
        return dflt;
    }

    private void select(Map<String, List<String>> q) {
        String db = param(q, "db");
        if (db == null) db = "0";
        if (!db.matches("[0-9]{1,9}")) throw new ApiError(400, "parameter 'db' must be a database index");
        must(400, "SELECT", db);
    }

    // ---------------------------------------------------------------- info

    /** INFO [section] as {section: {field: value}}; "k=v,k=v" values become objects. */
    Map<String, Object> info(String section) {
        RespValue v = section == null ? must(400, "INFO") : must(400, "INFO", section);
        return parseInfo(v.string());
    }

    static Map<String, Object> parseInfo(String text) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> cur = null;
        for (String line : text.split("\r\n")) {
            if (line.isEmpty()) continue;
            if (line.startsWith("# ")) {
                cur = new LinkedHashMap<>();
                out.put(line.substring(2).trim().toLowerCase(), cur);
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0 || cur == null) continue;
            String k = line.substring(0, colon);
            String val = line.substring(colon + 1);
            cur.put(k, FLAT_FIELDS.matcher(val).matches() ? fields(val, ",") : scalar(val));
        }
        return out;
    }

    private static Map<String, Object> fields(String val, String sep) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String kv : val.split(sep)) {
            int eq = kv.indexOf('=');
            if (eq < 0) continue;
            m.put(kv.substring(0, eq), scalar(kv.substring(eq + 1)));
        }
        return m;
    }

    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]{0,17})\\.[0-9]{1,17}");

    /** An INFO value: a number when it is one, else the text. */
    private static Object scalar(String v) {
        if (INTEGER.matcher(v).matches()) return Long.parseLong(v);
        if (DECIMAL.matcher(v).matches()) return Double.parseDouble(v);
        return v;
    }

    // ---------------------------------------------------------------- config

    private Response configList(String pattern) {
        RespValue v = must(400, "CONFIG", "GET", pattern == null || pattern.isEmpty() ? "*" : pattern);
        return ok(Map.of("config", pairs(v)));
    }

    private static Map<String, Object> pairs(RespValue v) {
        Map<String, Object> m = new java.util.TreeMap<>();
        for (int i = 0; i + 1 < v.size(); i += 2) m.put(v.get(i).string(), v.get(i + 1).string());
        return m;
    }

    private Response configGet(String name) {
        if (name.indexOf('*') >= 0 || name.indexOf('?') >= 0 || name.indexOf('[') >= 0) {
            throw new ApiError(400, "a parameter name, not a pattern: use /api/v1/config?pattern=");
        }
        Map<String, Object> m = pairs(must(400, "CONFIG", "GET", name));
        Object value = m.get(name.toLowerCase());
        if (value == null && m.size() == 1) {
            // an alias (e.g. slaveof) answers under its canonical name
            var e = m.entrySet().iterator().next();
            return ok(Map.of("name", e.getKey(), "value", e.getValue()));
        }
        if (value == null) throw new ApiError(404, "no such configuration parameter: " + name);
        return ok(Map.of("name", name.toLowerCase(), "value", value));
    }

    /** PUT {"value": "..."}: CONFIG SET name value, its error text as a 400. */
    private Response configSet(String name, String body) {
        Object parsed;
        try {
            parsed = Json.parse(body == null ? "" : body);
        } catch (Json.ParseException e) {
            throw new ApiError(400, e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> m) || !m.containsKey("value")) {
            throw new ApiError(400, "the body must be a JSON object {\"value\": \"...\"}");
        }
        Object value = m.get("value");
        String s;
        if (value instanceof String str) s = str;
        else if (value instanceof Long || value instanceof Boolean) s = value instanceof Boolean b ? (b ? "yes" : "no") : value.toString();
        else throw new ApiError(400, "\"value\" must be a string, an integer or a boolean");
        must(400, "CONFIG", "SET", name, s);
        return configGet(name);
    }

    // ---------------------------------------------------------------- clients

    List<Map<String, Object>> clients() {
        RespValue v = must(500, "CLIENT", "LIST");
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : v.string().split("\n")) {
            if (line.isBlank()) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            for (String kv : line.trim().split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) m.put(kv.substring(0, eq), scalar(kv.substring(eq + 1)));
            }
            out.add(m);
        }
        return out;
    }

    private Response clientKill(String id) {
        if (!id.matches("[0-9]{1,19}")) throw new ApiError(400, "a client id is a non-negative integer");
        RespValue v = must(400, "CLIENT", "KILL", "ID", id);
        if (v.number() == 0) throw new ApiError(404, "no client with id " + id);
        return ok(Map.of("killed", v.number()));
    }

    // ---------------------------------------------------------------- slowlog, latency

    private Response slowlog(Map<String, List<String>> q) {
        long count = longParam(q, "count", 128, -1, 100_000);
        RespValue v = must(400, "SLOWLOG", "GET", Long.toString(count));
        List<Map<String, Object>> entries = new ArrayList<>();
        for (RespValue e : v.elements()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.get(0).number());
            m.put("timestamp", e.get(1).number());
            m.put("duration_us", e.get(2).number());
            List<String> args = new ArrayList<>();
            for (RespValue a : e.get(3).elements()) args.add(a.string());
            m.put("args", args);
            if (e.size() > 4) m.put("client", e.get(4).string());
            if (e.size() > 5) m.put("client_name", e.get(5).string());
            entries.add(m);
        }
        long len = must(500, "SLOWLOG", "LEN").number();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("len", len);
        out.put("entries", entries);
        return ok(out);
    }

    private Response slowlogReset() {
        must(500, "SLOWLOG", "RESET");
        return ok(Map.of("reset", true));
    }

    private Response latest() {
        RespValue v = must(500, "LATENCY", "LATEST");
        List<Map<String, Object>> events = new ArrayList<>();
        for (RespValue e : v.elements()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("event", e.get(0).string());
            m.put("timestamp", e.get(1).number());
            m.put("latest_ms", e.get(2).number());
            m.put("max_ms", e.get(3).number());
            events.add(m);
        }
        return ok(Map.of("events", events));
    }

    private Response history(String event) {
        RespValue v = must(400, "LATENCY", "HISTORY", event);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (RespValue e : v.elements()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("timestamp", e.get(0).number());
            m.put("latency_ms", e.get(1).number());
            samples.add(m);
        }
        return ok(Map.of("event", event, "history", samples));
    }

    private Response latencyReset() {
        return ok(Map.of("reset", must(500, "LATENCY", "RESET").number()));
    }

    // ---------------------------------------------------------------- keys

    /** One SCAN page and each key's TYPE and PTTL. */
    private Response keys(Map<String, List<String>> q) {
        long count = longParam(q, "count", 100, 1, MAX_COUNT);
        String cursor = param(q, "cursor");
        if (cursor == null) cursor = "0";
        if (!cursor.matches("[0-9]{1,20}")) throw new ApiError(400, "parameter 'cursor' must be a cursor returned by a previous page (an unsigned integer)");
        select(q);
        List<String> args = new ArrayList<>(List.of("SCAN", cursor, "COUNT", Long.toString(count)));
        String match = param(q, "match");
        if (match != null && !match.isEmpty()) args.addAll(List.of("MATCH", match));
        String type = param(q, "type");
        if (type != null && !type.isEmpty()) args.addAll(List.of("TYPE", type));
        RespValue page = must(400, args.toArray(String[]::new));
        List<Map<String, Object>> keys = new ArrayList<>();
        for (RespValue k : page.get(1).elements()) {
            Map<String, Object> m = new LinkedHashMap<>();
            String name = k.string();
            m.put("key", name);
            m.put("type", must(500, "TYPE", name).string());
            m.put("ttl_ms", must(500, "PTTL", name).number());
            keys.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("db", Long.parseLong(param(q, "db") == null ? "0" : param(q, "db")));
        out.put("cursor", page.get(0).string());
        out.put("done", page.get(0).string().equals("0"));
        out.put("keys", keys);
        return ok(out);
    }

    /** A key's type, TTL, encoding, size, memory and the first elements (bytes) of its value. */
    private Response key(String name, Map<String, List<String>> q) {
        select(q);
        String type = must(400, "TYPE", name).string();
        if (type.equals("none")) throw new ApiError(404, "no such key");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", name);
        m.put("type", type);
        m.put("ttl_ms", must(500, "PTTL", name).number());
        RespValue enc = call("OBJECT", "ENCODING", name);
        m.put("encoding", enc.isError() ? null : enc.string());
        RespValue mem = call("MEMORY", "USAGE", name, "SAMPLES", "5");
        m.put("memory_bytes", mem.isError() || mem.isNull() ? null : mem.number());
        String lim = Integer.toString(PREVIEW_ELEMENTS);
        Object preview;
        long size;
        switch (type) {
            case "string" -> {
                size = must(500, "STRLEN", name).number();
                preview = must(500, "GETRANGE", name, "0", Integer.toString(PREVIEW_BYTES - 1)).string();
            }
            case "list" -> {
                size = must(500, "LLEN", name).number();
                preview = strings(must(500, "LRANGE", name, "0", Integer.toString(PREVIEW_ELEMENTS - 1)));
            }
            case "set" -> {
                size = must(500, "SCARD", name).number();
                preview = limit(strings(must(500, "SSCAN", name, "0", "COUNT", lim).get(1)));
            }
            case "zset" -> {
                size = must(500, "ZCARD", name).number();
                List<String> flat = strings(must(500, "ZRANGE", name, "0", Integer.toString(PREVIEW_ELEMENTS - 1), "WITHSCORES"));
                List<Map<String, Object>> l = new ArrayList<>();
                for (int i = 0; i + 1 < flat.size(); i += 2) l.add(Map.of("member", flat.get(i), "score", flat.get(i + 1)));
                preview = l;
            }
            case "hash" -> {
                size = must(500, "HLEN", name).number();
                List<String> flat = strings(must(500, "HSCAN", name, "0", "COUNT", lim).get(1));
                Map<String, Object> h = new LinkedHashMap<>();
                for (int i = 0; i + 1 < flat.size() && h.size() < PREVIEW_ELEMENTS; i += 2) h.put(flat.get(i), flat.get(i + 1));
                preview = h;
            }
            case "stream" -> {
                size = must(500, "XLEN", name).number();
                RespValue r = must(500, "XRANGE", name, "-", "+", "COUNT", lim);
                List<Map<String, Object>> l = new ArrayList<>();
                for (RespValue e : r.elements()) l.add(Map.of("id", e.get(0).string(), "fields", strings(e.get(1))));
                preview = l;
            }
            default -> {
                size = -1;
                preview = null;
            }
        }
        m.put("size", size);
        m.put("preview", preview);
        m.put("truncated", type.equals("string") ? size > PREVIEW_BYTES : size > PREVIEW_ELEMENTS);
        return ok(m);
    }

    private static List<String> strings(RespValue v) {
        List<String> l = new ArrayList<>();
        if (v.elements() != null) for (RespValue e : v.elements()) l.add(e.string());
        return l;
    }

    private static List<String> limit(List<String> l) {
        return l.size() > PREVIEW_ELEMENTS ? l.subList(0, PREVIEW_ELEMENTS) : l;
    }

    // ---------------------------------------------------------------- backups, replication, cluster

    Map<String, Object> backups() {
        Object p = info("persistence").get("persistence");
        return Map.of("persistence", p == null ? Map.of() : p);
    }

    private Response bgsave() {
        RespValue v = call("BGSAVE");
        if (v.isError()) throw new ApiError(v.string().contains("in progress") ? 409 : errorStatus(v.string(), 500), v.string());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", v.string());
        out.putAll(backups());
        return Response.json(202, out);
    }

    Map<String, Object> replication() {
        RespValue role = must(500, "ROLE");
        Map<String, Object> r = new LinkedHashMap<>();
        String kind = role.get(0).string();
        r.put("role", kind);
        if (kind.equals("master")) {
            r.put("offset", role.get(1).number());
            List<Map<String, Object>> replicas = new ArrayList<>();
            for (RespValue s : role.get(2).elements()) {
                replicas.add(Map.of("ip", s.get(0).string(), "port", Long.parseLong(s.get(1).string()),
                        "offset", Long.parseLong(s.get(2).string())));
            }
            r.put("replicas", replicas);
        } else if (kind.equals("slave")) {
            r.put("master_host", role.get(1).string());
            r.put("master_port", role.get(2).number());
            r.put("state", role.get(3).string());
            r.put("offset", role.get(4).number());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", r);
        Object info = info("replication").get("replication");
        out.put("info", info == null ? Map.of() : info);
        return out;
    }

    private Response cluster() {
        RespValue info = call("CLUSTER", "INFO");
        if (info.isError()) {
            // outside cluster mode: "ERR This instance has cluster support disabled"
            throw new ApiError(info.string().contains("cluster support disabled") ? 404 : 500, info.string());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> i = new LinkedHashMap<>();
        for (String line : info.string().split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) i.put(line.substring(0, colon), scalar(line.substring(colon + 1)));
        }
        out.put("info", i);
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (String line : must(500, "CLUSTER", "NODES").string().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 8) continue;
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("id", f[0]);
            n.put("address", f[1]);
            n.put("flags", List.of(f[2].split(",")));
            n.put("master", f[3]);
            n.put("ping_sent", scalar(f[4]));
            n.put("pong_recv", scalar(f[5]));
            n.put("config_epoch", scalar(f[6]));
            n.put("link_state", f[7]);
            n.put("slots", List.of(f).subList(8, f.length));
            nodes.add(n);
        }
        out.put("nodes", nodes);
        List<Map<String, Object>> slots = new ArrayList<>();
        for (RespValue s : must(500, "CLUSTER", "SLOTS").elements()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("start", s.get(0).number());
            m.put("end", s.get(1).number());
            List<Map<String, Object>> owners = new ArrayList<>();
            for (int k = 2; k < s.size(); k++) {
                RespValue o = s.get(k);
                Map<String, Object> node = new LinkedHashMap<>();
                node.put("ip", o.get(0).string());
                node.put("port", o.get(1).number());
                if (o.size() > 2) node.put("id", o.get(2).string());
                owners.add(node);
            }
            m.put("master", owners.isEmpty() ? null : owners.get(0));
            m.put("replicas", owners.size() > 1 ? owners.subList(1, owners.size()) : List.of());
            slots.add(m);
        }
        out.put("slots", slots);
        return ok(out);
    }
}
