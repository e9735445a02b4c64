package io.basalt.bench;

import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.BenchAccess;
import io.basalt.server.acl.Acl;
import io.basalt.server.acl.AclUser;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.exec.CommandContext;
import io.basalt.server.exec.ExecBenchAccess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ACL permission check the dispatcher makes per command ({@code Acl.check}) for GET and SET
 * of a key:NNNNNNN key, alone: for the default user (allowed everything, one flag read) and for
 * a user with three key patterns whose last one matches. Compare with
 * {@code DispatchBench.dispatch*} (the whole command without a socket) for its share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AclBench {
    @Param({"default", "patterns"})
    String user;

    private Acl acl;
    private AclUser u;
    private CommandSpec getSpec;
    private CommandSpec setSpec;
    private RespRequest get;
    private RespRequest set;
    private CommandContext getCtx;
    private CommandContext setCtx;

    @Setup
    public void setup() {
        BasaltServer server = BenchAccess.server();
        acl = server.acl();
        if (user.equals("patterns")) {
            String error = acl.setUser("bench", List.of("on", ">pw", "~other:*", "%R~ro:*", "~key:*", "&*", "+@all"));
            if (error != null) throw new IllegalStateException(error);
            u = acl.user("bench");
        } else {
            u = acl.defaultUser();
        }
        get = request(Data.command("GET".getBytes(), "key:0000123".getBytes()));
        set = request(Data.command("SET".getBytes(), "key:0000123".getBytes(), Data.value(32)));
        getSpec = server.commands().lookup(get, 0);
        setSpec = server.commands().lookup(set, 0);
        getCtx = ExecBenchAccess.context(getSpec, get, 63);
        setCtx = ExecBenchAccess.context(setSpec, set, 63);
    }

    /** The request as the parser makes it: arguments as offsets into a direct buffer. */
    private static RespRequest request(byte[] wire) {
        ByteBuf b = Unpooled.directBuffer(wire.length).writeBytes(wire);
        io.basalt.resp.RespParser p = new io.basalt.resp.RespParser();
        if (p.parse(b) != io.basalt.resp.RespParser.COMMAND) throw new IllegalStateException("parse");
        return p.request();
    }

    @Benchmark
    public long checkGet() {
        AclUser x = u;
        return x.unrestricted() ? 0 : acl.check(x, getSpec, get, getCtx);
    }

    @Benchmark
    public long checkSet() {
        AclUser x = u;
        return x.unrestricted() ? 0 : acl.check(x, setSpec, set, setCtx);
    }
}
