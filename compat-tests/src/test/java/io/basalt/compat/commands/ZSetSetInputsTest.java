package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.data.FieldEntry;
import io.basalt.data.ObjectEntry;
import io.basalt.data.Shard;
import io.basalt.data.ZSetSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Plain sets as inputs of ZUNION/ZINTER/ZDIFF/ZINTERCARD (scored 1, as Redis reads them). The set
 * type lives in another family, so Basalt gets a stand-in set implementing {@link ZSetSource}
 * planted in its keyspace while Redis gets a real one from SADD.
 */
class ZSetSetInputsTest extends DifferentialTest {

    static final class FakeSet extends FieldEntry implements ZSetSource {
        final List<byte[]> members = new ArrayList<>();

        FakeSet(byte[] key) { super(key); }

        @Override public String typeName() { return "set"; }

        @Override public String encodingName() { return "hashtable"; }

        @Override public int size() { return members.size(); }

        @Override public long memoryUsage() { return 64; }

        @Override public ObjectEntry copy(byte[] newKey) {
            FakeSet s = new FakeSet(newKey);
            s.members.addAll(members);
            return s;
        }

        @Override public int memberCount() { return members.size(); }

        @Override public boolean hasMember(byte[] m) {
            for (byte[] x : members) if (Arrays.equals(x, m)) return true;
            return false;
        }

        @Override public void forEachMember(Consumer<byte[]> visitor) { members.forEach(visitor); }
    }

    private void set(String key, String... members) {
        List<String> cmd = new ArrayList<>(List.of("SADD", key));
        cmd.addAll(List.of(members));
        redis.call(cmd.toArray(new String[0]));
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        FakeSet s = new FakeSet(k);
        for (String m : members) s.members.add(m.getBytes(StandardCharsets.UTF_8));
        Shard shard = BasaltInstance.shared().server().keyspace().shardOf(k);
        shard.lock();
        try {
            shard.put(0, k, s);
        } finally {
            shard.unlock();
        }
    }

    @Test
    void setsScoreOne() {
        set("s", "a", "b", "zz");
        set("t", "b", "c");
        same("ZADD", "z", "1", "a", "2", "b", "3", "c");
        for (int round = 0; round < 2; round++) {
            same("ZUNION", "2", "z", "s", "WITHSCORES");
            same("ZUNION", "2", "s", "t", "WEIGHTS", "2", "3", "WITHSCORES");
            same("ZINTER", "2", "z", "s", "WITHSCORES");
            same("ZINTER", "3", "z", "s", "t", "AGGREGATE", "MAX", "WITHSCORES");
            same("ZINTER", "2", "s", "s", "WITHSCORES");
            same("ZDIFF", "2", "s", "z", "WITHSCORES");
            same("ZDIFF", "2", "z", "t", "WITHSCORES");
            same("ZINTERCARD", "2", "s", "t");
            same("ZINTERCARD", "2", "z", "s", "LIMIT", "1");
            same("ZUNIONSTORE", "d", "2", "s", "t");
            same("ZRANGE", "d", "0", "-1", "WITHSCORES");
            same("ZINTERSTORE", "d", "2", "z", "s", "WEIGHTS", "1", "0.5");
            same("ZRANGE", "d", "0", "-1", "WITHSCORES");
            same("ZRANGE", "s", "0", "-1");
            same("ZADD", "s", "1", "a");
            resp3();
        }
    }
}
