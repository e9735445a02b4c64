package io.basalt.server.scripting;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.Prototype;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * EVAL's script cache (Redis's lctx.lua_scripts): compiled scripts by the SHA1 of their body,
 * with the flags of their shebang line. Filled by EVAL and SCRIPT LOAD, emptied by SCRIPT FLUSH.
 */
final class ScriptCache {
    // Redis's SCRIPT_FLAG_*
    static final int NO_WRITES = 1;
    static final int ALLOW_OOM = 1 << 1;
    static final int ALLOW_STALE = 1 << 2;
    static final int NO_CLUSTER = 1 << 3;
    static final int EVAL_COMPAT_MODE = 1 << 4;
    static final int ALLOW_CROSS_SLOT = 1 << 5;

    /** A compiled script. */
    record Script(String sha, Prototype code, int flags, int bodyBytes) {}

    /** A script that could not be compiled: the error reply's text. */
    static final class CompileError extends Exception {
        CompileError(String message) { super(message, null, false, false); }
    }

    private final ConcurrentHashMap<String, Script> scripts = new ConcurrentHashMap<>();

    /** The script with this SHA1 (case-insensitive, as Redis's dict), or null. */
    Script get(String sha) {
        return scripts.get(sha.toLowerCase(java.util.Locale.ROOT));
    }

    /** Redis's luaCreateFunction: the cached script for this body, compiled on first sight. */
    Script create(byte[] body) throws CompileError {
        String sha = sha1hex(body);
        Script s = scripts.get(sha);
        if (s != null) return s;
        int[] shebang = new int[1];
        int flags = shebangFlags(body, shebang);
        // the shebang line is skipped, its line feed kept: line numbers stay the user's
        try {
            s = new Script(sha, LuaEngine.compile(body, shebang[0]), flags, body.length);
        } catch (LuaError e) {
            throw new CompileError("ERR Error compiling script (new function): " + e.getMessage());
        }
        Script prev = scripts.putIfAbsent(sha, s);
        return prev != null ? prev : s;
    }

    int size() { return scripts.size(); }

    /** Bytes the cached bodies take (INFO's used_memory_scripts_eval, roughly). */
    long memory() {
        long m = 0;
        for (Script s : scripts.values()) m += s.bodyBytes() + 96;
        return m;
    }

    void flush() { scripts.clear(); }

    /**
     * Redis's evalExtractShebangFlags: "#!lua flags=a,b" on the first line; {@code len[0]} gets
     * the shebang's length. Without a shebang: EVAL_COMPAT_MODE.
     */
    static int shebangFlags(byte[] body, int[] len) throws CompileError {
        len[0] = 0;
        if (body.length < 2 || body[0] != '#' || body[1] != '!') return EVAL_COMPAT_MODE;
        int end = -1;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) throw new CompileError("ERR Invalid script shebang");
        len[0] = end;
        String[] parts = new String(body, 0, end, StandardCharsets.ISO_8859_1).trim().split("[ \t\r\f\u000b]+");
        if (parts.length == 0 || parts[0].isEmpty()) throw new CompileError("ERR Invalid engine in script shebang");
        if (!parts[0].equals("#!lua")) throw new CompileError("ERR Unexpected engine in script shebang: " + parts[0]);
        int flags = 0;
        for (int j = 1; j < parts.length; j++) {
            if (!parts[j].startsWith("flags=")) throw new CompileError("ERR Unknown lua shebang option: " + parts[j]);
            String list = parts[j].substring(6);
            if (list.isEmpty()) continue;
            for (String f : list.split(",", -1)) {
                int bit = flag(f);
                if (bit == 0) throw new CompileError("ERR Unexpected flag in script shebang: " + f);
                flags |= bit;
            }
        }
        return flags;
    }

    /** Redis's scripts_flags_def, in its order: the names FUNCTION LIST shows. */
    static final String[] FLAG_NAMES = {"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"};
    private static final int[] FLAG_BITS = {NO_WRITES, ALLOW_OOM, ALLOW_STALE, NO_CLUSTER, ALLOW_CROSS_SLOT};

    /** The SCRIPT_FLAG_ bit of a flag's name, 0 for an unknown name. */
    static int flag(String name) {
        for (int i = 0; i < FLAG_NAMES.length; i++) if (FLAG_NAMES[i].equals(name)) return FLAG_BITS[i];
        return 0;
    }

    /** The names of the flags set in {@code flags}, in Redis's order. */
    static java.util.List<String> flagNames(int flags) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < FLAG_NAMES.length; i++) if ((flags & FLAG_BITS[i]) != 0) names.add(FLAG_NAMES[i]);
        return names;
    }

    static String sha1hex(byte[] b) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(b);
            StringBuilder sb = new StringBuilder(40);
            for (byte x : d) {
                sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
