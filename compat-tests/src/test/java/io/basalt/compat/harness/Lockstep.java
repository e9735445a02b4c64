package io.basalt.compat.harness;

import io.basalt.resp.RespValue;

import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** Shared failure report of the seeded lockstep (randomized differential) tests. */
public final class Lockstep {
    private Lockstep() {}

    /**
     * Fails with everything needed to replay a divergence: the seed, the op number, both replies
     * and the last 25 commands sent.
     */
    public static void diverged(String label, long seed, int ops, int op, String[] cmd, RespValue redis,
                                RespValue basalt, List<String> history) {
        int from = Math.max(0, history.size() - 25);
        fail("divergence with seed " + seed + label + " at op " + op + ": " + String.join(" ", cmd)
                + "\n redis : " + redis + "\n basalt: " + basalt
                + "\n last commands:\n  " + String.join("\n  ", history.subList(from, history.size()))
                + "\n replay with -Dbasalt.seed=" + seed + " -Dbasalt.fuzz.ops=" + ops);
    }
}
