package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.data.Slots;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scripts and functions in a cluster, Basalt against redis-server 7.0.15 byte for byte, on the
 * two-node oracle of {@link ClusterRoutingDifferentialTest} (redis-server A serves 0-8191 and B
 * 8192-16383; Basalt plays A with B in its table): the redirect of EVAL/EVALSHA/FCALL by their
 * declared keys (processCommand's getNodeByQuery, a script that may write counted as a write),
 * the no-cluster flag, and the checks of the commands a script runs (scriptVerifyClusterState:
 * a key of another node, keys of several slots without allow-cross-slot-keys, migrating and
 * importing slots with the caller's ASKING, a cluster that is down), with redis.call's and
 * redis.pcall's error texts and the error statistics.
 */
class ScriptClusterDifferentialTest {
    private static RedisServerProcess redisA;
    private static RedisServerProcess redisB;
    private static BasaltInstance basalt;
    private static String idB;
    private static String portB;
    private ClusterPair p;

    /** Slots of A (and Basalt): "hello" 866, "{user1000}x" 3443. Of B: "foo" 12182. */
    private static final int HELLO = TwoNodeOracle.HELLO;
    private static final int FOO = TwoNodeOracle.FOO;
    private static final String OTHER = "{user1000}x";

    private static final String LIB = "#!lua name=clib\n"
            + "redis.register_function('fget', function(keys, args) return redis.call('get', args[1]) end)\n"
            + "redis.register_function('fset2', function(keys, args) redis.call('set', args[1], 'a'); return redis.call('set', args[2], 'b') end)\n"
            + "redis.register_function{function_name='fcross', callback=function(keys, args) redis.call('set', args[1], 'a'); "
            + "return redis.call('set', args[2], 'b') end, flags={'allow-cross-slot-keys'}}\n"
            + "redis.register_function{function_name='fnocluster', callback=function(keys, args) return 1 end, flags={'no-cluster'}}\n"
            + "redis.register_function{function_name='fro', callback=function(keys, args) return redis.call('get', args[1]) end, flags={'no-writes'}}\n"
            + "redis.register_function{function_name='fsetro', callback=function(keys, args) return redis.call('set', args[1], 'x') end, flags={'no-writes'}}\n";

    private static TwoNodeOracle oracle;

    @BeforeAll
    static void start() throws Exception {
        oracle = TwoNodeOracle.start();
        redisA = oracle.redisA;
        redisB = oracle.redisB;
        basalt = oracle.basalt;
        idB = oracle.idB;
        portB = oracle.portB;
    }

    @AfterAll
    static void stop() {
        if (oracle != null) oracle.stop();
    }

    @BeforeEach
    void connect() {
        p = new ClusterPair(basalt.port(), redisA.port());
        p.same("FLUSHALL");
        p.same("FUNCTION", "FLUSH");
        p.same("SCRIPT", "FLUSH");
        p.same("CONFIG", "RESETSTAT");
    }

    @AfterEach
    void close() {
        p.close();
    }

    private static String keyInSlot(int slot) {
        for (int i = 0; ; i++) {
            String k = "k" + i;
            if (Slots.slot(k.getBytes(StandardCharsets.UTF_8)) == slot) return k;
        }
    }

    /** INFO errorstats of both: the script errors counted alike. */
    private void sameErrorStats() {
        String[] s = p.both("INFO", "errorstats");
        assertEquals(s[0], s[1], "INFO errorstats");
    }

    @Test
    void declaredKeysAreRoutedAsTheCommandsKeys() {
        assertEquals("-MOVED " + FOO + " 127.0.0.1:" + portB + "\r\n", p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "foo"));
        p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "hello");
        p.same("EVAL", "return 1", "2", "hello", "foo");
        p.same("EVAL", "return 1", "2", "foo", "hello");
        p.same("EVAL", "return 1", "2", "hello", OTHER);
        p.same("EVAL", "return 1", "2", "hello", "{hello}a");
        p.same("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "foo");
        String sha = p.same("SCRIPT", "LOAD", "return redis.call('get', KEYS[1])").substring(5, 45);
        p.same("EVALSHA", sha, "1", "foo");
        p.same("EVALSHA", sha, "1", "hello");
        p.same("EVALSHA_RO", sha, "1", "foo");
        // an unknown script is redirected before it is looked up
        p.same("EVALSHA", "0000000000000000000000000000000000000000", "1", "foo");
        p.same("EVALSHA", "0000000000000000000000000000000000000000", "1", "hello");
        // keys that are not numkeys' are not keys
        p.same("EVAL", "return ARGV[1]", "0", "foo");
        p.same("EVAL", "return 1", "x", "foo");
        // functions: by their declared keys too; an unknown function is redirected first
        p.same("FUNCTION", "LOAD", LIB);
        p.same("FCALL", "fget", "1", "foo", "foo");
        p.same("FCALL", "fget", "1", "hello", "hello");
        p.same("FCALL_RO", "fro", "1", "foo", "foo");
        p.same("FCALL", "nosuch", "1", "foo");
        p.same("FCALL", "nosuch", "1", "hello");
        p.same("FCALL", "fget", "2", "hello", "foo");
        // MULTI: a redirected script dooms the transaction
        p.same("MULTI");
        p.same("EVAL", "return 1", "1", "foo");
        p.same("EXEC");
        sameErrorStats();
    }

    @Test
    void noClusterFlag() {
        assertEquals("-ERR Can not run script on cluster, 'no-cluster' flag is set.\r\n",
                p.same("EVAL", "#!lua flags=no-cluster\nreturn 1", "0"));
        p.same("EVAL", "#!lua flags=no-cluster\nreturn 1", "1", "hello");
        // the redirect comes first
        p.same("EVAL", "#!lua flags=no-cluster\nreturn 1", "1", "foo");
        p.same("EVAL", "#!lua flags=no-cluster,no-writes\nreturn 1", "0");
        p.same("EVAL_RO", "#!lua flags=no-cluster,no-writes\nreturn 1", "0");
        String sha = p.same("SCRIPT", "LOAD", "#!lua flags=no-cluster\nreturn 1").substring(5, 45);
        p.same("EVALSHA", sha, "0");
        p.same("FUNCTION", "LOAD", LIB);
        p.same("FCALL", "fnocluster", "0");
        p.same("FCALL", "fnocluster", "1", "foo");
        p.same("MULTI");
        p.same("EVAL", "#!lua flags=no-cluster\nreturn 1", "0");
        p.same("EVAL", "return 2", "0");
        p.same("EXEC");
        sameErrorStats();
    }

    @Test
    void keysOfOtherNodesInsideScripts() {
        p.same("SET", "hello", "v");
        String e = p.same("EVAL", "return redis.call('get', 'foo')", "0");
        assertEquals("-ERR Script attempted to access a non local key in a cluster node script: X, on @user_script:1.\r\n",
                e.replaceAll("script: \\w+,", "script: X,"));
        p.same("EVAL", "return redis.pcall('get', 'foo')", "0");
        p.same("EVAL", "local r = redis.pcall('set', 'foo', 'v') return {r['err'], redis.call('get', 'hello')}", "0");
        p.same("EVAL", "return redis.call('get', 'hello')", "0");
        // one command naming keys of several slots
        p.same("EVAL", "return redis.call('mget', 'hello', '" + OTHER + "')", "0");
        p.same("EVAL", "return redis.call('mget', 'hello', '{hello}a')", "0");
        p.same("EVAL", "return redis.pcall('mset', 'hello', '1', 'foo', '2')", "0");
        // keyless commands run
        p.same("EVAL", "return redis.call('ping')", "0");
        p.same("EVAL", "return redis.call('dbsize')", "0");
        // shard channels are keys to getNodeByQuery
        p.same("EVAL", "return redis.pcall('spublish', 'foo', 'm')", "0");
        p.same("EVAL", "return redis.pcall('spublish', 'hello', 'm')", "0");
        // the script's write before the refused command stays (no rollback)
        p.same("EVAL", "redis.call('set', 'hello', 'w') return redis.call('set', 'foo', 'v')", "0");
        p.same("GET", "hello");
        // in a transaction
        p.same("MULTI");
        p.same("EVAL", "return redis.call('get', 'foo')", "0");
        p.same("GET", "hello");
        p.same("EXEC");
        // functions
        p.same("FUNCTION", "LOAD", LIB);
        p.same("FCALL", "fget", "0", "foo");
        p.same("FCALL", "fget", "0", "hello");
        p.same("FCALL_RO", "fro", "0", "foo");
        p.same("FCALL", "fset2", "0", "hello", "foo");
        p.same("GET", "hello");
        sameErrorStats();
    }

    @Test
    void keysOfSeveralSlotsInsideScripts() {
        // no shebang: allowed (backward compatibility), as the same slot always is
        p.same("EVAL", "redis.call('set', 'hello', '1') return redis.call('set', '" + OTHER + "', '2')", "0");
        p.same("EVAL", "#!lua\nredis.call('set', 'hello', '1') return redis.call('set', '{hello}b', '2')", "0");
        assertEquals(true, p.same("EVAL", "#!lua\nredis.call('set', 'hello', '1') return redis.call('set', '" + OTHER + "', '2')", "0")
                .startsWith("-ERR Script attempted to access keys that do not hash to the same slot script: "));
        p.same("EVAL", "#!lua\nredis.call('set', 'hello', '1') return redis.pcall('get', '" + OTHER + "')", "0");
        // the declared keys' slot is the script's
        p.same("EVAL", "#!lua\nreturn redis.call('get', '" + OTHER + "')", "1", "hello");
        p.same("EVAL", "#!lua\nreturn redis.call('get', '{hello}z')", "1", "hello");
        p.same("EVAL", "#!lua flags=allow-cross-slot-keys\nredis.call('set', 'hello', '1') return redis.call('get', '" + OTHER + "')", "0");
        p.same("EVAL", "#!lua flags=allow-cross-slot-keys\nreturn redis.call('get', '" + OTHER + "')", "1", "hello");
        // allow-cross-slot-keys does not make another node's key local
        p.same("EVAL", "#!lua flags=allow-cross-slot-keys\nreturn redis.call('get', 'foo')", "0");
        p.same("EVAL", "#!lua flags=no-writes\nredis.call('get', 'hello') return redis.call('get', '" + OTHER + "')", "0");
        // the write check comes first, and a refused key does not take the slot
        p.same("EVAL", "#!lua flags=no-writes\nreturn redis.pcall('set', 'hello', '1')", "0");
        p.same("EVAL", "#!lua\nredis.pcall('get', 'foo') redis.call('get', '" + OTHER + "') return redis.call('get', 'hello')", "0");
        // keyless commands do not take a slot
        p.same("EVAL", "#!lua\nredis.call('ping') redis.call('get', '" + OTHER + "') return redis.call('get', 'hello')", "0");
        // the scripts of one EXEC share the caller's slot: the first key any of them touches
        p.same("MULTI");
        p.same("EVAL", "#!lua\nreturn redis.call('get', 'hello')", "0");
        p.same("EVAL", "#!lua\nreturn redis.call('get', '" + OTHER + "')", "0");
        p.same("EVAL", "return redis.call('get', '" + OTHER + "')", "0");
        p.same("EXEC");
        // ... or the slot of the transaction's keys
        p.same("MULTI");
        p.same("GET", "hello");
        p.same("EVAL", "#!lua\nreturn redis.call('get', '" + OTHER + "')", "0");
        p.same("EVAL", "#!lua\nreturn redis.call('get', '{hello}q')", "0");
        p.same("EXEC");
        // and a later command starts again
        p.same("EVAL", "#!lua\nreturn redis.call('get', '" + OTHER + "')", "0");
        // functions have no compatibility mode
        p.same("FUNCTION", "LOAD", LIB);
        p.same("FCALL", "fset2", "0", "hello", OTHER);
        p.same("FCALL", "fset2", "0", "hello", "{hello}x");
        p.same("FCALL", "fset2", "1", "hello", OTHER, "{hello}x");
        p.same("FCALL", "fcross", "0", "hello", OTHER);
        p.same("FCALL", "fcross", "0", "hello", "foo");
        p.same("FCALL_RO", "fsetro", "0", "hello");
        p.same("MGET", "hello", "{hello}b", "{hello}x");
        sameErrorStats();
    }

    @Test
    void migratingAndImportingSlots() {
        String hello = Integer.toString(HELLO), foo = Integer.toString(FOO);
        try {
            p.same("SET", "hello", "v");
            p.same("CLUSTER", "SETSLOT", hello, "MIGRATING", idB);
            // declared keys: a missing one is asked of the target, some missing is TRYAGAIN
            p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "hello");
            assertEquals("-ASK " + HELLO + " 127.0.0.1:" + portB + "\r\n", p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "{hello}x"));
            p.same("EVAL", "return 1", "2", "hello", "{hello}x");
            p.same("FUNCTION", "LOAD", LIB);
            p.same("FCALL", "fget", "1", "{hello}x", "{hello}x");
            // inside the script: a key that is not here is not local
            p.same("EVAL", "return redis.call('get', 'hello')", "0");
            p.same("EVAL", "return redis.call('get', '{hello}x')", "0");
            p.same("EVAL", "return redis.call('mget', 'hello', '{hello}x')", "0");
            p.same("EVAL", "return redis.call('set', '{hello}x', 'v')", "0");
            p.same("MULTI");
            p.same("EVAL", "return redis.call('get', '{hello}x')", "0");
            p.same("EXEC");
            p.same("CLUSTER", "SETSLOT", hello, "STABLE");
            p.same("CLUSTER", "SETSLOT", foo, "IMPORTING", idB);
            // an importing slot serves ASKING callers, to the scripts' commands too
            p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "foo");
            p.same("EVAL", "return redis.call('get', 'foo')", "0");
            p.same("ASKING");
            p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "foo");
            p.same("ASKING");
            p.same("EVAL", "redis.call('set', 'foo', 'v') return redis.call('get', 'foo')", "0");
            p.same("ASKING");
            p.same("EVAL", "return redis.call('mget', 'foo', '{foo}y')", "0");
            // ASKING is one command's
            p.same("EVAL", "return redis.call('get', 'foo')", "0");
            p.same("ASKING");
            p.same("FCALL", "fget", "0", "foo");
            // RESTORE-ASKING asks by itself
            p.same("EVAL", "return redis.pcall('restore-asking', '{foo}r', '0', 'x')", "0");
            p.same("ASKING");
            p.same("MULTI");
            p.same("EVAL", "return redis.call('get', 'foo')", "0");
            p.same("EXEC");
        } finally {
            p.same("ASKING");
            p.same("DEL", "foo");
            p.same("DEL", "hello");
            p.same("CLUSTER", "SETSLOT", hello, "STABLE");
            p.same("CLUSTER", "SETSLOT", foo, "STABLE");
        }
        sameErrorStats();
    }

    @Test
    void clusterDown() {
        String unassigned = keyInSlot(100);
        p.same("FUNCTION", "LOAD", LIB);
        try {
            p.same("SET", "hello", "v");
            p.same("CLUSTER", "DELSLOTS", "100");
            ClusterPair.await(p.redis, "-CLUSTERDOWN The cluster is down", "GET", "hello");
            ClusterPair.await(p.basalt, "-CLUSTERDOWN The cluster is down", "GET", "hello");
            p.same("EVAL", "return 1", "1", "hello");
            p.same("EVAL", "return 1", "1", unassigned);
            p.same("EVAL", "return redis.call('get', 'hello')", "0");
            p.same("EVAL", "return redis.pcall('get', '" + unassigned + "')", "0");
            p.same("EVAL", "return redis.call('ping')", "0");
            p.same("FCALL", "fget", "0", "hello");
            p.same("CONFIG", "SET", "cluster-allow-reads-when-down", "yes");
            // a script that may write is a write: refused when only reads are served
            p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "hello");
            p.same("EVAL", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "hello");
            p.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "hello");
            p.same("EVAL_RO", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "hello");
            p.same("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "hello");
            p.same("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "hello");
            String sha = p.same("SCRIPT", "LOAD", "#!lua\nreturn redis.call('get', KEYS[1])").substring(5, 45);
            p.same("EVALSHA", sha, "1", "hello");
            p.same("FCALL", "fget", "1", "hello", "hello");
            p.same("FCALL_RO", "fget", "1", "hello", "hello");
            p.same("FCALL_RO", "fro", "1", "hello", "hello");
            p.same("FCALL", "fro", "1", "hello", "hello");
            // inside: reads run, writes are refused
            p.same("EVAL", "return redis.call('get', 'hello')", "0");
            p.same("EVAL", "return redis.call('set', 'hello', 'w')", "0");
            p.same("EVAL", "return redis.pcall('set', 'hello', 'w')", "0");
            p.same("EVAL", "return redis.pcall('get', '" + unassigned + "')", "0");
            p.same("MULTI");
            p.same("EVAL", "#!lua\nreturn 1", "1", "hello");
            p.same("EVAL", "return redis.call('set', 'hello', 'w')", "0");
            p.same("EXEC");
            p.same("MULTI");
            p.same("EVAL", "return redis.call('get', 'hello')", "1", "hello");
            p.same("EXEC");
            p.same("CONFIG", "SET", "cluster-allow-reads-when-down", "no");
        } finally {
            p.same("CONFIG", "SET", "cluster-allow-reads-when-down", "no");
            p.same("CLUSTER", "ADDSLOTS", "100");
            ClusterPair.awaitServing(p.redis, "hello");
            ClusterPair.awaitServing(p.basalt, "hello");
        }
        sameErrorStats();
    }
}
