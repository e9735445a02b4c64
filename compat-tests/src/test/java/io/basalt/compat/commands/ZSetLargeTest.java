package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Sorted sets big enough for Basalt's B+tree to have inner levels (tens of thousands of members:
 * 64 entries per leaf, 64 children per inner node), byte for byte against redis-server 7.0:
 * ranks, score and lex ranges, in-place and moving updates, deletes that merge leaves, range
 * removals and pops. The unit tests check the tree's invariants; this checks the replies.
 */
class ZSetLargeTest extends DifferentialTest {

    /** ZADD of many members in one command on both servers. */
    private void zadd(String key, List<String> scoresAndMembers) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ZADD");
        cmd.add(key);
        cmd.addAll(scoresAndMembers);
        same(cmd.toArray(new String[0]));
    }

    @Test
    void ranksRangesUpdatesAndDeletesOnALargeSet() {
        Random rnd = new Random(11);
        int n = 30_000;
        for (int from = 0; from < n; from += 1000) {
            List<String> args = new ArrayList<>();
            for (int i = from; i < from + 1000; i++) {
                // scores with ties, so the member decides the order within a score
                args.add(Integer.toString(rnd.nextInt(5000) - 2500));
                args.add("member:" + i);
            }
            zadd("big", args);
        }
        same("ZCARD", "big");
        same("OBJECT", "ENCODING", "big");
        for (int k = 0; k < 60; k++) {
            String m = "member:" + rnd.nextInt(n + 100);
            same("ZSCORE", "big", m);
            same("ZRANK", "big", m);
            same("ZREVRANK", "big", m);
            int start = rnd.nextInt(n) - 100;
            same("ZRANGE", "big", Integer.toString(start), Integer.toString(start + rnd.nextInt(40)), "WITHSCORES");
            same("ZRANGE", "big", Integer.toString(-start), Integer.toString(-start + 20), "REV");
            int lo = rnd.nextInt(5200) - 2600;
            same("ZCOUNT", "big", Integer.toString(lo), "(" + (lo + rnd.nextInt(30)));
            same("ZRANGEBYSCORE", "big", "(" + lo, Integer.toString(lo + 3), "WITHSCORES", "LIMIT", "1", "15");
            same("ZREVRANGEBYSCORE", "big", Integer.toString(lo + 3), Integer.toString(lo), "LIMIT", "0", "10");
            same("ZRANGE", "big", Integer.toString(lo), Integer.toString(lo + 2), "BYSCORE", "REV", "WITHSCORES");
        }
        // updates: small moves (often in place) and big ones (delete + insert), with INCR
        for (int from = 0; from < 6000; from += 1000) {
            List<String> args = new ArrayList<>();
            for (int i = from; i < from + 1000; i++) {
                args.add(Integer.toString(rnd.nextInt(5000) - 2500));
                args.add("member:" + rnd.nextInt(n));
            }
            zadd("big", args);
        }
        for (int k = 0; k < 200; k++) {
            same("ZINCRBY", "big", Integer.toString(rnd.nextInt(3) - 1), "member:" + rnd.nextInt(n));
        }
        // deletes in bulk: leaves empty out and merge
        for (int from = 0; from < n; from += 2000) {
            List<String> cmd = new ArrayList<>(List.of("ZREM", "big"));
            for (int i = from; i < from + 1500; i++) cmd.add("member:" + i);
            same(cmd.toArray(new String[0]));
        }
        same("ZCARD", "big");
        same("ZREMRANGEBYRANK", "big", "100", "900");
        same("ZREMRANGEBYSCORE", "big", "-100", "(100");
        same("ZPOPMIN", "big", "50");
        same("ZPOPMAX", "big", "50");
        for (int k = 0; k < 40; k++) {
            int r = rnd.nextInt(8000);
            same("ZRANGE", "big", Integer.toString(r), Integer.toString(r + 25), "WITHSCORES");
            same("ZRANK", "big", "member:" + (1500 + rnd.nextInt(500)));
        }
        same("ZRANGE", "big", "0", "-1", "WITHSCORES");
    }

    @Test
    void lexRangesOnALargeEqualScoreSet() {
        for (int from = 0; from < 20_000; from += 1000) {
            List<String> args = new ArrayList<>();
            for (int i = from; i < from + 1000; i++) {
                args.add("0");
                args.add(String.format("k%06d", (i * 7919) % 20_000)); // inserted out of order
            }
            zadd("lex", args);
        }
        Random rnd = new Random(5);
        for (int k = 0; k < 50; k++) {
            String a = String.format("k%06d", rnd.nextInt(20_000));
            String b = String.format("k%06d", rnd.nextInt(20_000));
            same("ZLEXCOUNT", "lex", "[" + a, "(" + b);
            same("ZRANGEBYLEX", "lex", "(" + a, "+", "LIMIT", "0", "12");
            same("ZREVRANGEBYLEX", "lex", "[" + b, "-", "LIMIT", "3", "12");
            same("ZRANGE", "lex", "[" + a, "[" + b, "BYLEX", "LIMIT", "0", "5");
        }
        same("ZREMRANGEBYLEX", "lex", "[k005000", "(k015000");
        same("ZLEXCOUNT", "lex", "-", "+");
        same("ZRANGEBYLEX", "lex", "[k004990", "[k015010");
    }
}
