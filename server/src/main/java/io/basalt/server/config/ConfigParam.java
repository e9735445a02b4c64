package io.basalt.server.config;

import java.util.Locale;

/**
 * One configuration directive: the single definition that serves redis.conf, the command line,
 * CONFIG GET/SET/REWRITE and INFO. {@link #parse} validates and normalizes a value into the form
 * CONFIG GET shows; {@link Apply} pushes an accepted value into the running server.
 */
public final class ConfigParam {
    public enum Type { BOOL, INT, MEMORY, ENUM, STRING, SPECIAL }

    /** Pushes a new (already normalized) value into the server. May reject it. */
    @FunctionalInterface
    public interface Apply {
        void apply(String value) throws ConfigException;
    }

    /** Validates and normalizes a SPECIAL value (save, bind, client-output-buffer-limit...). */
    @FunctionalInterface
    public interface Parser {
        String parse(String value) throws ConfigException;
    }

    final String name;
    final String[] aliases;
    final Type type;
    final String defaultValue;
    final boolean mutable;
    final long min;
    final long max;
    final String[] enumValues;
    final Parser parser;
    final boolean implemented;
    final boolean hidden;
    final boolean protectedConfig;
    final boolean volatileConfig;
    Apply apply;

    private ConfigParam(Builder b) {
        this.name = b.name;
        this.aliases = b.aliases;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.mutable = b.mutable;
        this.min = b.min;
        this.max = b.max;
        this.enumValues = b.enumValues;
        this.parser = b.parser;
        this.implemented = b.implemented;
        this.hidden = b.hidden;
        this.protectedConfig = b.protectedConfig;
        this.volatileConfig = b.volatileConfig;
    }

    /** Hidden parameters (test hooks in Redis) match CONFIG GET only by exact name, never a glob. */
    public boolean hidden() { return hidden; }

    /** Protected parameters (dir, dbfilename) need enable-protected-configs to be CONFIG SET. */
    public boolean protectedConfig() { return protectedConfig; }

    public String name() { return name; }

    public String[] aliases() { return aliases; }

    public Type type() { return type; }

    public String defaultValue() { return defaultValue; }

    public boolean mutable() { return mutable; }

    /** False for directives Basalt accepts and reports but whose behaviour it does not implement. */
    public boolean implemented() { return implemented; }

    /** Validates {@code value} and returns the form CONFIG GET shows. */
    public String parse(String value) throws ConfigException {
        switch (type) {
            case BOOL: {
                String v = value.toLowerCase(Locale.ROOT);
                if (v.equals("yes") || v.equals("no")) return v;
                throw new ConfigException("argument must be 'yes' or 'no'");
            }
            case INT: {
                long v;
                try {
                    // Redis's string2ll: no sign '+', no spaces, no leading zeros
                    v = io.basalt.resp.Numbers.parseLong(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (NumberFormatException e) {
                    throw new ConfigException("argument couldn't be parsed into an integer");
                }
                checkRange(v);
                return Long.toString(v);
            }
            case MEMORY: {
                long v = MemoryUnits.parse(value);
                if (v == Long.MIN_VALUE) throw new ConfigException("argument must be a memory value");
                checkRange(v);
                return Long.toString(v);
            }
            case ENUM: {
                String v = value.toLowerCase(Locale.ROOT);
                for (String e : enumValues) if (e.equals(v)) return v;
                throw new ConfigException("argument(s) must be one of the following: " + String.join(", ", enumValues));
            }
            case SPECIAL:
                return parser.parse(value);
            default:
                return value;
        }
    }

    private void checkRange(long v) throws ConfigException {
        if (v < min || v > max) {
            throw new ConfigException("argument must be between " + min + " and " + max + " inclusive");
        }
    }

    public static Builder bool(String name, boolean def) {
        return new Builder(name, Type.BOOL, def ? "yes" : "no");
    }

    public static Builder integer(String name, long def, long min, long max) {
        Builder b = new Builder(name, Type.INT, Long.toString(def));
        b.min = min;
        b.max = max;
        return b;
    }

    public static Builder memory(String name, long def, long min, long max) {
        Builder b = new Builder(name, Type.MEMORY, Long.toString(def));
        b.min = min;
        b.max = max;
        return b;
    }

    public static Builder enumeration(String name, String def, String... values) {
        Builder b = new Builder(name, Type.ENUM, def);
        b.enumValues = values;
        return b;
    }

    public static Builder string(String name, String def) {
        return new Builder(name, Type.STRING, def);
    }

    public static Builder special(String name, String def, Parser parser) {
        Builder b = new Builder(name, Type.SPECIAL, def);
        b.parser = parser;
        return b;
    }

    /** Fluent definition of a parameter, used by {@link ConfigParams}. */
    public static final class Builder {
        private final String name;
        private final Type type;
        private final String defaultValue;
        private String[] aliases = new String[0];
        private boolean mutable = true;
        private long min = Long.MIN_VALUE;
        private long max = Long.MAX_VALUE;
        private String[] enumValues;
        private Parser parser;
        private boolean implemented = true;
        private boolean hidden;
        private boolean protectedConfig;
        private boolean volatileConfig;

        private Builder(String name, Type type, String defaultValue) {
            this.name = name;
            this.type = type;
            this.defaultValue = defaultValue;
        }

        public Builder aliases(String... a) {
            this.aliases = a;
            return this;
        }

        public Builder immutable() {
            this.mutable = false;
            return this;
        }

        /** Accepted, stored and reported, but without effect in Basalt (yet). */
        public Builder notImplemented() {
            this.implemented = false;
            return this;
        }

        /** Reported by CONFIG GET only when asked for by its exact name. */
        public Builder hidden() {
            this.hidden = true;
            return this;
        }

        /** CONFIG SET needs enable-protected-configs (yes, or local for loopback clients). */
        public Builder protectedConfig() {
            this.protectedConfig = true;
            return this;
        }

        /**
         * Redis's VOLATILE_CONFIG: CONFIG SET applies it even to the value it has (a file name
         * whose file may have changed, as tls-cert-file), where the other parameters of a shared
         * apply (Config.set) apply only when they change.
         */
        public Builder volatileConfig() {
            this.volatileConfig = true;
            return this;
        }

        public ConfigParam build() { return new ConfigParam(this); }
    }
}
