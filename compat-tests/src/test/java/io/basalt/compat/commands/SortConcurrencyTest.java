package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * SORT with BY/GET patterns reads keys outside its key spec and takes every shard; run it from
 * several connections alongside multi-key writers to show it neither deadlocks nor sees a torn
 * state (the weights are always written together by MSET, so a sorted read is consistent).
 */
class SortConcurrencyTest {

    @Test
    void patternsUnderConcurrentWrites() {
        int port = BasaltInstance.shared().port();
        try (RawClient setup = new RawClient(port)) {
            setup.call("FLUSHALL");
            for (int i = 0; i < 20; i++) setup.call("RPUSH", "src", String.valueOf(i));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                final int id = t;
                threads.add(new Thread(() -> {
                    try (RawClient c = new RawClient(port)) {
                        for (int n = 0; n < 300; n++) {
                            if (id % 3 == 0) {
                                // all weights in one MSET: equal for every element at any instant
                                String[] mset = new String[41];
                                mset[0] = "MSET";
                                for (int i = 0; i < 20; i++) {
                                    mset[1 + 2 * i] = "w_" + i;
                                    mset[2 + 2 * i] = String.valueOf(n);
                                }
                                assertFalse(c.call(mset).isError());
                            } else if (id % 3 == 1) {
                                RespValue r = c.call("SORT", "src", "BY", "w_*", "GET", "w_*", "GET", "#");
                                assertEquals(40, r.size());
                                String first = r.get(0).isNull() ? null : r.get(0).string();
                                for (int i = 0; i < 40; i += 2) {
                                    String w = r.get(i).isNull() ? null : r.get(i).string();
                                    assertEquals(first, w, "weights read at one instant");
                                }
                            } else {
                                RespValue r = c.call("SORT", "src", "BY", "w_*", "GET", "#", "STORE", "dst" + id);
                                assertEquals(20L, r.number());
                                assertEquals(20L, c.call("LLEN", "dst" + id).number());
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread th : threads) th.join();
        });
        assertNull(failure.get());
    }
}
