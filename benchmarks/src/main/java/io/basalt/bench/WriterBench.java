package io.basalt.bench;

import io.basalt.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Reply writing into a pooled direct buffer, as the server's output buffer is. One op = one reply. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WriterBench {
    @Param({"32", "1024"})
    int valueSize;

    private ByteBuf out;
    private RespWriter w;
    private byte[] value;

    @Setup
    public void setup() {
        out = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        w = new RespWriter(out, false);
        value = Data.value(valueSize);
    }

    @TearDown
    public void release() { out.release(); }

    @Benchmark
    public int ok() {
        out.clear();
        w.ok();
        return out.writerIndex();
    }

    @Benchmark
    public int bulk() {
        out.clear();
        w.bulk(value, 0, value.length);
        return out.writerIndex();
    }

    @Benchmark
    public int integer() {
        out.clear();
        w.integer(1234567);
        return out.writerIndex();
    }

    @Benchmark
    public int nullBulk() {
        out.clear();
        w.nullBulk();
        return out.writerIndex();
    }

    @Benchmark
    public int arrayOfThreeBulks() {
        out.clear();
        w.array(3);
        w.bulk(value, 0, 8);
        w.bulk(value, 0, 16);
        w.bulk(value, 0, value.length);
        return out.writerIndex();
    }
}
