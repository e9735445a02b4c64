package io.basalt.server.exec;

import java.util.List;

/**
 * A consumer of the write-effect stream (the AOF; the replication backlog next). It is called
 * under the shard locks of the writes it receives, in execution order, one call per atomic unit
 * (a command, a MULTI ... EXEC block, a blocking serve, an expiry or eviction DEL), so it must
 * only encode and buffer: the fsync or the network write happen elsewhere. Each sink keeps its
 * own offset and its own SELECT state.
 */
public interface EffectSink {
    /**
     * Records of one atomic unit. {@code seq} numbers the units of the stream (1, 2, ...) in the
     * order every sink sees them. The list and its arrays must not be changed, and may be kept.
     */
    void accept(long seq, List<Effect> effects);

    /**
     * What replies must wait for before they leave, or null when this sink makes nobody wait
     * (the AOF with appendfsync always: its fsync).
     */
    default Watermark durability() { return null; }
}
