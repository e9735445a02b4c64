package io.basalt.server.cluster;

import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.BenchAccess;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.exec.CommandContext;
import io.basalt.server.exec.ExecBenchAccess;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What cluster mode adds to one command on the common path (a stable slot this node serves, the
 * cluster ok): the dispatcher's three router calls (route, confirmLocked, afterCommand) for a GET,
 * against a baseline that only reads the command's slot. Measured alone because the whole
 * dispatch (DispatchBench, ~250 ns) is too noisy on a shared machine to show a few ns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class RouteBench {
    private ClusterRouter router;
    private Client client;
    private CommandContext[] gets;
    private CommandSpec get;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        BasaltServer server = BenchAccess.clusterServer();
        router = server.cluster().router();
        client = BenchAccess.client(server, new EmbeddedChannel());
        get = server.commands().get("get");
        gets = new CommandContext[1024];
        for (int i = 0; i < gets.length; i++) {
            gets[i] = ExecBenchAccess.context(get, RespRequest.of("GET", "key:" + i), server.keyspace().shardCount() - 1);
        }
    }

    private CommandContext nextGet() {
        CommandContext c = gets[next++];
        next &= gets.length - 1;
        return c;
    }

    @Benchmark
    public int baseline() {
        return nextGet().slot();
    }

    @Benchmark
    public int routeConfirmAfter() {
        CommandContext c = nextGet();
        String r = router.route(client, c, null);
        String l = router.confirmLocked(client, c, null);
        router.afterCommand(client, get);
        return c.slot() + (r == null ? 0 : 1) + (l == null ? 0 : 2);
    }
}
