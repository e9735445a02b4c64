package io.basalt.server.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code basalt cluster} reads from CLUSTER NODES and from its command line (no server). */
class ClusterAdminTest {
    private static final String A = "a".repeat(40), B = "b".repeat(40), C = "c".repeat(40), D = "d".repeat(40),
            E = "e".repeat(40), F = "f".repeat(40);

    /** Redis 7.0's CLUSTER NODES of the node A, with an open slot, a replica and odd members. */
    private static final String NODES = String.join("\n",
            A + " 127.0.0.1:7000@17000,host-a myself,master - 0 0 1 connected 0-5460 [5461->-" + B + "]",
            B + " 127.0.0.1:7001@17001 master - 0 1700000000000 2 connected 5461-10922",
            C + " 127.0.0.1:7002@17002 master,fail - 1700000000000 1700000000000 3 disconnected 10923-16382",
            D + " 127.0.0.1:7003@17003 slave " + A + " 0 1700000000000 1 connected",
            E + " :0@0 master,noaddr - 1700000000000 1700000000000 0 disconnected",
            F + " 127.0.0.1:7005@17005 master,handshake - 0 0 0 connected",
            "");

    @Test
    void readsMastersAndTheSlotTable() throws IOException {
        ClusterAdmin.Topology t = ClusterAdmin.topology(NODES, "127.0.0.1", 7000);
        assertEquals(List.of(A, B, C), List.copyOf(t.masters().keySet()), "replicas, noaddr and handshake nodes left out");
        assertEquals("127.0.0.1:7000", t.masters().get(A).address());
        assertTrue(t.masters().get(C).failed());
        assertEquals(A, t.owners()[0]);
        assertEquals(A, t.owners()[5460]);
        assertEquals(B, t.owners()[5461], "an open slot stays its owner's");
        assertEquals(C, t.owners()[16382]);
        assertNull(t.owners()[16383]);
    }

    @Test
    void aLoneNodeWithoutAnAddressIsTheSeed() throws IOException {
        ClusterAdmin.Topology t = ClusterAdmin.topology(A + " :7000@17000 myself,master - 0 0 0 connected 0-16383\n", "10.0.0.5", 7000);
        assertEquals("10.0.0.5:7000", t.masters().get(A).address());
    }

    @Test
    void weightsNameMastersByAddressOrUniqueIdPrefix() throws Exception {
        ClusterAdmin.Topology t = ClusterAdmin.topology(NODES, "127.0.0.1", 7000);
        assertEquals(B, ClusterAdmin.find(t, "bbbb").id());
        assertEquals(B, ClusterAdmin.find(t, "127.0.0.1:7001").id());
        assertThrows(BasaltCli.UsageException.class, () -> ClusterAdmin.find(t, "127.0.0.1:7003"), "a replica");
        assertThrows(BasaltCli.UsageException.class, () -> ClusterAdmin.find(t, ""), "every id starts with ''");
    }

    @Test
    void slotListsAreCompressedToRanges() {
        assertEquals("0-2,5,7-8", ClusterAdmin.ranges(List.of(0, 1, 2, 5, 7, 8)));
        assertEquals("16383", ClusterAdmin.ranges(List.of(16383)));
        assertEquals("", ClusterAdmin.ranges(List.of()));
    }

    @Test
    void usageErrors() {
        for (String[] argv : new String[][]{
                {"cluster"}, {"cluster", "move"}, {"cluster", "plan", "--weight", "x"}, {"cluster", "plan", "-p", "x"},
                {"cluster", "rebalance", "--pipeline", "0"}, {"cluster", "plan", "--bogus"}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = BasaltCli.run(argv, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, code, String.join(" ", argv));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("basalt cluster plan|rebalance"), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anUnreachableSeedIsAFailureNotAUsageError() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ClusterAdmin.run(List.of("plan", "-p", Integer.toString(port)), new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("can't read the cluster"), err.toString(StandardCharsets.UTF_8));
    }
}
