package io.basalt.bench;

import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The GET/SET path through the keyspace itself (what StringCommands.get/set do after parsing):
 * shard lookup, lock, table get or record build + put. 100k resident keys.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeyspaceBench {
    static final int KEYS = 100_000;

    @Param({"32", "1024"})
    int valueSize;

    /** Cluster mode's per-slot key lists on (Keyspace.enableSlotIndex) or off. */
    @Param({"false", "true"})
    boolean slotIndex;

    private Keyspace keyspace;
    private byte[][] keys;
    private byte[] value;
    private int next;

    @Setup
    public void setup() {
        keyspace = new Keyspace(16, 64);
        keys = Data.keys(KEYS);
        value = Data.value(valueSize);
        if (slotIndex) keyspace.enableSlotIndex();
        for (byte[] k : keys) set(k);
    }

    private void set(byte[] key) {
        Shard s = keyspace.shardOf(key);
        s.lock();
        try {
            s.put(0, key, StringRecord.create(key, value, 0, value.length, -1,
                    StringRecord.encodingFor(value, 0, value.length)));
        } finally {
            s.unlock();
        }
    }

    private byte[] nextKey() {
        int i = next++;
        if (next == KEYS) next = 0;
        return keys[i];
    }

    @Benchmark
    public Object set() {
        byte[] key = nextKey();
        set(key);
        return key;
    }

    /** A delete and an insert of the same key (DEL then SET): the slot lists are unlinked and linked. */
    @Benchmark
    public Object deleteInsert() {
        byte[] key = nextKey();
        Shard s = keyspace.shardOf(key);
        s.lock();
        try {
            s.remove(0, key);
        } finally {
            s.unlock();
        }
        set(key);
        return key;
    }

    @Benchmark
    public int get() {
        byte[] key = nextKey();
        Shard s = keyspace.shardOf(key);
        s.lock();
        try {
            Object e = s.get(0, key, System.currentTimeMillis());
            if (e instanceof byte[] r) return StringRecord.valueLength(r);
            return -1;
        } finally {
            s.unlock();
        }
    }
}
