package io.basalt.server.exec;

import io.basalt.resp.RespRequest;
import io.basalt.server.command.CommandSpec;

/** Opens CommandContext's construction to the benchmarks (same package, benchmarks module only). */
public final class ExecBenchAccess {
    private ExecBenchAccess() {}

    /** A command's context (keys, slots, shards), as the dispatcher makes it. */
    public static CommandContext context(CommandSpec spec, RespRequest req, int shardMask) {
        return new CommandContext().of(spec, req, shardMask);
    }
}
