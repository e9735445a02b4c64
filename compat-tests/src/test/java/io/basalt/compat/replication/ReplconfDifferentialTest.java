package io.basalt.compat.replication;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

/**
 * REPLCONF and ROLE as a client (not a replica) sees them, byte for byte against redis-server:
 * the handshake options, their errors, and a master's ROLE without replicas.
 */
class ReplconfDifferentialTest extends DifferentialTest {
    @Test
    void handshakeOptionsAndErrors() {
        same("REPLCONF", "listening-port", "6380");
        same("REPLCONF", "listening-port", "abc");
        same("REPLCONF", "capa", "eof", "capa", "psync2");
        same("REPLCONF", "capa", "unknown-capability");
        same("REPLCONF", "ip-address", "10.0.0.1");
        same("REPLCONF", "ip-address", "a".repeat(300));
        same("REPLCONF", "rdb-only", "0");
        same("REPLCONF", "rdb-only", "2");
        same("REPLCONF", "rdb-only", "x");
        same("REPLCONF", "no-such-option", "1");
        same("REPLCONF", "listening-port");
        same("REPLCONF");
        same("REPLCONF", "LISTENING-PORT", "1", "CAPA", "eof");
    }

    @Test
    void roleOfAMasterWithoutReplicas() {
        same("ROLE");
    }
}
