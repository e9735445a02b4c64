package io.basalt.bench;

import io.basalt.data.EncodingLimits;
import io.basalt.data.ZSetValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The large sorted-set encoding on its own, as redis-benchmark's ZADD test uses it: one set of
 * 100,000 members {@code element:NNNNNNNNNNNN} with random scores below 100,000. {@code zadd}
 * is what the ZADD handler does per member (read the score, write the new one: mostly moves
 * to another leaf), {@code zscore} and {@code zrank} a lookup of a random member,
 * {@code zrange10} ZRANGE of 10 members from a random rank.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ZSetBench {
    static final int MEMBERS = 100_000;

    private ZSetValue z;
    /** Redis's default thresholds (a keyspace's, in the server). */
    private final EncodingLimits limits = new EncodingLimits();
    private byte[][] members;
    private final SplittableRandom rnd = new SplittableRandom(1);

    @Setup
    public void setup() {
        members = new byte[MEMBERS][];
        for (int i = 0; i < MEMBERS; i++) members[i] = String.format("element:%012d", i).getBytes(StandardCharsets.US_ASCII);
        z = ZSetValue.create("myzset".getBytes(StandardCharsets.US_ASCII), MEMBERS, 20, limits);
        for (byte[] m : members) z.put(m.clone(), rnd.nextInt(MEMBERS), limits);
    }

    @Benchmark
    public boolean zadd() {
        byte[] m = members[rnd.nextInt(MEMBERS)];
        double s = rnd.nextInt(MEMBERS);
        Double cur = z.score(m);
        if (cur != null && cur == s) return false;
        return z.put(m, s, limits);
    }

    @Benchmark
    public Double zscore() { return z.score(members[rnd.nextInt(MEMBERS)]); }

    @Benchmark
    public long zrank() { return z.rank(members[rnd.nextInt(MEMBERS)]); }

    @Benchmark
    public void zrange10(Blackhole bh) {
        int start = rnd.nextInt(MEMBERS - 10);
        z.walk(start, start + 9, false, (m, s) -> bh.consume(m));
    }
}
