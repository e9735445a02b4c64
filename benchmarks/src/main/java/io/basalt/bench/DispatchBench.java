package io.basalt.bench;

import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.BenchAccess;
import io.basalt.server.client.Client;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * GET and SET through the server without a socket:
 * <ul>
 * <li>{@code dispatch*}: Dispatcher.dispatch on a prepared request (lookup, checks, shard lock,
 * handler, reply into a pooled direct buffer, stats) — one op = one command;</li>
 * <li>{@code connection*}: a pipelined batch of 16 commands written into the real ClientHandler on an
 * EmbeddedChannel (copy into the query buffer, parse, dispatch, one flush) — one op = one command,
 * so this is the server's per-request CPU cost minus the syscalls.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBench {
    static final int KEYS = 1024;
    static final int PIPELINE = 16;

    @Param({"32", "1024"})
    int valueSize;

    /** Standalone, or cluster mode serving every slot (the router's per-command cost). */
    @Param({"false", "true"})
    boolean cluster;

    /**
     * The ACL user the commands run as: the default one (allowed everything: not checked), or one
     * with key patterns (three patterns, the key matching the last), checked on every command.
     */
    @Param({"default", "patterns"})
    String user;

    private BasaltServer server;
    private Client client;
    private EmbeddedChannel clientChannel;
    private EmbeddedChannel connection;
    private ByteBuf out;
    private RespRequest[] sets;
    private RespRequest[] gets;
    private ByteBuf setBatch;
    private ByteBuf getBatch;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        server = cluster ? BenchAccess.clusterServer() : BenchAccess.server();
        clientChannel = new EmbeddedChannel();
        client = BenchAccess.client(server, clientChannel);
        out = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        client.out().target(out);
        if (user.equals("patterns")) {
            String error = server.acl().setUser("bench", java.util.List.of("on", ">pw", "~other:*", "%R~ro:*", "~key:*", "&*", "+@all"));
            if (error != null) throw new IllegalStateException(error);
            client.user(server.acl().user("bench"));
        }
        byte[][] keys = Data.keys(KEYS);
        byte[] value = Data.value(valueSize);
        sets = new RespRequest[KEYS];
        gets = new RespRequest[KEYS];
        for (int i = 0; i < KEYS; i++) {
            sets[i] = RespRequest.of("SET".getBytes(), keys[i], value);
            gets[i] = RespRequest.of("GET".getBytes(), keys[i]);
            server.dispatcher().dispatch(client, sets[i]);
        }
        out.clear();
        connection = new EmbeddedChannel(BenchAccess.connectionHandler(server));
        if (user.equals("patterns")) {
            connection.writeInbound(Unpooled.wrappedBuffer(Data.command("AUTH".getBytes(), "bench".getBytes(), "pw".getBytes())));
            connection.runPendingTasks();
            Object reply;
            while ((reply = connection.readOutbound()) != null) io.netty.util.ReferenceCountUtil.release(reply);
        }
        java.io.ByteArrayOutputStream s = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream g = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < PIPELINE; i++) {
            s.writeBytes(Data.command("SET".getBytes(), keys[i * 7], value));
            g.writeBytes(Data.command("GET".getBytes(), keys[i * 7]));
        }
        setBatch = Unpooled.directBuffer(s.size()).writeBytes(s.toByteArray());
        getBatch = Unpooled.directBuffer(g.size()).writeBytes(g.toByteArray());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connection.finishAndReleaseAll();
        clientChannel.finishAndReleaseAll();
        out.release();
        setBatch.release();
        getBatch.release();
    }

    private int nextIndex() {
        int i = next++;
        next &= KEYS - 1;
        return i;
    }

    @Benchmark
    public int dispatchSet() {
        out.clear();
        server.dispatcher().dispatch(client, sets[nextIndex()]);
        return out.writerIndex();
    }

    @Benchmark
    public int dispatchGet() {
        out.clear();
        server.dispatcher().dispatch(client, gets[nextIndex()]);
        return out.writerIndex();
    }

    private int roundTrip(ByteBuf batch) {
        // a socket read hands the handler a fresh buffer it releases; a retained slice does the same
        connection.writeInbound(batch.retainedDuplicate());
        int n = 0;
        ByteBuf reply;
        while ((reply = connection.readOutbound()) != null) {
            n += reply.readableBytes();
            reply.release();
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public int connectionSetPipeline16() { return roundTrip(setBatch); }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public int connectionGetPipeline16() { return roundTrip(getBatch); }
}
