package io.basalt.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The running configuration: one table of {@link ConfigParam}s and their current values. The
 * same table serves the config file, the command line, CONFIG GET/SET/RESETSTAT/REWRITE and INFO.
 */
public final class Config {
    /**
     * Where a parameter's value came from, lowest precedence first: each layer is applied after
     * the ones before it, so a later one wins (docs/configuration.md, "Precedence").
     */
    public enum Source {
        DEFAULT, FILE, YAML, ENVIRONMENT, COMMAND_LINE,
        /** CONFIG SET, or a command that records its effect (REPLICAOF). */
        RUNTIME;

        /** redis.conf and the command line are one text to redis-server (save lines add up). */
        String group() { return this == COMMAND_LINE ? FILE.name() : name(); }
    }

    private final List<ConfigParam> params;
    private final Map<String, ConfigParam> byName = new HashMap<>();
    private final Map<String, String> values = new ConcurrentHashMap<>();
    private volatile Path file;
    private Consumer<String> warnings = w -> { };
    /** The layer that set each parameter at startup (what CONFIG REWRITE leaves alone). */
    private final Map<String, Source> startupSource = new ConcurrentHashMap<>();
    /** Parameters changed since startup (CONFIG SET, REPLICAOF). */
    private final Set<String> changedAtRuntime = ConcurrentHashMap.newKeySet();
    /** Parameters seen at startup, with the group of the layer that last set them. */
    private final Map<String, String> startupSeen = new HashMap<>();

    public Config(List<ConfigParam> params) {
        this.params = List.copyOf(params);
        for (ConfigParam p : params) {
            byName.put(p.name, p);
            for (String a : p.aliases) byName.put(a, p);
            values.put(p.name, p.defaultValue);
        }
    }

    /** A configuration holding Basalt's full default table. */
    public static Config defaults() {
        return new Config(ConfigParams.all());
    }

    public List<ConfigParam> params() { return params; }

    /** The parameter called {@code name} (or one of its aliases), case-insensitively; null if unknown. */
    public ConfigParam param(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    public String get(String name) {
        ConfigParam p = param(name);
        if (p == null) throw new IllegalArgumentException("unknown config " + name);
        return values.get(p.name);
    }

    public long getLong(String name) { return Long.parseLong(get(name)); }

    public int getInt(String name) { return (int) getLong(name); }

    public boolean getBool(String name) { return "yes".equals(get(name)); }

    public Path file() { return file; }

    /** The "user" directives of the configuration, applied by the ACL when the server starts. */
    private final List<ConfigFile.Directive> userDirectives = new ArrayList<>();

    public synchronized void addUserDirective(ConfigFile.Directive d) { userDirectives.add(d); }

    public synchronized List<ConfigFile.Directive> userDirectives() { return new ArrayList<>(userDirectives); }

    /** The ACL users as CONFIG REWRITE writes them ("user name rules..."), from the ACL. */
    private volatile java.util.function.Supplier<List<String>> userLines = List::of;

    public void userLines(java.util.function.Supplier<List<String>> s) { this.userLines = s; }

    List<String> userLines() { return userLines.get(); }

    public void file(Path file) { this.file = file; }

    public void warnings(Consumer<String> sink) { this.warnings = sink; }

    /** Reports a configuration warning to the sink set by {@link #warnings} (the log). */
    public void warning(String message) { warnings.accept(message); }

    /** Registers what to do when {@code name} changes, and applies the current value once. */
    public void bind(String name, ConfigParam.Apply apply) {
        ConfigParam p = param(name);
        p.apply = apply;
        try {
            apply.apply(values.get(p.name));
        } catch (ConfigException e) {
            throw new IllegalStateException("invalid value for " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Registers what to do when {@code name} is CONFIG SET, without applying the current value
     * (for directives the server puts in force once at start, as the tls-* ones).
     */
    public void onChange(String name, ConfigParam.Apply apply) {
        param(name).apply = apply;
    }

    /**
     * Sets one parameter from the config file or command line: immutable parameters are allowed,
     * an unknown directive is accepted with a warning (Basalt must start from any redis.conf).
     */
    /**
     * Records the value of a parameter that a command changed (REPLICAOF for replicaof), so that
     * CONFIG GET and CONFIG REWRITE report it, without applying it again.
     */
    public synchronized void record(String name, String value) {
        ConfigParam p = param(name);
        if (p == null) return;
        values.put(p.name, value);
        changedAtRuntime.add(p.name);
    }

    /** The startup layer that set {@code name}; DEFAULT when none did. */
    public Source startupSource(String name) {
        ConfigParam p = param(name);
        return p == null ? Source.DEFAULT : startupSource.getOrDefault(p.name, Source.DEFAULT);
    }

    /** Whether CONFIG SET (or REPLICAOF) changed {@code name} since startup. */
    public boolean changedAtRuntime(String name) {
        ConfigParam p = param(name);
        return p != null && changedAtRuntime.contains(p.name);
    }

    /** A directive of the config file ({@link Source#FILE}). */
    public synchronized void setAtStartup(String name, String value) throws ConfigException {
        setAtStartup(name, value, Source.FILE);
    }

    /**
     * Sets one parameter from a startup layer. Repeated "save" lines add up within redis.conf and
     * the command line, as in redis-server; a YAML file or the environment replaces what the
     * layers below it set (the precedence rule), as the command line then replaces theirs.
     */
    public synchronized void setAtStartup(String name, String value, Source source) throws ConfigException {
        ConfigParam p = param(name);
        if (p == null) {
            warnings.accept("directive '" + name + "' is not supported by Basalt and was ignored");
            return;
        }
        String v;
        if (p.name.equals("save") && source.group().equals(startupSeen.get(p.name)) && !value.trim().isEmpty()) {
            // like Redis: the first "save" line replaces the default, later ones add to it
            String cur = values.get(p.name);
            v = p.parse(cur.isEmpty() ? value : cur + " " + value);
        } else if (p.name.equals("client-output-buffer-limit")) {
            // each line sets one class (or several); the other classes keep their values
            v = p.parse(values.get(p.name) + " " + value);
        } else {
            v = p.parse(value);
        }
        if (!p.implemented && !v.equals(p.defaultValue)) {
            warnings.accept("directive '" + name + "' is accepted but has no effect in Basalt yet");
        }
        String old = values.put(p.name, v);
        try {
            if (p.apply != null) p.apply.apply(v);
        } catch (ConfigException e) {
            values.put(p.name, old);
            throw e;
        }
        startupSeen.put(p.name, source.group());
        startupSource.put(p.name, source);
    }

    /**
     * CONFIG SET with one or more pairs, atomically: every value is validated first, then all are
     * applied; if any apply fails the earlier ones are rolled back. Throws with Redis's full error.
     */
    public synchronized void set(List<String[]> pairs) throws ConfigException {
        set(pairs, true);
    }

    /**
     * CONFIG SET as a client issues it: {@code localClient} says whether the connection comes
     * from a loopback address, which {@code enable-protected-configs local} allows.
     */
    public synchronized void set(List<String[]> pairs, boolean localClient) throws ConfigException {
        // first pass, like Redis's configSetCommand: names, mutability and duplicates (by name, so
        // an alias and its parameter may both be given; the later one wins)
        List<ConfigParam> targets = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String[] pair : pairs) {
            ConfigParam p = param(pair[0]);
            if (p == null) throw new ConfigException("Unknown option or number of arguments for CONFIG SET - '" + pair[0] + "'");
            if (!p.mutable) throw failed(pair[0], "can't set immutable config");
            if (p.protectedConfig && !allowed("enable-protected-configs", localClient)) {
                throw failed(pair[0], "can't set protected config");
            }
            if (!seen.add(pair[0].toLowerCase(Locale.ROOT))) throw failed(pair[0], "duplicate parameter");
            targets.add(p);
        }
        // second pass: values, reported under the (lower-case) name that was used
        Map<ConfigParam, String> parsed = new LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            ConfigParam p = targets.get(i);
            try {
                String value = pairs.get(i)[1];
                if (p.name.equals("client-output-buffer-limit")) {
                    String base = parsed.containsKey(p) ? parsed.get(p) : values.get(p.name);
                    value = base + " " + value;
                }
                parsed.remove(p);
                parsed.put(p, p.parse(value));
            } catch (ConfigException e) {
                throw failed(pairs.get(i)[0].toLowerCase(Locale.ROOT), e.getMessage());
            }
        }
        Map<ConfigParam, String> previous = new LinkedHashMap<>();
        for (Map.Entry<ConfigParam, String> e : parsed.entrySet()) {
            ConfigParam p = e.getKey();
            previous.put(p, values.put(p.name, e.getValue()));
        }
        // an apply shared by several parameters (Redis's applyTlsCfg for the tls-* ones) runs as
        // in Redis's configSetCommand: once, under the name of the first of them that changed or
        // is volatile, and not at all when none did (the others keep Basalt's apply-always)
        java.util.Set<ConfigParam.Apply> applied = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Map.Entry<ConfigParam, String> e : parsed.entrySet()) {
            ConfigParam p = e.getKey();
            if (p.apply == null) continue;
            if (shared(p.apply)) {
                if (!p.volatileConfig && e.getValue().equals(previous.get(p))) continue;
                if (!applied.add(p.apply)) continue;
            }
            try {
                p.apply.apply(e.getValue());
            } catch (ConfigException ex) {
                for (Map.Entry<ConfigParam, String> r : previous.entrySet()) {
                    values.put(r.getKey().name, r.getValue());
                    if (r.getKey().apply != null) {
                        try {
                            r.getKey().apply.apply(r.getValue());
                        } catch (ConfigException ignored) {
                            // the old value was accepted before; nothing better to do
                        }
                    }
                }
                throw failed(p.name, ex.getMessage());
            }
        }
        for (ConfigParam p : parsed.keySet()) changedAtRuntime.add(p.name);
    }

    /** Whether {@code apply} is bound to more than one parameter. */
    private boolean shared(ConfigParam.Apply apply) {
        int n = 0;
        for (ConfigParam p : params) if (p.apply == apply && ++n > 1) return true;
        return false;
    }

    /** enable-debug-command / enable-module-command / enable-protected-configs: yes, no or local. */
    public boolean allowed(String name, boolean localClient) {
        String v = get(name);
        return v.equals("yes") || (v.equals("local") && localClient);
    }

    private static ConfigException failed(String name, String reason) {
        return new ConfigException("CONFIG SET failed (possibly related to argument '" + name + "') - " + reason);
    }

    /**
     * CONFIG GET: every parameter whose name or alias matches one of the glob patterns, each once,
     * as (name, value) pairs. A plain name is reported as it was typed (Redis looks it up
     * case-insensitively and echoes the argument); a glob reports names and aliases as they are.
     * Hidden parameters only answer to their exact name.
     */
    public List<String[]> matching(List<byte[]> patterns) {
        List<String[]> out = new ArrayList<>();
        Set<String> emitted = new HashSet<>();
        for (byte[] pat : patterns) {
            String plain = new String(pat, java.nio.charset.StandardCharsets.UTF_8);
            boolean glob = plain.indexOf('*') >= 0 || plain.indexOf('?') >= 0 || plain.indexOf('[') >= 0;
            if (!glob) {
                ConfigParam p = byName.get(plain.toLowerCase(Locale.ROOT));
                if (p != null && emitted.add(plain.toLowerCase(Locale.ROOT))) out.add(new String[]{plain, values.get(p.name)});
                continue;
            }
            for (ConfigParam p : params) {
                if (p.hidden) continue;
                if (io.basalt.data.Glob.match(pat, p.name.getBytes(), true) && emitted.add(p.name)) {
                    out.add(new String[]{p.name, values.get(p.name)});
                }
                for (String a : p.aliases) {
                    if (io.basalt.data.Glob.match(pat, a.getBytes(), true) && emitted.add(a)) {
                        out.add(new String[]{a, values.get(p.name)});
                    }
                }
            }
        }
        return out;
    }

    /** Current values of all parameters, by canonical name (CONFIG REWRITE). */
    public Map<String, String> snapshot() {
        Map<String, String> m = new LinkedHashMap<>();
        for (ConfigParam p : params) m.put(p.name, values.get(p.name));
        return m;
    }
}
