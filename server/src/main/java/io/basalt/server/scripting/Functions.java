package io.basalt.server.scripting;

import io.basalt.data.Glob;
import io.basalt.persistence.RdbException;
import io.basalt.persistence.RdbEncoder;
import io.basalt.persistence.RdbLoader;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandTable;
import io.basalt.server.config.ConfigFile;
import org.luaj.vm2.LuaFunction;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis 7.0's functions (functions.c, function_lua.c): libraries loaded with FUNCTION LOAD
 * (a {@code #!lua name=<lib>} shebang, then code that calls {@code redis.register_function}),
 * called with FCALL / FCALL_RO, listed, deleted, flushed, dumped and restored in Redis's DUMP
 * format, saved in RDB files (RDB_OPCODE_FUNCTION2) and AOF rewrites.
 *
 * <p>The libraries are an immutable {@link Libraries} value swapped on every change (changes are
 * serialized), so FCALL finds a function without a lock. A library's code runs in its own
 * function engine (a second {@link LuaEngine}, as Redis keeps a Lua state for functions apart
 * from EVAL's); a function runs through {@link Scripting#invoke}, as a script does.
 */
public final class Functions {
    /** Redis's LOAD_TIMEOUT_MS: a library's code has this long to register its functions. */
    private static final long LOAD_TIMEOUT_MS = 500;
    private static final String ENGINE = "LUA";
    private static final String BAD_NAME = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

    private final Scripting scripting;
    private final LuaEngine engine;
    private volatile Libraries current = new Libraries();
    /** rdbcompression: whether FUNCTION DUMP compresses the code (as rdbSaveRawString). */
    volatile boolean compress = true;

    /** A registered function. */
    private record Function(String name, LuaFunction callback, byte[] description, int flags) {}

    /** A library: its name, its whole code (shebang included), its functions in registration order. */
    private record Library(String name, byte[] code, Map<String, Function> functions) {}

    /** The libraries by name, and every function by its name in lower case (Redis's functions dict is case-insensitive). */
    private static final class Libraries {
        final LinkedHashMap<String, Library> libraries = new LinkedHashMap<>();
        final HashMap<String, Function> functions = new HashMap<>();

        Libraries copy() {
            Libraries l = new Libraries();
            l.libraries.putAll(libraries);
            l.functions.putAll(functions);
            return l;
        }

        void link(Library lib) {
            libraries.put(lib.name(), lib);
            for (Function f : lib.functions().values()) functions.put(lower(f.name()), f);
        }

        void unlink(Library lib) {
            libraries.remove(lib.name());
            for (Function f : lib.functions().values()) functions.remove(lower(f.name()));
        }

        int functionCount() { return functions.size(); }
    }

    /** A library refused: Redis's error text, without "ERR ". */
    static final class Refused extends Exception {
        Refused(String message) { super(message, null, false, false); }
    }

    Functions(Scripting scripting, String version) {
        this.scripting = scripting;
        this.engine = new LuaEngine(version, LuaEngine.FUNCTION_CHUNK);
    }

    void register(CommandTable t) {
        t.register("fcall", (c, a) -> fcall(c, a, false));
        t.register("fcall_ro", (c, a) -> fcall(c, a, true));
        // fcallGetCommandFlags: the function's flags are the command's (cluster routing asks)
        t.flags("fcall", this::fcallFlags);
        t.flags("fcall_ro", this::fcallFlags);
        t.register("function|load", this::load);
        t.register("function|delete", this::delete);
        t.register("function|flush", this::flush);
        t.register("function|list", this::list);
        t.register("function|stats", this::stats);
        t.register("function|kill", (c, a) -> scripting.kill(c, a, false));
        t.register("function|dump", (c, a) -> c.out().bulk(dump(compress)));
        t.register("function|restore", this::restore);
        t.register("function|help", (c, a) -> CommandHelp.reply(c, "FUNCTION",
                "LOAD [REPLACE] <FUNCTION CODE>",
                "    Create a new library with the given library name and code.",
                "DELETE <LIBRARY NAME>",
                "    Delete the given library.",
                "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "    Return general information on all the libraries:",
                "    * Library name",
                "    * The engine used to run the Library",
                "    * Library description",
                "    * Functions list",
                "    * Library code (if WITHCODE is given)",
                "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
                "STATS",
                "    Return information about the current function running:",
                "    * Function name",
                "    * Command used to run the function",
                "    * Duration in MS that the function is running",
                "    If no function is running, return nil",
                "    In addition, returns a list of available engines.",
                "KILL",
                "    Kill the current running function.",
                "FLUSH [ASYNC|SYNC]",
                "    Delete all the libraries.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the libraries.",
                "    * SYNC: Synchronously flush the libraries.",
                "DUMP",
                "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
                "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
                "    control how to handle existing libraries (default APPEND):",
                "    * FLUSH: delete all existing libraries.",
                "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
                "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
                "      libraries with the new libraries (notice that even on this option there is a chance of failure",
                "      in case of functions name collision with another library)."));
    }

    // ---------------------------------------------------------------- persistence

    /** The code of every library, for an RDB file, an AOF rewrite or FUNCTION DUMP. */
    public List<byte[]> codes() {
        List<byte[]> codes = new ArrayList<>();
        for (Library l : current.libraries.values()) codes.add(l.code());
        return codes;
    }

    /**
     * A library read from an RDB file (Redis's rdbFunctionLoad into the current libraries):
     * {@code replace} for DEBUG RELOAD MERGE.
     *
     * @throws RdbException "Failed loading library, ..." when the library is refused
     */
    public synchronized void loadFromRdb(byte[] code, boolean replace) {
        Libraries next = current.copy();
        try {
            create(next, code, replace, 0);
        } catch (Refused e) {
            throw new RdbException("Failed loading library, " + e.getMessage());
        }
        current = next;
    }

    /** Removes every library (Redis's emptyData before a full sync or a reload, FUNCTION FLUSH). */
    public synchronized void clear() {
        current = new Libraries();
    }

    public int libraryCount() { return current.libraries.size(); }

    public int functionCount() { return current.functionCount(); }

    /** FUNCTION DUMP's payload: an RDB_OPCODE_FUNCTION2 entry per library, the RDB version and CRC64. */
    byte[] dump(boolean compress) {
        return RdbEncoder.dumpFunctions(codes(), compress);
    }

    // ---------------------------------------------------------------- FUNCTION LOAD

    /** ASCII lower case, as Redis's case-insensitive dict compares (strcasecmp). */
    private static String lower(String s) {
        char[] cs = s.toCharArray();
        for (int i = 0; i < cs.length; i++) if (cs[i] >= 'A' && cs[i] <= 'Z') cs[i] += 32;
        return new String(cs);
    }

    private static boolean validName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (!(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_')) return false;
        }
        return true;
    }

    /**
     * Redis's functionsCreateWithLibraryCtx: parses the shebang, runs the code to register its
     * functions and links the library into {@code ctx}; the library's name.
     */
    private String create(Libraries ctx, byte[] code, boolean replace, long timeoutMillis) throws Refused {
        if (code.length < 2 || code[0] != '#' || code[1] != '!') throw new Refused("Missing library metadata");
        int nl = -1;
        for (int i = 0; i < code.length; i++) {
            if (code[i] == '\n') {
                nl = i;
                break;
            }
            if (code[i] == 0) break; // C string: the shebang ends at a NUL
        }
        if (nl < 0) throw new Refused("Invalid library metadata");
        List<String> parts = ConfigFile.splitArgs(new String(code, 0, nl, StandardCharsets.ISO_8859_1));
        if (parts == null || parts.isEmpty()) throw new Refused("Invalid library metadata");
        String engineName = parts.get(0).length() > 2 ? parts.get(0).substring(2) : "";
        String name = null;
        for (int i = 1; i < parts.size(); i++) {
            String part = parts.get(i);
            if (part.regionMatches(true, 0, "name=", 0, 5)) {
                if (name != null) throw new Refused("Invalid metadata value, name argument was given multiple times");
                name = part.substring(5);
                continue;
            }
            throw new Refused("Invalid metadata value given: " + part);
        }
        if (name == null) throw new Refused("Library name was not given");
        if (!validName(name)) throw new Refused(BAD_NAME);
        if (!engineName.equalsIgnoreCase(ENGINE)) throw new Refused("Engine '" + engineName + "' not found");
        Library old = ctx.libraries.get(name);
        if (old != null && !replace) throw new Refused("Library '" + name + "' already exists");
        if (old != null) ctx.unlink(old);
        Map<String, Function> functions = new LinkedHashMap<>();
        try {
            engine.loadLibrary(code, nl, (fname, callback, desc, flags) -> {
                if (!validName(fname)) return BAD_NAME;
                if (functions.containsKey(fname)) return "Function already exists in the library";
                functions.put(fname, new Function(fname, callback, desc, flags));
                return null;
            }, timeoutMillis);
            if (functions.isEmpty()) throw new Refused("No functions registered");
            for (Function f : functions.values()) {
                if (ctx.functions.containsKey(lower(f.name()))) throw new Refused("Function " + f.name() + " already exists");
            }
        } catch (LuaEngine.LoadError e) {
            if (old != null) ctx.link(old);
            throw new Refused(e.getMessage());
        } catch (Refused e) {
            if (old != null) ctx.link(old);
            throw e;
        }
        ctx.link(new Library(name, code, functions));
        return name;
    }

    /** FUNCTION LOAD [REPLACE] code. */
    private void load(Client c, RespRequest a) {
        boolean replace = false;
        int pos = 2;
        while (pos < a.argc() - 1) {
            if (a.is(pos, "replace")) {
                replace = true;
                pos++;
                continue;
            }
            c.error("ERR Unknown option given: " + a.string(pos));
            return;
        }
        if (pos >= a.argc()) {
            c.error("ERR Function code is missing");
            return;
        }
        byte[] code = a.bytes(pos);
        String name;
        synchronized (this) {
            Libraries next = current.copy();
            try {
                name = create(next, code, replace, c.kind().obeys() ? 0 : LOAD_TIMEOUT_MS);
            } catch (Refused e) {
                c.error("ERR " + e.getMessage());
                return;
            }
            current = next;
        }
        c.dirty();
        c.out().bulk(name);
    }

    // ---------------------------------------------------------------- DELETE, FLUSH, RESTORE

    private void delete(Client c, RespRequest a) {
        synchronized (this) {
            Library lib = current.libraries.get(a.string(2));
            if (lib == null) {
                c.error("ERR Library not found");
                return;
            }
            Libraries next = current.copy();
            next.unlink(lib);
            current = next;
        }
        c.dirty();
        c.out().ok();
    }

    private void flush(Client c, RespRequest a) {
        if (a.argc() > 3) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        if (a.argc() == 3 && !a.is(2, "sync") && !a.is(2, "async")) {
            c.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        clear();
        c.dirty();
        c.out().ok();
    }

    /** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] (Redis's functionRestoreCommand). */
    private void restore(Client c, RespRequest a) {
        if (a.argc() > 4) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        String policy = "append";
        if (a.argc() == 4) {
            policy = lower(a.string(3));
            if (!policy.equals("append") && !policy.equals("replace") && !policy.equals("flush")) {
                c.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
        }
        List<byte[]> codes;
        try {
            codes = RdbLoader.functions(a.bytes(2));
        } catch (RdbException e) {
            c.error("ERR " + e.getMessage());
            return;
        }
        synchronized (this) {
            // the payload's libraries first go into libraries of their own (a library twice fails)
            Libraries restored = new Libraries();
            try {
                for (byte[] code : codes) create(restored, code, false, 0);
            } catch (Refused e) {
                c.error("ERR " + e.getMessage());
                return;
            }
            Libraries next;
            if (policy.equals("flush")) {
                next = restored;
            } else {
                // Redis's libraryJoin
                next = current.copy();
                for (Library lib : restored.libraries.values()) {
                    Library old = next.libraries.get(lib.name());
                    if (old == null) continue;
                    if (!policy.equals("replace")) {
                        c.error("ERR Library " + lib.name() + " already exists");
                        return;
                    }
                    next.unlink(old);
                }
                for (Function f : restored.functions.values()) {
                    if (next.functions.containsKey(lower(f.name()))) {
                        c.error("ERR Function " + f.name() + " already exists");
                        return;
                    }
                }
                for (Library lib : restored.libraries.values()) next.link(lib);
            }
            current = next;
        }
        c.dirty();
        c.out().ok();
    }

    // ---------------------------------------------------------------- LIST, STATS

    /** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]. */
    private void list(Client c, RespRequest a) {
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < a.argc(); i++) {
            if (!withCode && a.is(i, "withcode")) {
                withCode = true;
                continue;
            }
            if (pattern == null && a.is(i, "libraryname")) {
                if (i >= a.argc() - 1) {
                    c.error("ERR library name argument was not given");
                    return;
                }
                pattern = a.bytes(++i);
                continue;
            }
            c.error("ERR Unknown argument " + a.string(i));
            return;
        }
        List<Library> libs = new ArrayList<>();
        for (Library l : current.libraries.values()) {
            if (pattern == null || Glob.match(pattern, l.name().getBytes(StandardCharsets.ISO_8859_1), true)) libs.add(l);
        }
        RespWriter out = c.out();
        out.array(libs.size());
        for (Library l : libs) {
            out.map(withCode ? 4 : 3);
            out.bulk("library_name");
            out.bulk(l.name());
            out.bulk("engine");
            out.bulk(ENGINE);
            out.bulk("functions");
            out.array(l.functions().size());
            for (Function f : l.functions().values()) {
                out.map(3);
                out.bulk("name");
                out.bulk(f.name());
                out.bulk("description");
                if (f.description() != null) out.bulk(f.description());
                else out.nullBulk();
                out.bulk("flags");
                List<String> names = ScriptCache.flagNames(f.flags());
                out.set(names.size());
                for (String n : names) out.simple(n);
            }
            if (withCode) {
                out.bulk("library_code");
                out.bulk(l.code());
            }
        }
    }

    /** FUNCTION STATS: the running function (once it is busy), the engine's counts. */
    private void stats(Client c, RespRequest a) {
        Scripting.Running r = scripting.running();
        if (r != null && r.evalMode()) {
            c.error(Scripting.BUSY);
            return;
        }
        RespWriter out = c.out();
        out.map(2);
        out.bulk("running_script");
        if (r == null) {
            out.nullBulk();
        } else {
            out.map(3);
            out.bulk("name");
            out.bulk(r.name());
            out.bulk("command");
            out.array(r.command().length);
            for (byte[] arg : r.command()) out.bulk(arg);
            out.bulk("duration_ms");
            out.integer(r.durationMillis());
        }
        out.bulk("engines");
        out.map(1);
        out.bulk(ENGINE);
        out.map(2);
        Libraries l = current;
        out.bulk("libraries_count");
        out.integer(l.libraries.size());
        out.bulk("functions_count");
        out.integer(l.functionCount());
    }

    // ---------------------------------------------------------------- FCALL

    /** Redis's fcallGetCommandFlags: FCALL's own {@code bits} when there is no such function. */
    private int fcallFlags(int bits, RespRequest a) {
        if (a.argc() < 2) return bits;
        Function f = current.functions.get(lower(a.string(1)));
        return f == null ? bits : Scripting.commandFlags(bits, f.flags());
    }

    private void fcall(Client c, RespRequest a, boolean ro) {
        Function f = current.functions.get(lower(a.string(1)));
        if (f == null) {
            c.error("ERR Function not found");
            return;
        }
        // processCommand's checks, with the function's flags as the command's (before numkeys)
        String refused = scripting.commandChecks(c, f.flags());
        if (refused != null) {
            c.error(refused);
            return;
        }
        long numkeys = Scripting.numkeys(c, a, "ERR Bad number of keys provided");
        if (numkeys < 0) return;
        scripting.invoke(c, a, 3, (int) numkeys, f.name(), false, f.flags(), ro,
                (keys, argv, h) -> engine.call(f.callback(), f.name(), keys, argv, h));
    }
}
