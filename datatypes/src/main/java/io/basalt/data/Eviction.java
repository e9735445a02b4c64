package io.basalt.data;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * maxmemory and key eviction, after Redis 7.0's {@code evict.c}: the access clock of every entry
 * (24 bits inside the entry itself: LRU seconds, or LFU minutes and a logarithmic counter), and
 * {@link #perform()}, Redis's {@code performEvictions}, which the server runs before each
 * command while maxmemory is set.
 *
 * <p>The LRU, LFU and TTL policies approximate their ideal with Redis's sampling and eviction
 * pool: each round samples {@code maxmemory-samples} entries of every database of one shard
 * (shards taken in turn, so the pool sees the whole keyspace over successive rounds, and one
 * round costs what Redis's sampling of one database costs), keeps the best 16 candidates seen so
 * far in the pool, and evicts the best one still present. A candidate whose access clock changed
 * since it was sampled was used in the meantime and is dropped instead (Redis evicts it anyway).
 *
 * <p>Locking: one shard lock at a time, never two, and the pool's monitor is taken before any
 * shard lock. Callers must hold no shard lock (the dispatcher evicts before it locks a
 * command's shards, as Redis evicts before it executes).
 */
public final class Eviction {
    /** {@link #perform()}'s results, Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL. */
    public static final int OK = 0;
    public static final int RUNNING = 1;
    public static final int FAIL = 2;

    // policy flags, as Redis's MAXMEMORY_FLAG_* plus the kind
    private static final int LRU = 1;
    private static final int LFU = 2;
    private static final int ALLKEYS = 4;
    private static final int RANDOM = 8;
    private static final int TTL = 16;
    private static final int NOEVICTION = 32;

    /** Redis's EVPOOL_SIZE. */
    static final int POOL_SIZE = 16;
    /** Redis's LFU_INIT_VAL: the counter of a new key, so it is not evicted before it can be used. */
    public static final int LFU_INIT_VAL = 5;
    private static final int LRU_CLOCK_MAX = (1 << 24) - 1;
    /** Bytes a removed entry frees besides its own size: its share of the table (slot, hash, link). */
    private static final long SLOT_BYTES = 12;

    private final Keyspace keyspace;
    private volatile long maxmemory;
    /**
     * Redis's isSafeToPerformEvictions for a replica with replica-ignore-maxmemory: its master
     * evicts (and sends the DELs), so the replica neither evicts nor refuses writes for memory.
     */
    private volatile boolean suspended;
    private volatile int policy = NOEVICTION;
    private volatile int samples = 5;
    private volatile int tenacity = 10;
    private volatile int lfuLogFactor = 10;
    private volatile int lfuDecayTime = 1;
    private volatile LongSupplier usedMemory = () -> 0;
    private volatile Listener listener = (db, key) -> { };
    private final LongAdder evicted = new LongAdder();

    // the eviction pool, guarded by this object's monitor; idle ascending, best candidate last
    private final byte[][] poolKey = new byte[POOL_SIZE][];
    private final long[] poolIdle = new long[POOL_SIZE];
    private final int[] poolDb = new int[POOL_SIZE];
    private final int[] poolShard = new int[POOL_SIZE];
    private final int[] poolClock = new int[POOL_SIZE];
    private int shardCursor;
    private int randomCursor;
    private Object[] sampleBuf = new Object[5];
    /** A cut-short eviction goes on in the cron (Redis's evictionTimeProc). */
    private volatile boolean running;

    // INFO stats: total_eviction_exceeded_time / current_eviction_exceeded_time
    private volatile long overSince; // nanoTime + 1 when over the limit, 0 otherwise
    private long exceededNanos;

    /** Told about every evicted key, under its shard lock, after it was removed. */
    public interface Listener {
        void evicted(int db, byte[] key);
    }

    Eviction(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    // ---------------------------------------------------------------- configuration

    public void usedMemory(LongSupplier s) { this.usedMemory = s; }

    public void listener(Listener l) { this.listener = l; }

    public long maxmemory() { return maxmemory; }

    /** Suspends eviction (a replica ignoring maxmemory) or resumes it. */
    public void suspended(boolean s) { this.suspended = s; }

    public boolean suspended() { return suspended; }

    public void maxmemory(long bytes) { this.maxmemory = bytes; }

    /** maxmemory-policy by its Redis name; an LFU policy makes new keys start at LFU_INIT_VAL. */
    public void policy(String name) {
        int p = switch (name) {
            case "volatile-lru" -> LRU;
            case "volatile-lfu" -> LFU;
            case "volatile-random" -> RANDOM;
            case "volatile-ttl" -> TTL;
            case "allkeys-lru" -> LRU | ALLKEYS;
            case "allkeys-lfu" -> LFU | ALLKEYS;
            case "allkeys-random" -> RANDOM | ALLKEYS;
            case "noeviction" -> NOEVICTION;
            default -> throw new IllegalArgumentException(name);
        };
        synchronized (this) {
            policy = p;
            clearPool(); // idle values of another policy are not comparable
        }
        keyspace.clockSource((p & LFU) != 0 ? () -> (int) (lfuMinutes() << 8) | LFU_INIT_VAL : Eviction::lruClock);
    }

    public void samples(int n) { this.samples = Math.max(1, n); }

    public void tenacity(int t) { this.tenacity = t; }

    public void lfuLogFactor(int f) { this.lfuLogFactor = f; }

    public void lfuDecayTime(int minutes) { this.lfuDecayTime = minutes; }

    /** Whether an LFU policy is selected: the clock then holds LFU data (even without maxmemory). */
    public boolean lfu() { return (policy & LFU) != 0; }

    public long evictedKeys() { return evicted.sum(); }

    public void resetStats() {
        evicted.reset();
        synchronized (this) {
            exceededNanos = 0;
            if (overSince != 0) overSince = System.nanoTime() + 1;
        }
    }

    /** total_eviction_exceeded_time in ms: time spent over maxmemory, the current stretch included. */
    public synchronized long totalExceededMillis() {
        long n = exceededNanos;
        if (overSince != 0) n += System.nanoTime() + 1 - overSince;
        return n / 1_000_000;
    }

    /** current_eviction_exceeded_time in ms: 0 unless memory is over the limit now. */
    public synchronized long currentExceededMillis() {
        return overSince == 0 ? 0 : (System.nanoTime() + 1 - overSince) / 1_000_000;
    }

    // ---------------------------------------------------------------- access clock

    /** Redis's LRU_CLOCK: seconds, 24 bits. */
    public static int lruClock() {
        return (int) ((System.currentTimeMillis() / 1000) & LRU_CLOCK_MAX);
    }

    /** Redis's estimateObjectIdleTime, in ms: the 24-bit clock wraps about every 194 days. */
    public static long idleMillis(int clock) {
        int now = lruClock();
        long secs = now >= clock ? now - clock : (long) now + (LRU_CLOCK_MAX - clock);
        return secs * 1000;
    }

    /** Redis's LFUGetTimeInMinutes. */
    static long lfuMinutes() {
        return (System.currentTimeMillis() / 60000) & 65535;
    }

    /** Redis's LFUDecrAndReturn: the counter after one decrement per lfu-decay-time minutes idle. */
    public long lfuDecrAndReturn(int clock) {
        long ldt = (clock >>> 8) & 65535;
        long counter = clock & 255;
        long now = lfuMinutes();
        long elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
        int decay = lfuDecayTime;
        long periods = decay > 0 ? elapsed / decay : 0;
        if (periods > 0) counter = periods > counter ? 0 : counter - periods;
        return counter;
    }

    /** Redis's LFULogIncr: the counter grows with probability 1 / ((counter - 5) * lfu-log-factor + 1). */
    long lfuLogIncr(long counter) {
        if (counter == 255) return 255;
        double r = ThreadLocalRandom.current().nextDouble();
        double base = Math.max(0, counter - LFU_INIT_VAL);
        double p = 1.0 / (base * lfuLogFactor + 1);
        return r < p ? counter + 1 : counter;
    }

    /**
     * An access (Redis's lookupKey without LOOKUP_NOTOUCH): updateLFU under an LFU policy,
     * otherwise the LRU clock. The entry's shard must be locked.
     */
    public void touch(Object e) {
        if (lfu()) {
            long counter = lfuLogIncr(lfuDecrAndReturn(Entries.clock(e)));
            Entries.clock(e, (int) ((lfuMinutes() << 8) | counter));
        } else {
            Entries.clock(e, lruClock());
        }
    }

    // ---------------------------------------------------------------- performEvictions

    /** used_memory as compared with maxmemory (a sum of per-shard running totals: cheap). */
    public long usedMemory() { return usedMemory.getAsLong(); }

    /** Redis's evictionTimeLimitUs: the time one call may spend evicting, from the tenacity. */
    private long timeLimitNanos() {
        int t = tenacity;
        if (t <= 10) return 50_000L * t;
        if (t < 100) return (long) (500.0 * Math.pow(1.15, t - 10.0)) * 1000;
        return Long.MAX_VALUE;
    }

    /**
     * Redis's performEvictions: evicts keys until used memory is within maxmemory, the policy has
     * nothing left to evict ({@link #FAIL}) or the tenacity's time limit is reached
     * ({@link #RUNNING}: the cron goes on with it). The caller holds no shard lock.
     */
    public int perform() {
        long max = maxmemory;
        if (max == 0 || suspended) return OK;
        if (usedMemory() <= max) {
            if (overSince != 0) metrics(OK);
            return OK;
        }
        synchronized (this) {
            long used = usedMemory();
            if (used <= max) return metrics(OK);
            if ((policy & NOEVICTION) != 0) return metrics(FAIL);
            long tofree = used - max;
            long freed = 0;
            long start = System.nanoTime();
            long limit = timeLimitNanos();
            int keys = 0;
            int result = OK;
            while (freed < tofree) {
                long f = evictOne();
                if (f < 0) {
                    result = FAIL;
                    break;
                }
                freed += f;
                keys++;
                if (keys % 16 == 0 && System.nanoTime() - start > limit) {
                    result = RUNNING;
                    break;
                }
            }
            running = result == RUNNING;
            return metrics(result);
        }
    }

    /** Whether an eviction cut short by its time limit is to go on (in the cron). */
    public boolean running() { return running && maxmemory != 0; }

    private synchronized int metrics(int result) {
        if (result == OK) {
            if (overSince != 0) {
                exceededNanos += System.nanoTime() + 1 - overSince;
                overSince = 0;
            }
        } else if (overSince == 0) {
            overSince = System.nanoTime() + 1;
        }
        return result;
    }

    /** Evicts one key by the policy; returns the bytes it freed, or -1 when nothing is eligible. */
    private long evictOne() {
        int p = policy;
        boolean volatileOnly = (p & ALLKEYS) == 0;
        if ((p & RANDOM) != 0) return evictRandom(volatileOnly);
        for (int round = 0; ; round++) {
            if (eligibleKeys(volatileOnly) == 0) return -1;
            populate(p, volatileOnly);
            // from the best candidate down; entries gone meanwhile are ghosts
            for (int k = POOL_SIZE - 1; k >= 0; k--) {
                byte[] key = poolKey[k];
                if (key == null) continue;
                int db = poolDb[k];
                int clock = poolClock[k];
                Shard s = keyspace.shard(poolShard[k]);
                poolKey[k] = null;
                poolIdle[k] = 0;
                s.lock();
                try {
                    Object e = s.peek(db, key);
                    if (e == null || (volatileOnly && Entries.expireAt(e) < 0)) continue;
                    // used since it was sampled: no longer a good candidate (after a few rounds
                    // of that, take it anyway so a hot keyspace cannot stall eviction)
                    if (round < 8 && (p & TTL) == 0 && Entries.clock(e) != clock) continue;
                    return remove(s, db, key, e);
                } finally {
                    s.unlock();
                }
            }
        }
    }

    private long eligibleKeys(boolean volatileOnly) {
        long n = 0;
        for (int db = 0; db < keyspace.databases(); db++) {
            n += volatileOnly ? keyspace.volatileCount(db) : keyspace.size(db);
            if (n > 0) return n;
        }
        return n;
    }

    /** Redis's evictionPoolPopulate over every database of the next shard that has candidates. */
    private void populate(int p, boolean volatileOnly) {
        int n = samples;
        if (sampleBuf.length < n) sampleBuf = new Object[n];
        int shards = keyspace.shardCount();
        for (int tries = 0; tries < shards; tries++) {
            Shard s = keyspace.shard(shardCursor);
            shardCursor = (shardCursor + 1) & (shards - 1);
            boolean any = false;
            s.lock();
            try {
                for (int db = 0; db < keyspace.databases(); db++) {
                    int got = s.sample(db, n, volatileOnly, sampleBuf);
                    for (int j = 0; j < got; j++) {
                        Object e = sampleBuf[j];
                        sampleBuf[j] = null;
                        insert(e, idle(p, e), db, s.index());
                    }
                    any |= got > 0;
                }
            } finally {
                s.unlock();
            }
            if (any) return;
        }
    }

    private long idle(int p, Object e) {
        int clock = Entries.clock(e);
        if ((p & LRU) != 0) return idleMillis(clock);
        if ((p & LFU) != 0) return 255 - lfuDecrAndReturn(clock);
        return Long.MAX_VALUE - Entries.expireAt(e); // TTL: the sooner it expires, the better
    }

    /** The pool insertion of evictionPoolPopulate, shift for shift. */
    private void insert(Object e, long idle, int db, int shard) {
        int k = 0;
        while (k < POOL_SIZE && poolKey[k] != null && poolIdle[k] < idle) k++;
        if (k == 0 && poolKey[POOL_SIZE - 1] != null) {
            return; // worse than everything in a full pool
        } else if (k < POOL_SIZE && poolKey[k] == null) {
            // an empty slot: nothing to move
        } else if (poolKey[POOL_SIZE - 1] == null) {
            // room on the right: shift k.. right
            shift(k, k + 1, POOL_SIZE - k - 1);
        } else {
            // full: drop the worst (leftmost), shift 1..k left and insert at k-1
            k--;
            shift(1, 0, k);
        }
        poolKey[k] = Entries.key(e);
        poolIdle[k] = idle;
        poolDb[k] = db;
        poolShard[k] = shard;
        poolClock[k] = Entries.clock(e);
    }

    private void shift(int from, int to, int n) {
        System.arraycopy(poolKey, from, poolKey, to, n);
        System.arraycopy(poolIdle, from, poolIdle, to, n);
        System.arraycopy(poolDb, from, poolDb, to, n);
        System.arraycopy(poolShard, from, poolShard, to, n);
        System.arraycopy(poolClock, from, poolClock, to, n);
    }

    private void clearPool() {
        java.util.Arrays.fill(poolKey, null);
        java.util.Arrays.fill(poolIdle, 0);
    }

    /** allkeys-random / volatile-random: a random key of the next (shard, db) that has one. */
    private long evictRandom(boolean volatileOnly) {
        if (eligibleKeys(volatileOnly) == 0) return -1;
        int shards = keyspace.shardCount();
        int dbs = keyspace.databases();
        int start = ThreadLocalRandom.current().nextInt(shards);
        for (int i = 0; i < shards * dbs; i++) {
            int db = (randomCursor + i / shards) % dbs;
            Shard s = keyspace.shard((start + i) & (shards - 1));
            s.lock();
            try {
                if (s.sample(db, 1, volatileOnly, sampleBuf) == 1) {
                    Object e = sampleBuf[0];
                    sampleBuf[0] = null;
                    randomCursor = (db + 1) % dbs; // next time, the next database first, as Redis's next_db
                    return remove(s, db, Entries.key(e), e);
                }
            } finally {
                s.unlock();
            }
        }
        return -1;
    }

    private long remove(Shard s, int db, byte[] key, Object e) {
        long bytes = Entries.memoryUsage(e) + SLOT_BYTES;
        s.remove(db, key);
        evicted.increment();
        listener.evicted(db, key);
        return bytes;
    }
}
