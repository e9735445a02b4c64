package io.basalt.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ClusterState.updateState against Redis 7.0.15's clusterUpdateState: the writable delay of a
 * master after its first evaluation, full coverage, the quorum of reachable masters, the size,
 * and the rejoin delay after a minority partition.
 */
class ClusterStateUpdateTest {
    /** Clock readings are Unix milliseconds (never 0, which Redis's static treats as "not called yet"). */
    private static final long T = 1_700_000_000_000L;
    private final ClusterOptions options = new ClusterOptions();
    private final ClusterState state = new ClusterState(options);
    private final ClusterNode me = new ClusterNode(ClusterState.randomName(), ClusterNode.MASTER, 0);

    ClusterStateUpdateTest() {
        state.setMyself(me);
    }

    private ClusterNode master(int from, int to) {
        ClusterNode n = new ClusterNode(ClusterState.randomName(), ClusterNode.MASTER, 0);
        state.addNode(n);
        for (int j = from; j <= to; j++) state.addSlot(n, j);
        return n;
    }

    @Test
    void aMasterWaitsTheWritableDelayAfterTheFirstEvaluation() {
        for (int j = 0; j < Slots.COUNT; j++) state.addSlot(me, j);
        state.updateState(T + 10_000);
        assertFalse(state.ok());
        state.updateState(T + 11_999);
        assertFalse(state.ok());
        state.updateState(T + 12_000);
        assertTrue(state.ok());
        assertEquals(1, state.size());
    }

    @Test
    void fullCoverageAndFailedOwners() {
        state.updateState(T + 0); // first call: starts the writable delay
        for (int j = 0; j < 8192; j++) state.addSlot(me, j);
        ClusterNode other = master(8192, 16382);
        state.updateState(T + 5_000);
        assertFalse(state.ok()); // slot 16383 unassigned
        options.requireFullCoverage = false;
        state.updateState(T + 5_000);
        assertTrue(state.ok());
        assertEquals(2, state.size());
        options.requireFullCoverage = true;
        state.addSlot(other, 16383);
        state.updateState(T + 5_000);
        assertTrue(state.ok());
        other.flags |= ClusterNode.FAIL;
        state.updateState(T + 5_000);
        assertFalse(state.ok());
    }

    @Test
    void minorityAndRejoinDelay() {
        state.updateState(T + 0);
        for (int j = 0; j < 6000; j++) state.addSlot(me, j);
        ClusterNode b = master(6000, 11000);
        ClusterNode c = master(11001, 16383);
        state.updateState(T + 3_000);
        assertTrue(state.ok());
        // two of three masters unreachable (PFAIL counts too): a minority is down
        b.flags |= ClusterNode.PFAIL;
        c.flags |= ClusterNode.PFAIL;
        options.requireFullCoverage = false;
        state.updateState(T + 4_000);
        assertFalse(state.ok());
        b.flags &= ~ClusterNode.PFAIL;
        c.flags &= ~ClusterNode.PFAIL;
        // the rejoin delay is cluster-node-timeout within 500..5000 ms: 5000 for the default 15000
        state.updateState(T + 8_999);
        assertFalse(state.ok());
        state.updateState(T + 9_000);
        assertTrue(state.ok());
        options.nodeTimeout = 100; // clamped to 500
        b.flags |= ClusterNode.PFAIL;
        c.flags |= ClusterNode.PFAIL;
        state.updateState(T + 20_000);
        b.flags &= ~ClusterNode.PFAIL;
        c.flags &= ~ClusterNode.PFAIL;
        state.updateState(T + 20_499);
        assertFalse(state.ok());
        state.updateState(T + 20_500);
        assertTrue(state.ok());
    }

    @Test
    void aReplicaHasNoDelays() {
        ClusterNode m = master(0, Slots.COUNT - 1);
        state.setMaster(m);
        assertTrue(me.isReplica());
        assertTrue(m.replicas.contains(me));
        state.updateState(T + 1);
        assertTrue(state.ok());
    }

    @Test
    void updateClearsItsTodoAndBumpsTheVersion() {
        state.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
        long v = state.version();
        for (int j = 0; j < Slots.COUNT; j++) state.addSlot(me, j);
        state.updateState(T + 0);
        state.updateState(T + 2_000);
        assertEquals(ClusterState.TODO_SAVE_CONFIG, state.todo());
        assertTrue(state.version() > v);
    }
}
