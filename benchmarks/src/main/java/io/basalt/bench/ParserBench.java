package io.basalt.bench;

import io.basalt.resp.RespParser;
import io.basalt.resp.RespRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Request parsing: a pipelined heap buffer of SET/GET commands (as ClientHandler accumulates
 * them) parsed to the end. One operation = one command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ParserBench {
    static final int COMMANDS = 100;

    @Param({"32", "1024"})
    int valueSize;

    private ByteBuf in;
    private final RespParser parser = new RespParser();

    @Setup
    public void setup() {
        byte[] stream = Data.setGetPipeline(COMMANDS, valueSize);
        in = Unpooled.buffer(stream.length);
        in.writeBytes(stream);
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public int parsePipeline() {
        in.readerIndex(0);
        int sum = 0;
        while (parser.parse(in) == RespParser.COMMAND) {
            RespRequest r = parser.request();
            sum += r.argc() + r.length(1);
        }
        return sum;
    }
}
