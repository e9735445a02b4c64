package io.basalt.compat.scripting;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.FunctionLists;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis 7.0's functions against redis-server 7.0.15, byte for byte, in RESP2 and RESP3:
 * FUNCTION LOAD (the shebang, both forms of redis.register_function, the load sandbox, every
 * error text), FCALL / FCALL_RO with keys, arguments and flags, FUNCTION LIST / STATS / DELETE /
 * FLUSH / HELP / KILL, and FUNCTION DUMP / RESTORE with payloads moving between the servers.
 */
class FunctionDifferentialTest extends DifferentialTest {
    private static final String LIB = "#!lua name=mylib\n"
            + "redis.register_function('echo', function(keys, args) return {keys, args} end)\n"
            + "redis.register_function{function_name='ro_get', callback=function(keys) return redis.call('get', keys[1]) end,\n"
            + "  flags={'no-writes'}, description='reads a key'}\n"
            + "redis.register_function{function_name='setter', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end}\n"
            + "redis.register_function{function_name='Oomer', callback=function() return 1 end, flags={'allow-oom', 'ALLOW-STALE', 'no-cluster', 'allow-cross-slot-keys', 'no-writes'}}\n";

    @BeforeEach
    void flushFunctions() {
        redis.call("FUNCTION", "FLUSH");
        basalt.call("FUNCTION", "FLUSH");
    }

    /** Runs {@code body} in RESP2, then with empty servers (keys and functions) in RESP3. */
    private void bothProtocols(Runnable body) {
        body.run();
        flushFunctions();
        redis.call("FLUSHALL");
        basalt.call("FLUSHALL");
        resp3();
        body.run();
    }

    /** FUNCTION LIST on both: the same libraries, functions in any order (see {@link FunctionLists}). */
    private void sameList(String... cmd) {
        RespValue expected = redis.call(cmd);
        RespValue actual = basalt.call(cmd);
        assertEquals(FunctionLists.canonical(expected), FunctionLists.canonical(actual), () -> String.join(" ", cmd));
    }

    /** INFO memory's function counts. */
    private static String counts(io.basalt.compat.harness.RawClient c) {
        StringBuilder sb = new StringBuilder();
        for (String line : c.call("INFO", "memory").string().split("\r\n")) {
            if (line.startsWith("number_of_functions:") || line.startsWith("number_of_libraries:")) sb.append(line).append(' ');
        }
        return sb.toString();
    }

    private void load(String code) {
        same("FUNCTION", "LOAD", code);
    }

    @Test
    void loadAndCall() {
        bothProtocols(() -> {
            load(LIB);
            same("FCALL", "echo", "2", "k1", "k2", "a1", "a2", "a3");
            same("FCALL", "ECHO", "0");
            same("fcall", "Echo", "1", "k");
            same("FCALL", "setter", "1", "k", "v");
            same("FCALL", "ro_get", "1", "k");
            same("FCALL_RO", "ro_get", "1", "k");
            same("FCALL_RO", "echo", "0");
            same("FCALL_RO", "setter", "1", "k", "v");
            same("FCALL_RO", "oomer", "0");
            same("FCALL", "nosuch", "0");
            same("FCALL", "echo", "x");
            same("FCALL", "echo", "3", "a");
            same("FCALL", "echo", "-1");
            same("FCALL", "echo");
            same("FCALL", "nosuch", "x");
            sameList("FUNCTION", "LIST");
            sameList("FUNCTION", "LIST", "WITHCODE");
            same("FUNCTION", "STATS");
            same("FUNCTION", "DELETE", "mylib");
            same("FUNCTION", "DELETE", "mylib");
            same("FCALL", "echo", "0");
            sameList("FUNCTION", "LIST");
        });
    }

    @Test
    void loadErrors() {
        bothProtocols(() -> {
            load("return 1");
            load("#!lua");
            load("#!lua name=x");
            load("#!lua\nreturn 1");
            load("#!lua name=a name=b\n");
            load("#!lua foo=bar\n");
            load("#!lua name=bad-name\n");
            load("#!lua name=\n");
            load("#!nosuch name=x\n");
            load("#!LUA name=upper\nredis.register_function('upper_f', function() return 'up' end)");
            same("FCALL", "upper_f", "0");
            load("#!lua name=empty\n");
            load("#!lua name=empty\nlocal x = 1");
            // the parser's own words after the line are LuaJ's (docs/architecture.md, "Scripting")
            String bad = "#!lua name=syntax\nthis is not lua";
            String prefix = "-ERR Error compiling function: user_function:2: ";
            assertTrue(wire(redis.call("FUNCTION", "LOAD", bad)).startsWith(prefix));
            assertTrue(wire(basalt.call("FUNCTION", "LOAD", bad)).startsWith(prefix));
            load("#!lua name=rt\nerror('boom')");
            load("#!lua name=rt\nerror({err='MYERR custom'})");
            load("#!lua name=rt\nreturn 1 + {}");
            load("#!lua name=dup\nredis.register_function('f1', function() end)\nredis.register_function('f1', function() end)");
            load("#!lua name=badf\nredis.register_function('bad-name', function() end)");
            load("#!lua name=badf\nredis.register_function('', function() end)");
            same("FUNCTION", "LOAD", "REPLACE");
            same("FUNCTION", "LOAD", "NOPE", "#!lua name=x\n");
            same("FUNCTION", "LOAD", "REPLACE", "REPLACE", "#!lua name=twice\nredis.register_function('tw', function() return 2 end)");
            same("FUNCTION", "LOAD");
            sameList("FUNCTION", "LIST", "LIBRARYNAME", "upper");
            sameList("FUNCTION", "LIST", "LIBRARYNAME", "twice");
            same("FUNCTION", "STATS");
        });
    }

    @Test
    void registerFunctionArguments() {
        bothProtocols(() -> {
            String p = "#!lua name=reg\n";
            load(p + "redis.register_function()");
            load(p + "redis.register_function('a', function() end, 3)");
            load(p + "redis.register_function('a')");
            load(p + "redis.register_function({}, function() end)");
            load(p + "redis.register_function('a', 'notfn')");
            load(p + "redis.register_function('notatable')");
            load(p + "redis.register_function{callback=function() end}");
            load(p + "redis.register_function{function_name='a'}");
            load(p + "redis.register_function{function_name={}, callback=function() end}");
            load(p + "redis.register_function{function_name='a', callback='x'}");
            load(p + "redis.register_function{function_name='a', callback=function() end, flags='no-writes'}");
            load(p + "redis.register_function{function_name='a', callback=function() end, flags={'nope'}}");
            load(p + "redis.register_function{function_name='a', callback=function() end, flags={1}}");
            load(p + "redis.register_function{function_name='a', callback=function() end, description={}}");
            load(p + "redis.register_function{function_name='a', callback=function() end, extra=1}");
            load(p + "redis.register_function{[1]=2}");
            load(p + "redis.register_function{FUNCTION_NAME='numname', CALLBACK=function() return 7 end, DESCRIPTION='d', FLAGS={}}");
            same("FCALL", "numname", "0");
            load("#!lua name=reg2\nredis.register_function(123, function() return 'n' end)");
            same("FCALL", "123", "0");
            sameList("FUNCTION", "LIST", "LIBRARYNAME", "reg");
        });
    }

    @Test
    void loadSandbox() {
        bothProtocols(() -> {
            String p = "#!lua name=sb\n";
            load(p + "redis.call('set', 'x', 1)");
            load(p + "local s = string.len('x')");
            load(p + "redis.setresp(3)");
            load(p + "x = 1");
            load(p + "redis.nosuch = 1");
            load(p + "local v = KEYS");
            load(p + "redis.log(redis.LOG_NOTICE, 'loading') "
                    + "redis.register_function('ver', function() return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.LOG_WARNING} end)");
            same("FCALL", "ver", "0");
            // at run time the whole API is back, but not register_function (nil), and globals stay read-only
            load("#!lua name=rt\n"
                    + "redis.register_function('reg_at_run', function() return type(redis.register_function) end)\n"
                    + "redis.register_function('write_global', function() y = 1 end)\n"
                    + "redis.register_function('read_keys_global', function() return KEYS end)\n"
                    + "redis.register_function('uses_libs', function(k, a) return {string.upper(a[1]), cjson.encode({1,2}), tostring(math.floor(2.5))} end)\n"
                    + "redis.register_function('err_table', function() return redis.error_reply('MY failure') end)\n"
                    + "redis.register_function('raise', function() error('raised') end)\n"
                    + "redis.register_function('call_err', function() return redis.call('incr', 'str') end)\n"
                    + "redis.register_function('resp3', function() redis.setresp(3) return redis.call('hgetall', 'h') end)\n"
                    + "redis.register_function('pcall_err', function() return redis.pcall('nosuchcmd') end)");
            same("SET", "str", "abc");
            same("HSET", "h", "f", "v");
            same("FCALL", "reg_at_run", "0");
            same("FCALL", "write_global", "0");
            same("FCALL", "read_keys_global", "0");
            same("FCALL", "uses_libs", "0", "abc");
            same("FCALL", "err_table", "0");
            same("FCALL", "raise", "0");
            same("FCALL", "call_err", "0");
            same("FCALL", "resp3", "0");
            same("FCALL", "pcall_err", "0");
        });
    }

    @Test
    void replaceAndCollisions() {
        bothProtocols(() -> {
            load("#!lua name=one\nredis.register_function('f', function() return 1 end)");
            load("#!lua name=one\nredis.register_function('f', function() return 2 end)");
            same("FUNCTION", "LOAD", "REPLACE", "#!lua name=one\nredis.register_function('f', function() return 3 end)");
            same("FCALL", "f", "0");
            load("#!lua name=two\nredis.register_function('F', function() return 'two' end)");
            // a failed REPLACE keeps the old library
            same("FUNCTION", "LOAD", "replace", "#!lua name=one\nerror('no')");
            same("FCALL", "f", "0");
            same("FUNCTION", "LOAD", "replace", "#!lua name=one\nredis.register_function('g', function() return 'g' end)");
            same("FCALL", "f", "0");
            same("FCALL", "g", "0");
            sameList("FUNCTION", "LIST", "LIBRARYNAME", "one", "WITHCODE");
            sameList("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "ON*");
            sameList("FUNCTION", "LIST", "LIBRARYNAME", "nomatch*");
            sameList("FUNCTION", "LIST", "LIBRARYNAME");
            sameList("FUNCTION", "LIST", "WITHCODE", "WITHCODE");
            sameList("FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b");
            sameList("FUNCTION", "LIST", "bogus");
            same("FUNCTION", "STATS");
            same("FUNCTION", "DELETE", "ONE");
            same("FUNCTION", "FLUSH", "bogus");
            same("FUNCTION", "FLUSH", "sync", "extra");
            same("FUNCTION", "FLUSH", "ASYNC");
            same("FUNCTION", "STATS");
            same("FUNCTION", "FLUSH");
            same("FUNCTION", "KILL");
            same("FUNCTION", "KILL", "x");
            same("FUNCTION", "HELP");
            same("FUNCTION", "NOSUCH");
            same("FUNCTION", "DELETE");
            same("FUNCTION", "STATS", "x");
            same("FUNCTION", "DUMP", "x");
        });
    }

    @Test
    void fcallFlags() {
        bothProtocols(() -> {
            load("#!lua name=flags\n"
                    + "redis.register_function{function_name='rw', callback=function(k) return redis.call('incr', k[1]) end}\n"
                    + "redis.register_function{function_name='ro', callback=function(k) return redis.call('incr', k[1]) end, flags={'no-writes'}}\n"
                    + "redis.register_function{function_name='ro_pub', callback=function() return redis.call('publish', 'c', 'm') end, flags={'no-writes'}}\n"
                    + "redis.register_function{function_name='reads', callback=function(k) return redis.call('get', k[1]) end, flags={'no-writes'}}\n"
                    + "redis.register_function{function_name='oom', callback=function(k) return redis.call('set', k[1], 'v') end, flags={'allow-oom'}}");
            same("FCALL", "rw", "1", "n");
            same("FCALL", "ro", "1", "n");
            same("FCALL", "ro_pub", "0");
            same("FCALL", "reads", "1", "n");
            same("FCALL_RO", "reads", "1", "n");
            same("FCALL_RO", "rw", "1", "n");
            same("FCALL_RO", "oom", "1", "n");
            // over maxmemory: only no-writes and allow-oom functions run
            same("CONFIG", "SET", "maxmemory", "1");
            try {
                same("FCALL", "rw", "1", "n");
                same("FCALL", "reads", "1", "n");
                same("FCALL", "oom", "1", "o");
            } finally {
                same("CONFIG", "SET", "maxmemory", "0");
            }
        });
    }

    @Test
    void inTransactions() {
        load("#!lua name=tx\nredis.register_function('incr2', function(k) redis.call('incr', k[1]) return redis.call('incr', k[1]) end)");
        same("MULTI");
        same("FCALL", "incr2", "1", "c");
        same("FCALL", "nosuch", "0");
        same("INCR", "c");
        same("EXEC");
        same("GET", "c");
    }

    @Test
    void dumpAndRestore() {
        bothProtocols(() -> {
            load(LIB);
            // one library: the payloads are byte-identical (compressed code, version, CRC64)
            RespValue fromRedis = redis.call("FUNCTION", "DUMP");
            RespValue fromBasalt = basalt.call("FUNCTION", "DUMP");
            assertArrayEquals(fromRedis.raw(), fromBasalt.raw());
            byte[] payload = fromRedis.bytes();
            // each loads the other's
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), payload);
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), payload, "APPEND".getBytes());
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), payload, "REPLACE".getBytes());
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), payload, "bogus".getBytes());
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), payload, "FLUSH".getBytes(), "x".getBytes());
            same("FUNCTION", "FLUSH");
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), fromBasalt.bytes());
            same("FCALL", "echo", "1", "k", "a");
            load("#!lua name=other\nredis.register_function('another', function() return 'other' end)");
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), payload, "FLUSH".getBytes());
            same("FCALL", "another", "0");
            sameList("FUNCTION", "LIST", "WITHCODE");
            // a function of the payload already exists in another library
            same("FUNCTION", "FLUSH");
            load("#!lua name=clash\nredis.register_function('ECHO', function() return 'clash' end)");
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), payload);
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), payload, "REPLACE".getBytes());
            same("FCALL", "echo", "0");
            // bad payloads
            same("FUNCTION", "RESTORE", "garbage");
            same("FUNCTION", "RESTORE", "");
            byte[] bad = payload.clone();
            bad[3] ^= 1;
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), bad);
            same("SET", "k", "v");
            byte[] keyDump = redis.call("DUMP", "k").bytes();
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), keyDump);
            // an empty set of libraries
            same("FUNCTION", "FLUSH");
            same("FUNCTION", "DUMP");
            same("FUNCTION".getBytes(), "RESTORE".getBytes(), redis.call("FUNCTION", "DUMP").bytes());
        });
    }

    @Test
    void dumpsOfSeveralLibrariesMoveBothWays() {
        for (int i = 0; i < 5; i++) {
            load("#!lua name=lib" + i + "\nredis.register_function('f" + i + "', function(k, a) return 'lib" + i + " ' .. #a end)"
                    + " -- padding so the code is compressed " + "x".repeat(i * 40));
        }
        byte[] fromRedis = redis.call("FUNCTION", "DUMP").bytes();
        byte[] fromBasalt = basalt.call("FUNCTION", "DUMP").bytes();
        // the libraries' order is the dict's (random in Redis): each server restores the other's
        same("FUNCTION", "FLUSH");
        assertEquals("OK", basalt.call("FUNCTION".getBytes(), "RESTORE".getBytes(), fromRedis).string());
        assertEquals("OK", redis.call("FUNCTION".getBytes(), "RESTORE".getBytes(), fromBasalt).string());
        for (int i = 0; i < 5; i++) same("FCALL", "f" + i, "0", "a", "b");
        same("FUNCTION", "STATS");
        for (int i = 0; i < 5; i++) sameList("FUNCTION", "LIST", "LIBRARYNAME", "lib" + i, "WITHCODE");
    }

    @Test
    void statsOutsideARun() {
        bothProtocols(() -> {
            same("FUNCTION", "STATS");
            load(LIB);
            same("FUNCTION", "STATS");
            same("FUNCTION", "KILL");
            same("SCRIPT", "KILL");
            RespValue v = basalt.call("FUNCTION", "STATS");
            assertTrue(v.isAggregate(), v.toString());
            assertEquals(counts(redis), counts(basalt));
            assertTrue(counts(basalt).contains("number_of_functions:4"), counts(basalt));
        });
    }
}
