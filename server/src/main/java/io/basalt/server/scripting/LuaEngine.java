package io.basalt.server.scripting;

import io.basalt.resp.Doubles;
import io.basalt.server.util.Log;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JseMathLib;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The Lua interpreter scripts run in (LuaJ, patched to Lua 5.1 as Redis embeds it where scripts
 * can see it): the sandboxed, read-only globals Redis 7.0 leaves (see {@link #GLOBALS}), the
 * {@code redis} table, the libraries, the instruction hook that bounds a script's run time, and
 * the error formats. One engine serves every script, one at a time (a script holds every shard).
 */
final class LuaEngine {
    /** The chunk name of every script: errors read "user_script:1: ...". */
    static final String CHUNK = "@user_script";
    /** The chunk name of every function library: errors read "user_function:1: ...". */
    static final String FUNCTION_CHUNK = "@user_function";
    /** The globals a script sees, exactly Redis 7.0.15's (plus KEYS and ARGV, set per run). */
    static final Set<String> GLOBALS = Set.of("_G", "_VERSION", "assert", "bit", "cjson", "collectgarbage", "coroutine",
            "error", "gcinfo", "getmetatable", "ipairs", "load", "loadstring", "math", "next", "pairs", "pcall", "rawequal",
            "rawget", "rawset", "redis", "select", "setmetatable", "string", "table", "tonumber",
            "tostring", "type", "unpack", "xpcall", "__redis__err__handler");
    /** How many instructions run between two checks of the run's time (Redis's count hook: 100000). */
    static final int HOOK_INSTRUCTIONS = 100_000;
    private static final String TRACEBACK = "\u0000tb";

    /** What the engine asks the running script's host: redis.call, the hook's checks. */
    interface Host {
        /** redis.call / redis.pcall: the command's reply as a Lua value (an error table for errors). */
        LuaValue call(Varargs args);

        /** redis.acl_check_cmd: whether the caller's user may run the command; null if there is no such command. */
        Boolean aclCheck(Varargs args);

        /** redis.setresp. */
        void resp(int protocol);

        /** redis.set_repl. */
        void repl(int flags);

        /** Every {@link #HOOK_INSTRUCTIONS}: true when the script must stop (SCRIPT KILL). */
        boolean interrupted();

        /** The thread the script runs on (redis.call from a coroutine's thread is refused). */
        Thread thread();

        /** The error raised once {@link #interrupted} said so. */
        default String interruptError() { return KILLED; }
    }

    static final String KILLED = "Script killed by user with SCRIPT KILL...";

    private final SandboxGlobals g = new SandboxGlobals();
    private final Hook hook = new Hook();
    private final Rand48 rand = new Rand48();
    private final String version;
    private final long versionNum;
    /** The chunk name of this engine's code: {@link #CHUNK} for EVAL, {@link #FUNCTION_CHUNK} for libraries. */
    private final String chunk;
    private Host host;

    LuaEngine(String version) {
        this(version, CHUNK);
    }

    LuaEngine(String version, String chunk) {
        this.version = version;
        this.chunk = chunk;
        String[] v = version.split("\\.");
        this.versionNum = (Long.parseLong(v[0]) << 16) | (Long.parseLong(v[1]) << 8) | Long.parseLong(v[2]);
        g.load(new BaseLib());
        g.load(new PackageLib());
        g.load(new TableLib());
        g.load(new StringLib());
        g.load(new JseMathLib());
        g.load(new org.luaj.vm2.lib.CoroutineLib());
        LoadState.install(g);
        LuaC.install(g);
        g.debuglib = hook;
        sandbox();
    }

    // ---------------------------------------------------------------- the sandbox

    private void sandbox() {
        LuaTable table = g.get("table").checktable();
        // Lua 5.1's names for what 5.2 moved
        g.rawset("unpack", table.get("unpack"));
        table.rawset("getn", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return LuaValue.valueOf(a.checktable(1).length()); }
        });
        LuaTable math = g.get("math").checktable();
        math.rawset("mod", math.get("fmod"));
        math.rawset("random", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return random(a); }
        });
        math.rawset("randomseed", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                rand.seed((int) a.checkdouble(1));
                return NONE;
            }
        });
        LuaTable string = g.get("string").checktable();
        string.rawset("format", new StringFormat());
        string.rawset("gfind", string.get("gmatch"));
        math.rawset("log10", fn(a -> LuaValue.valueOf(Math.log10(a.checkdouble(1)))));
        math.rawset("pow", fn(a -> LuaValue.valueOf(Math.pow(a.checkdouble(1), a.checkdouble(2)))));
        math.rawset("ldexp", fn(a -> LuaValue.valueOf(a.checkdouble(1) * Math.pow(2, (int) a.checkdouble(2)))));
        math.rawset("frexp", fn(a -> {
            double d = a.checkdouble(1);
            if (d == 0 || Double.isNaN(d) || Double.isInfinite(d)) return LuaValue.varargsOf(LuaValue.valueOf(d), LuaValue.valueOf(0));
            int e = Math.getExponent(d) + 1;
            double m = d / Math.pow(2, e);
            if (Math.abs(m) < 0.5) { // subnormals
                m *= 2;
                e--;
            }
            return LuaValue.varargsOf(LuaValue.valueOf(m), LuaValue.valueOf(e));
        }));
        math.rawset("cosh", fn(a -> LuaValue.valueOf(Math.cosh(a.checkdouble(1)))));
        math.rawset("sinh", fn(a -> LuaValue.valueOf(Math.sinh(a.checkdouble(1)))));
        math.rawset("tanh", fn(a -> LuaValue.valueOf(Math.tanh(a.checkdouble(1)))));
        table.rawset("maxn", fn(a -> {
            double max = 0;
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs e = a.checktable(1).next(k);
                if ((k = e.arg1()).isnil()) break;
                if (k.type() == LuaValue.TNUMBER) max = Math.max(max, k.todouble());
            }
            return LuaValue.valueOf(max);
        }));
        table.rawset("setn", fn(a -> {
            throw new LuaError("'setn' is obsolete");
        }));
        table.rawset("foreachi", fn(a -> {
            LuaTable t = a.checktable(1);
            LuaValue f = a.checkfunction(2);
            for (int i = 1, n = t.length(); i <= n; i++) {
                LuaValue r = f.call(LuaValue.valueOf(i), t.get(i));
                if (!r.isnil()) return r;
            }
            return LuaValue.NIL;
        }));
        table.rawset("foreach", fn(a -> {
            LuaTable t = a.checktable(1);
            LuaValue f = a.checkfunction(2);
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs e = t.next(k);
                if ((k = e.arg1()).isnil()) return LuaValue.NIL;
                LuaValue r = f.call(k, e.arg(2));
                if (!r.isnil()) return r;
            }
        }));
        keepOnly(string, "byte char dump find format gfind gmatch gsub len lower match rep reverse sub upper");
        keepOnly(math, "abs acos asin atan atan2 ceil cos cosh deg exp floor fmod frexp huge ldexp log log10 max min mod modf "
                + "pi pow rad random randomseed sin sinh sqrt tan tanh");
        keepOnly(table, "concat foreach foreachi getn insert maxn remove setn sort");
        g.rawset("_VERSION", LuaValue.valueOf("Lua 5.1"));
        g.rawset("tostring", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return LuaEngine.tostring(a.checkvalue(1)); }
        });
        g.rawset("loadstring", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return loadstring(a.checkstring(1), a.optjstring(2, null)); }
        });
        g.rawset("load", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                LuaValue chunk = a.arg1();
                if (chunk.isstring()) return loadstring(chunk.checkstring(), a.optjstring(2, null));
                // Lua 5.1's load(func): the pieces concatenated
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                while (true) {
                    LuaValue piece = chunk.checkfunction().call();
                    if (piece.isnil() || (piece.isstring() && piece.checkstring().m_length == 0)) break;
                    LuaString s = piece.checkstring();
                    all.write(s.m_bytes, s.m_offset, s.m_length);
                }
                return loadstring(LuaString.valueUsing(all.toByteArray()), a.optjstring(2, null));
            }
        });
        g.rawset("gcinfo", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return LuaValue.valueOf(Math.floor(g.get("collectgarbage").call(LuaValue.valueOf("count")).todouble())); }
        });
        g.rawset("pcall", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return pcall(a); }
        });
        g.rawset("bit", LuaLibs.bit());
        g.rawset("cjson", LuaLibs.cjson());
        g.rawset("redis", redisTable());
        // the globals Redis 7.0 leaves, nothing else (no os, io, print, require, dofile, loadfile...)
        LuaValue k = LuaValue.NIL;
        java.util.List<LuaValue> drop = new java.util.ArrayList<>();
        while (true) {
            Varargs e = g.next(k);
            if ((k = e.arg1()).isnil()) break;
            if (!GLOBALS.contains(k.tojstring())) drop.add(k);
        }
        for (LuaValue d : drop) g.rawset(d, LuaValue.NIL);
        g.rawset("__redis__err__handler", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return a.arg1(); }
        });
        // every table reachable from the globals becomes read-only, and the globals themselves
        for (String name : new String[] {"string", "table", "math", "coroutine", "bit", "cjson", "redis"}) {
            ReadOnlyTable t = ReadOnlyTable.copyOf(g.get(name).checktable());
            t.seal();
            g.rawset(name, t);
        }
        ReadOnlyTable stringMeta = new ReadOnlyTable();
        stringMeta.rawset(LuaValue.INDEX, g.get("string"));
        stringMeta.seal();
        LuaString.s_metatable = stringMeta;
        ReadOnlyTable meta = new ReadOnlyTable();
        meta.rawset(LuaValue.INDEX, new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { throw nonexistent(a.arg(2)); }
        });
        meta.seal();
        g.setmetatable(meta);
        g.seal();
    }

    // ---------------------------------------------------------------- the redis table

    private LuaTable redisTable() {
        LuaTable r = new LuaTable();
        r.rawset("call", fn(a -> redisCall(a, true)));
        r.rawset("pcall", fn(a -> redisCall(a, false)));
        logAndVersion(r);
        r.rawset("setresp", fn(a -> {
            Host h = running("redis.setresp can only be called inside a script invocation");
            if (a.narg() != 1) throw raise("redis.setresp() requires one argument.");
            int resp = (int) a.arg1().todouble();
            if (resp != 2 && resp != 3) throw raise("RESP version must be 2 or 3.");
            h.resp(resp);
            return LuaValue.NONE;
        }));
        r.rawset("sha1hex", fn(a -> {
            if (a.narg() != 1) throw raise("wrong number of arguments");
            LuaString s = a.arg1().isstring() ? a.arg1().checkstring() : LuaString.valueOf("");
            byte[] b = new byte[s.m_length];
            s.copyInto(0, b, 0, b.length);
            return LuaValue.valueOf(ScriptCache.sha1hex(b));
        }));
        r.rawset("error_reply", fn(a -> {
            if (a.narg() != 1 || a.arg1().type() != LuaValue.TSTRING) return LuaReplies.errorTable("wrong number or type of arguments");
            String e = a.arg1().tojstring();
            return LuaReplies.errorTable(e.startsWith("-") ? e : "-" + e);
        }));
        r.rawset("status_reply", fn(a -> {
            if (a.narg() != 1 || a.arg1().type() != LuaValue.TSTRING) return LuaReplies.errorTable("wrong number or type of arguments");
            LuaTable t = new LuaTable();
            t.rawset(LuaReplies.OK, a.arg1());
            return t;
        }));
        r.rawset("set_repl", fn(a -> {
            Host h = running("redis.set_repl can only be called inside a script invocation");
            if (a.narg() != 1) throw raise("redis.set_repl() requires two arguments.");
            int flags = (int) a.arg1().todouble();
            if ((flags & ~3) != 0) throw raise("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
            h.repl(flags);
            return LuaValue.NONE;
        }));
        r.rawset("REPL_NONE", 0);
        r.rawset("REPL_AOF", 1);
        r.rawset("REPL_SLAVE", 2);
        r.rawset("REPL_REPLICA", 2);
        r.rawset("REPL_ALL", 3);
        r.rawset("replicate_commands", fn(a -> LuaValue.TRUE));
        r.rawset("acl_check_cmd", fn(a -> {
            Host h = running("redis.acl_check_cmd can only be called inside a script invocation");
            if (a.narg() == 0) throw raise("Please specify at least one argument for this redis lib call");
            Boolean allowed = h.aclCheck(a);
            if (allowed == null) throw raise("Invalid command passed to redis.acl_check_cmd()");
            return allowed ? LuaValue.TRUE : LuaValue.FALSE;
        }));
        r.rawset("breakpoint", fn(a -> LuaValue.FALSE));
        r.rawset("debug", fn(a -> LuaValue.NONE));
        return r;
    }

    /** redis.log, the LOG_ levels and the version (Redis's luaRegisterLogFunction and luaRegisterVersion). */
    private void logAndVersion(LuaTable r) {
        r.rawset("log", fn(this::log));
        r.rawset("LOG_DEBUG", 0);
        r.rawset("LOG_VERBOSE", 1);
        r.rawset("LOG_NOTICE", 2);
        r.rawset("LOG_WARNING", 3);
        r.rawset("REDIS_VERSION_NUM", LuaValue.valueOf((double) versionNum));
        r.rawset("REDIS_VERSION", version);
    }

    /** Removes the functions Lua 5.1 does not have (LuaJ's 5.2 additions). */
    private static void keepOnly(LuaTable t, String names) {
        Set<String> keep = Set.of(names.split(" "));
        java.util.List<LuaValue> drop = new java.util.ArrayList<>();
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs e = t.next(k);
            if ((k = e.arg1()).isnil()) break;
            if (!keep.contains(k.tojstring())) drop.add(k);
        }
        for (LuaValue d : drop) t.rawset(d, LuaValue.NIL);
    }

    private interface Body {
        Varargs run(Varargs a);
    }

    private static LuaFunction fn(Body b) {
        return new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { return b.run(a); }
        };
    }

    private Host running(String error) {
        Host h = host;
        if (h == null) throw raise(error);
        return h;
    }

    /** A Lua error whose value is Redis's error table ("ERR " + text). */
    static LuaError raise(String text) {
        return new LuaError(LuaReplies.errorTable(text));
    }

    private Varargs redisCall(Varargs a, boolean raise) {
        Host h = running("redis.call/pcall can only be called inside a script invocation");
        if (Thread.currentThread() != h.thread()) {
            LuaValue e = LuaReplies.errorTable("redis.call/pcall from a coroutine is not supported by Basalt");
            if (raise) throw new LuaError(e);
            return e;
        }
        LuaValue reply = h.call(a);
        if (raise && reply.istable() && reply.rawget(LuaReplies.ERR).isstring()) throw new LuaError(reply);
        return reply;
    }

    private Varargs log(Varargs a) {
        int argc = a.narg();
        if (argc < 2) throw raise("redis.log() requires two arguments or more.");
        if (!a.arg1().isnumber()) throw raise("First argument must be a number (log level).");
        int level = (int) a.arg1().todouble();
        if (level < 0 || level > 3) throw raise("Invalid debug level.");
        StringBuilder sb = new StringBuilder();
        for (int i = 2; i <= argc; i++) {
            LuaValue v = a.arg(i);
            if (!v.isstring()) continue;
            if (i != 2) sb.append(' ');
            sb.append(v.isnumber() && v.type() == LuaValue.TNUMBER ? number14g(v.todouble()) : v.tojstring());
        }
        Log.log(Log.Level.values()[level], sb.toString());
        return LuaValue.NONE;
    }

    // ---------------------------------------------------------------- Lua 5.1 behaviour

    /** Lua 5.1's tostring: numbers as "%.14g". */
    static LuaValue tostring(LuaValue v) {
        if (v.type() == LuaValue.TNUMBER) return LuaValue.valueOf(number14g(v.todouble()));
        LuaValue h = v.metatag(LuaValue.TOSTRING);
        if (!h.isnil()) return h.call(v);
        if (v.type() == LuaValue.TSTRING) return v;
        return LuaValue.valueOf(v.tojstring());
    }

    /** LUAI_NUMFFORMAT "%.14g", with C's spellings of the special values. */
    static String number14g(double d) {
        if (Double.isNaN(d)) return (Double.doubleToRawLongBits(d) < 0) ? "-nan" : "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        return Doubles.formatG(d, 14);
    }

    private Varargs loadstring(LuaString source, String name) {
        byte[] b = new byte[source.m_length];
        source.copyInto(0, b, 0, b.length);
        String chunk = name == null ? "[string \"" + chunkName(b) + "\"]" : name;
        try {
            Prototype p = LuaC.instance.compile(new ByteArrayInputStream(b), chunk.startsWith("@") || chunk.startsWith("=") ? chunk : "=" + chunk);
            noTailCalls(p);
            return new LuaClosure(p, g);
        } catch (LuaError e) {
            return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(message(e)));
        } catch (java.io.IOException e) {
            return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(e.getMessage()));
        }
    }

    private static String chunkName(byte[] b) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int nl = s.indexOf('\n');
        if (nl >= 0) s = s.substring(0, nl) + "...";
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** Redis's pcall: an error table is returned as its "err" text (7.0's compatibility rule). */
    private Varargs pcall(Varargs a) {
        LuaValue f = a.checkvalue(1);
        try {
            return LuaValue.varargsOf(LuaValue.TRUE, f.invoke(a.subargs(2)));
        } catch (LuaError e) {
            LuaValue v = errorValue(e);
            if (v.istable() && v.rawget(LuaReplies.ERR).isstring()) v = v.rawget(LuaReplies.ERR);
            return LuaValue.varargsOf(LuaValue.FALSE, v);
        } catch (StackOverflowError e) {
            return LuaValue.varargsOf(LuaValue.FALSE, LuaValue.valueOf("stack overflow"));
        }
    }

    private Varargs random(Varargs a) {
        running("math.random can only be called inside a script invocation");
        double r = (rand.next() % Rand48.MAX) / (double) Rand48.MAX;
        switch (a.narg()) {
            case 0: return LuaValue.valueOf(r);
            case 1: {
                int u = (int) a.checkdouble(1);
                if (u < 1) throw new LuaError("bad argument #1 to 'random' (interval is empty)");
                return LuaValue.valueOf(Math.floor(r * u) + 1);
            }
            case 2: {
                int l = (int) a.checkdouble(1);
                int u = (int) a.checkdouble(2);
                if (l > u) throw new LuaError("bad argument #2 to 'random' (interval is empty)");
                return LuaValue.valueOf(Math.floor(r * (u - l + 1)) + l);
            }
            default: throw new LuaError("wrong number of arguments");
        }
    }

    // ---------------------------------------------------------------- compile and run

    /** Compiles a script body (its shebang line already blanked); the error text as Redis prints it. */
    static Prototype compile(byte[] body, int from) throws LuaError {
        return compile(body, from, CHUNK);
    }

    static Prototype compile(byte[] body, int from, String chunk) throws LuaError {
        try {
            Prototype p = LuaC.instance.compile(new ByteArrayInputStream(body, from, body.length - from), chunk);
            noTailCalls(p);
            return p;
        } catch (java.io.IOException e) {
            throw new LuaError(e.getMessage());
        } catch (LuaError e) {
            throw new LuaError(message(e));
        }
    }

    /**
     * Turns every tail call into a call followed by its return (the compiler always emits RETURN
     * A 0 after TAILCALL A B C): LuaJ runs a tail call outside the calling function, so an error
     * in a tail-called function (return redis.call(...)) would lose the line Redis reports.
     */
    static void noTailCalls(Prototype p) {
        int[] code = p.code;
        for (int i = 0; i < code.length; i++) {
            if ((code[i] & org.luaj.vm2.Lua.MASK_OP) == org.luaj.vm2.Lua.OP_TAILCALL) {
                code[i] = (code[i] & org.luaj.vm2.Lua.MASK_NOT_OP & org.luaj.vm2.Lua.MASK_NOT_C) | org.luaj.vm2.Lua.OP_CALL;
            }
        }
        if (p.p != null) for (Prototype child : p.p) noTailCalls(child);
    }

    /** What a run ended with: the return value, or Redis's error text ("-..." without the dash). */
    record Result(LuaValue value, String error, boolean errorCounted) {}

    /**
     * Runs a compiled script with KEYS and ARGV (Redis's luaCallFunction): the result value, or
     * the error text Redis builds ("ERR user_script:1: ... script: sha, on @user_script:1.").
     */
    Result run(Prototype p, String sha, LuaValue keys, LuaValue argv, Host h) {
        g.force("KEYS", keys);
        g.force("ARGV", argv);
        try {
            return invoke(new LuaClosure(p, g), LuaValue.NONE, sha, h);
        } finally {
            g.force("KEYS", LuaValue.NIL);
            g.force("ARGV", LuaValue.NIL);
        }
    }

    /**
     * Calls a library's function with its keys and arguments as its two parameters (Redis's
     * luaEngineCall): errors read "... script: name, on @user_function:N.".
     */
    Result call(LuaFunction f, String name, LuaValue keys, LuaValue argv, Host h) {
        return invoke(f, LuaValue.varargsOf(keys, argv), name, h);
    }

    private Result invoke(LuaFunction f, Varargs args, String name, Host h) {
        host = h;
        hook.arm(h);
        try {
            Varargs r = f.invoke(args);
            return new Result(r.arg1(), null, false);
        } catch (LuaError e) {
            LuaValue v = errorValue(e);
            String where = where(e, chunk);
            String suffix = where == null ? "" : " script: " + name + ", on @" + where + ".";
            if (v.istable()) {
                LuaValue err = v.rawget(LuaReplies.ERR);
                boolean counted = v.rawget(LuaReplies.IGNORE_STATS).toboolean();
                String msg = err.isstring() ? err.tojstring() : "ERR unknown error";
                return new Result(null, msg + suffix, counted);
            }
            return new Result(null, "ERR " + tostring(v).tojstring() + suffix, false);
        } catch (StackOverflowError e) {
            return new Result(null, "ERR " + chunk.substring(1) + ": stack overflow script: " + name, false);
        } finally {
            host = null;
            hook.disarm();
        }
    }

    /** The error's value as Lua 5.1 would hold it: strings as "user_script:N: message". */
    private static LuaValue errorValue(LuaError e) {
        LuaValue v = e.getMessageObject();
        if (v != null && !v.isstring()) return v;
        return LuaValue.valueOf(message(e));
    }

    /** "user_script:1: message" from LuaJ's "@user_script:1 message" and its traceback. */
    static String message(LuaError e) {
        LuaValue o = e.getMessageObject();
        String m = o != null && o.isstring() ? o.tojstring() : e.getMessage();
        if (m == null) return "nil";
        int tb = m.indexOf("\n" + TRACEBACK);
        if (tb >= 0) m = m.substring(0, tb);
        if (m.startsWith("@")) {
            int sp = m.indexOf(' ');
            int colon = m.indexOf(':');
            if (sp > 0 && colon > 0 && colon < sp) m = m.substring(1, sp) + ": " + m.substring(sp + 1);
        } else if (m.startsWith("user_script:") || m.startsWith("user_function:")) {
            int sp = m.indexOf(' ');
            if (sp > 0 && m.charAt(sp - 1) != ':') m = m.substring(0, sp) + ": " + m.substring(sp + 1);
        }
        return lua51(m);
    }

    private static final java.util.regex.Pattern ARITH = java.util.regex.Pattern.compile("attempt to perform arithmetic \\S+ on (\\w+) and (\\w+)$");
    private static final java.util.regex.Pattern INDEX = java.util.regex.Pattern.compile("attempt to index \\? \\(a (\\w+) value\\)$");
    private static final java.util.regex.Pattern CALL = java.util.regex.Pattern.compile("attempt to (call|get length of) (\\w+)$");
    private static final java.util.regex.Pattern CONCAT = java.util.regex.Pattern.compile("attempt to concatenate (\\w+) and (\\w+)$");

    /**
     * LuaJ's runtime error texts in Lua 5.1's words, where the operand's name is unknown (LuaJ
     * does not track it): "attempt to perform arithmetic on a nil value".
     */
    private static String lua51(String m) {
        java.util.regex.Matcher x = ARITH.matcher(m);
        if (x.find()) {
            String t = x.group(1).equals("number") ? x.group(2) : x.group(1);
            return m.substring(0, x.start()) + "attempt to perform arithmetic on a " + t + " value";
        }
        x = CONCAT.matcher(m);
        if (x.find()) {
            String t = x.group(1).equals("string") || x.group(1).equals("number") ? x.group(2) : x.group(1);
            return m.substring(0, x.start()) + "attempt to concatenate a " + t + " value";
        }
        x = INDEX.matcher(m);
        if (x.find()) return m.substring(0, x.start()) + "attempt to index a " + x.group(1) + " value";
        x = CALL.matcher(m);
        if (x.find()) return m.substring(0, x.start()) + "attempt to " + x.group(1) + " a " + x.group(2) + " value";
        return m;
    }

    /** "user_script:N" where the error was raised (the innermost line of the script), or null. */
    private static String where(LuaError e, String chunk) {
        String m = e.getMessage();
        if (m == null || !m.startsWith(chunk + ":")) return null;
        int sp = m.indexOf(' ');
        int nl = m.indexOf('\n');
        int end = sp < 0 ? nl : nl < 0 ? sp : Math.min(sp, nl);
        if (end < 0) end = m.length();
        String w = m.substring(1, end);
        return w.endsWith(":") ? w.substring(0, w.length() - 1) : w;
    }

    // ---------------------------------------------------------------- function libraries

    /** Where FUNCTION LOAD's run of a library puts what redis.register_function was given. */
    interface Registrar {
        /** Adds a function to the library being loaded: Redis's error text (without "ERR "), or null. */
        String register(String name, LuaFunction callback, byte[] description, int flags);
    }

    /** A library that could not be loaded: Redis's error text (without "ERR "). */
    static final class LoadError extends Exception {
        LoadError(String message) { super(message, null, false, false); }
    }

    /**
     * Redis's luaEngineCreate: compiles a library's code (from {@code from}, its shebang line left
     * out) and runs it with only the load API: redis.register_function, redis.log, the LOG_ and
     * version constants, anything else is a missing global. Past {@code timeoutMillis} (0: no
     * limit) the run fails with "FUNCTION LOAD timeout". The library gets a global environment of
     * its own, read-only as every script's, that reads this engine's globals once the load is done,
     * so loading never disturbs a function running meanwhile on another thread.
     */
    void loadLibrary(byte[] code, int from, Registrar r, long timeoutMillis) throws LoadError {
        Prototype p;
        try {
            p = compile(code, from, FUNCTION_CHUNK);
        } catch (LuaError e) {
            throw new LoadError("Error compiling function: " + e.getMessage());
        }
        Registrar[] loading = {r};
        LibraryEnv env = new LibraryEnv(libraryApi(loading), g);
        Hook loadHook = new Hook();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        loadHook.arm(new LoadHost(timeoutMillis > 0 ? deadline : 0));
        env.debuglib = loadHook;
        try {
            new LuaClosure(p, env).call();
        } catch (LuaError e) {
            LuaValue v = errorValue(e);
            String msg = v.istable() ? v.rawget(LuaReplies.ERR).optjstring("ERR unknown error") : "ERR " + tostring(v).tojstring();
            throw new LoadError("Error registering functions: " + msg);
        } catch (StackOverflowError e) {
            throw new LoadError("Error registering functions: ERR stack overflow");
        } finally {
            loading[0] = null;
            env.loaded();
            env.debuglib = hook;
        }
    }

    /** The globals FUNCTION LOAD's code sees: only the {@code redis} table of the load API. */
    private LuaTable libraryApi(Registrar[] loading) {
        ReadOnlyTable redis = new ReadOnlyTable();
        redis.rawset("register_function", fn(a -> registerFunction(a, loading[0])));
        logAndVersion(redis);
        redis.setmetatable(errorMetatable());
        redis.seal();
        ReadOnlyTable api = new ReadOnlyTable();
        api.rawset("redis", redis);
        api.seal();
        return api;
    }

    private static ReadOnlyTable errorMetatable() {
        ReadOnlyTable meta = new ReadOnlyTable();
        meta.rawset(LuaValue.INDEX, new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { throw nonexistent(a.arg(2)); }
        });
        meta.seal();
        return meta;
    }

    static LuaError nonexistent(LuaValue name) {
        return new LuaError("Script attempted to access nonexistent global variable '" + name.tojstring() + "'");
    }

    /** Redis's luaRegisterFunction: positional (name, callback) or named arguments, with its error texts. */
    private static Varargs registerFunction(Varargs a, Registrar r) {
        if (r == null) throw raise("redis.register_function can only be called on FUNCTION LOAD command");
        int argc = a.narg();
        if (argc < 1 || argc > 2) throw raise("wrong number of arguments to redis.register_function");
        LuaValue name = null;
        LuaValue desc = null;
        LuaFunction callback = null;
        int flags = 0;
        if (argc == 1) {
            if (!a.arg1().istable()) {
                throw raise("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
            }
            LuaTable t = a.arg1().checktable();
            LuaValue k = LuaValue.NIL;
            while (true) {
                Varargs e = t.next(k);
                if ((k = e.arg1()).isnil()) break;
                LuaValue v = e.arg(2);
                if (!k.isstring()) throw raise("named argument key given to redis.register_function is not a string");
                String key = tostring(k).tojstring().toLowerCase(java.util.Locale.ROOT);
                switch (key) {
                    case "function_name" -> {
                        if (!v.isstring()) throw raise("function_name argument given to redis.register_function must be a string");
                        name = tostring(v);
                    }
                    case "description" -> {
                        if (!v.isstring()) throw raise("description argument given to redis.register_function must be a string");
                        desc = tostring(v);
                    }
                    case "callback" -> {
                        if (!v.isfunction()) throw raise("callback argument given to redis.register_function must be a function");
                        callback = v.checkfunction();
                    }
                    case "flags" -> {
                        if (!v.istable()) throw raise("flags argument to redis.register_function must be a table representing function flags");
                        flags = functionFlags(v);
                        if (flags < 0) throw raise("unknown flag given");
                    }
                    default -> throw raise("unknown argument given to redis.register_function");
                }
            }
            if (name == null) throw raise("redis.register_function must get a function name argument");
            if (callback == null) throw raise("redis.register_function must get a callback argument");
        } else {
            if (!a.arg1().isstring()) throw raise("first argument to redis.register_function must be a string");
            if (!a.arg(2).isfunction()) throw raise("second argument to redis.register_function must be a function");
            name = tostring(a.arg1());
            callback = a.arg(2).checkfunction();
        }
        String error = r.register(name.tojstring(), callback, desc == null ? null : bytes(desc.checkstring()), flags);
        if (error != null) throw raise(error);
        return LuaValue.NONE;
    }

    /** The flags table of redis.register_function (case-insensitive names), or -1 for an unknown one. */
    private static int functionFlags(LuaValue t) {
        int flags = 0;
        for (int j = 1; ; j++) {
            LuaValue v = t.get(j);
            if (v.isnil()) return flags;
            if (!v.isstring()) return -1;
            int f = ScriptCache.flag(tostring(v).tojstring().toLowerCase(java.util.Locale.ROOT));
            if (f == 0) return -1;
            flags |= f;
        }
    }

    static byte[] bytes(LuaString s) {
        byte[] b = new byte[s.m_length];
        s.copyInto(0, b, 0, b.length);
        return b;
    }

    /**
     * A library's globals: empty and read-only; a read goes to the load API while the library
     * loads, to the engine's globals afterwards (Redis swaps the globals' __index the same way).
     */
    private static final class LibraryEnv extends SandboxGlobals {
        private volatile LuaTable api;

        LibraryEnv(LuaTable api, LuaTable globals) {
            this.api = api;
            ReadOnlyTable meta = new ReadOnlyTable();
            meta.rawset(LuaValue.INDEX, new VarArgFunction() {
                @Override public Varargs invoke(Varargs a) {
                    LuaTable from = LibraryEnv.this.api;
                    LuaValue v = (from != null ? from : globals).rawget(a.arg(2));
                    if (v.isnil()) throw nonexistent(a.arg(2));
                    return v;
                }
            });
            meta.seal();
            setmetatable(meta);
            seal();
        }

        void loaded() { api = null; }
    }

    /** FUNCTION LOAD's hook host: only the time limit (Redis's luaEngineLoadHook). */
    private static final class LoadHost implements Host {
        private final long deadline;
        private final Thread thread = Thread.currentThread();

        LoadHost(long deadline) { this.deadline = deadline; }

        @Override public LuaValue call(Varargs args) { throw new IllegalStateException(); }
        @Override public Boolean aclCheck(Varargs args) { return null; }
        @Override public void resp(int protocol) {}
        @Override public void repl(int flags) {}
        @Override public boolean interrupted() { return deadline != 0 && System.nanoTime() - deadline > 0; }
        @Override public Thread thread() { return thread; }
        @Override public String interruptError() { return "FUNCTION LOAD timeout"; }
    }

    // ---------------------------------------------------------------- the instruction hook

    /**
     * LuaJ calls the debug library on every instruction: a countdown, and every
     * {@link #HOOK_INSTRUCTIONS} the host's check (Redis's count hook). Once killed, every
     * instruction raises again, so a pcall cannot swallow SCRIPT KILL (Redis's line hook).
     */
    private static final class Hook extends DebugLib {
        private Host host;
        private int countdown = HOOK_INSTRUCTIONS;
        private String killed;

        void arm(Host h) {
            host = h;
            countdown = HOOK_INSTRUCTIONS;
            killed = null;
        }

        void disarm() {
            host = null;
            killed = null;
        }

        @Override
        public void onInstruction(int pc, Varargs v, int top) {
            if (killed != null) throw raise(killed);
            if (--countdown > 0) return;
            countdown = HOOK_INSTRUCTIONS;
            Host h = host;
            if (h != null && h.interrupted()) {
                killed = h.interruptError();
                if (killed.equals(KILLED)) Log.warning("Lua script killed by user with SCRIPT KILL.");
                throw raise(killed);
            }
        }

        @Override public void onCall(LuaFunction f) {}

        @Override public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {}

        @Override public void onReturn() {}

        @Override public String traceback(int level) { return TRACEBACK; }
    }

    /** Redis's redisLrand48: the 48-bit congruential generator, one sequence for the server. */
    static final class Rand48 {
        static final int MAX = Integer.MAX_VALUE;
        private long x = 0x1234ABCD330EL;

        int next() {
            x = (x * 0x5DEECE66DL + 0xB) & ((1L << 48) - 1);
            return (int) (x >>> 17);
        }

        void seed(int seed) {
            x = ((long) (seed & 0xffffffffL) << 16) | 0x330E;
        }
    }
}
