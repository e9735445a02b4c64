package io.basalt.compat.cluster;

import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.executors.ClusterCommandExecutor;
import redis.clients.jedis.providers.ClusterConnectionProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

/**
 * The counter checker of research/cluster.md §6 (the tutorial's consistency-test.rb): writer
 * threads INCR counter keys through Jedis's cluster executor (the one inside {@code JedisCluster},
 * which follows MOVED and ASK and refreshes its slot cache), and count per key the increments
 * acknowledged and the INCRs actually sent. Afterwards every key's value v must satisfy
 * {@code acked <= v <= sent}: below is a lost acknowledged write, above is a write nobody sent.
 *
 * <p>Why "sent" and not "called": JedisCluster retries a command after a connection error or a
 * read timeout, and the first try may have been applied (the reply was lost, or the node died
 * after replicating it). Counting calls would make such a double increment look like a phantom
 * write. So the client is a {@link UnifiedJedis} over a {@link ClusterCommandExecutor} whose
 * {@code execute} (called once per command written to a node, redirects and retries included)
 * counts on the calling thread; everything else is JedisCluster's own code.
 */
final class CounterWorkload implements AutoCloseable {
    /** INCRs written to a node by the current call, on this thread. */
    private static final ThreadLocal<int[]> SENDS = ThreadLocal.withInitial(() -> new int[1]);

    private final String prefix;
    private final int keys;
    private final int threads;
    private final long pauseNanos;
    private final AtomicLongArray acked;
    private final AtomicLongArray sent;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> unexpected = new AtomicReference<>();
    private final List<Thread> workers = new ArrayList<>();
    private final UnifiedJedis client;
    private volatile boolean running;

    /**
     * {@code keys} counters named prefix+i, {@code threads} writers, each pausing
     * {@code pause} between calls: on two cores shared with six node processes, unthrottled
     * writers starve the nodes' cluster cron and make them suspect each other.
     */
    CounterWorkload(String prefix, int keys, int threads, Duration pause, HostAndPort seed) {
        this.prefix = prefix;
        this.keys = keys;
        this.threads = threads;
        this.pauseNanos = pause.toNanos();
        this.acked = new AtomicLongArray(keys);
        this.sent = new AtomicLongArray(keys);
        this.client = countingCluster(seed);
    }

    /** A JedisCluster equivalent whose executor counts the commands it writes (see the class comment). */
    static UnifiedJedis countingCluster(HostAndPort seed) {
        // generous timeouts: a Basalt JVM on a loaded 2-core host can pause for a second or more
        JedisClientConfig cfg = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(5000).socketTimeoutMillis(10_000).build();
        ClusterConnectionProvider provider = new ClusterConnectionProvider(Set.of(seed), cfg);
        ClusterCommandExecutor executor = new ClusterCommandExecutor(provider, 10, Duration.ofSeconds(30)) {
            @Override
            protected <T> T execute(Connection connection, CommandObject<T> commandObject) {
                SENDS.get()[0]++;
                return super.execute(connection, commandObject);
            }
        };
        return new UnifiedJedis(executor, provider, RedisProtocol.RESP2, null) {};
    }

    String key(int i) {
        return prefix + i;
    }

    int keys() {
        return keys;
    }

    CounterWorkload start() {
        running = true;
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(this::run, "counter-writer-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        return this;
    }

    private void run() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int[] sends = SENDS.get();
        while (running) {
            int k = rnd.nextInt(keys);
            sends[0] = 0;
            try {
                client.incr(key(k));
                acked.incrementAndGet(k);
            } catch (JedisException e) {
                // CLUSTERDOWN, a node gone, retries exhausted: expected around faults, counted
                failed.increment();
                errors.computeIfAbsent(kind(e), x -> new LongAdder()).increment();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // don't spin on a down cluster
            } catch (Throwable e) {
                unexpected.compareAndSet(null, e);
                failed.increment();
            } finally {
                sent.addAndGet(k, sends[0]);
                calls.increment();
            }
            if (pauseNanos > 0) LockSupport.parkNanos(pauseNanos);
        }
    }

    private static String kind(JedisException e) {
        String m = String.valueOf(e.getMessage());
        if (m.length() > 60) m = m.substring(0, 60);
        return e.getClass().getSimpleName() + ": " + m;
    }

    /** Stops the writers and waits for their last calls to finish (so the counts are final). */
    void stop() {
        running = false;
        for (Thread w : workers) {
            try {
                w.join(TimeUnit.SECONDS.toMillis(120));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted stopping the writers");
            }
            if (w.isAlive()) throw new AssertionError(w.getName() + " did not finish its call within 120 s");
        }
        workers.clear();
    }

    long acked() {
        long s = 0;
        for (int i = 0; i < keys; i++) s += acked.get(i);
        return s;
    }

    /** Acknowledged increments of the keys whose index passes {@code which}. */
    long acked(IntPredicate which) {
        long s = 0;
        for (int i = 0; i < keys; i++) if (which.test(i)) s += acked.get(i);
        return s;
    }

    long sent() {
        long s = 0;
        for (int i = 0; i < keys; i++) s += sent.get(i);
        return s;
    }

    long calls() {
        return calls.sum();
    }

    long failed() {
        return failed.sum();
    }

    Map<String, Long> errors() {
        Map<String, Long> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** A writer's exception that is not a Jedis one (a bug of the test), or null. */
    Throwable unexpected() {
        return unexpected.get();
    }

    /** The result of {@link #check}: every key's final value against its counts. */
    record Report(long calls, long acked, long sent, long failed, Map<String, Long> errors,
                  long finalSum, List<String> lost, List<String> phantom) {
        boolean ok() {
            return lost.isEmpty() && phantom.isEmpty();
        }

        /** Increments acknowledged and missing from the final values (summed over keys). */
        long lostIncrements() {
            return lost.stream().mapToLong(s -> Long.parseLong(s.substring(s.lastIndexOf(' ') + 1))).sum();
        }

        @Override
        public String toString() {
            return String.format("calls=%d acked=%d sent=%d failed=%d final-sum=%d lost-keys=%d phantom-keys=%d errors=%s%s%s",
                    calls, acked, sent, failed, finalSum, lost.size(), phantom.size(), errors,
                    lost.isEmpty() ? "" : "\n  lost (key acked value missing): " + lost.subList(0, Math.min(20, lost.size())),
                    phantom.isEmpty() ? "" : "\n  phantom (key sent value excess): " + phantom.subList(0, Math.min(20, phantom.size())));
        }
    }

    /**
     * Reads every counter through a fresh cluster client (after {@link #stop}) and compares:
     * lost lists keys with {@code v < acked}, phantom those with {@code v > sent}.
     */
    Report check(HostAndPort seed, IntPredicate which) {
        List<String> lost = new ArrayList<>();
        List<String> phantom = new ArrayList<>();
        long sum = 0;
        try (UnifiedJedis reader = countingCluster(seed)) {
            for (int i = 0; i < keys; i++) {
                if (!which.test(i)) continue;
                String s = reader.get(key(i));
                long v = s == null ? 0 : Long.parseLong(s);
                sum += v;
                long a = acked.get(i);
                long w = sent.get(i);
                if (v < a) lost.add(key(i) + " " + a + " " + v + " " + (a - v));
                if (v > w) phantom.add(key(i) + " " + w + " " + v + " " + (v - w));
            }
        }
        return new Report(calls(), acked(), sent(), failed(), errors(), sum, lost, phantom);
    }

    Report check(HostAndPort seed) {
        return check(seed, i -> true);
    }

    /** Polls (10 ms) until {@code more} further increments are acknowledged, within the timeout. */
    void awaitProgress(long more, Duration timeout, IntPredicate which, String what) {
        long target = acked(which) + more;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acked(which) < target) {
            if (unexpected() != null) throw new AssertionError("writer failed", unexpected());
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no progress (" + what + "): " + (target - acked(which)) + " of " + more
                        + " increments still missing after " + timeout + "; errors " + errors());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    void awaitProgress(long more, Duration timeout, String what) {
        awaitProgress(more, timeout, i -> true, what);
    }

    @Override
    public void close() {
        running = false;
        stop();
        client.close();
    }
}
