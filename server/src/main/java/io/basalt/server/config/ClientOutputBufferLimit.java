package io.basalt.server.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code client-output-buffer-limit <class> <hard> <soft> <soft-seconds> ...}: parsing and the
 * canonical form CONFIG GET prints (all three classes, byte counts).
 */
public final class ClientOutputBufferLimit {
    private ClientOutputBufferLimit() {}

    /** Limits of one client class. */
    public record Limit(long hard, long soft, long softSeconds) { }

    /**
     * Redis's checkClientOutputBufferLimits for one client: over the hard limit at once, over
     * the soft one once it has been held for more than its seconds (the holder remembers since
     * when).
     */
    public static final class Tracker {
        private long softSince;

        /** Whether {@code size} pending bytes put the client over {@code l} now. */
        public boolean over(Limit l, long size) {
            boolean over = l.hard() > 0 && size >= l.hard();
            if (l.soft() > 0 && size >= l.soft()) {
                long now = System.currentTimeMillis();
                if (softSince == 0) softSince = now;
                else if (now - softSince > l.softSeconds() * 1000) over = true;
            } else {
                softSince = 0;
            }
            return over;
        }
    }

    static String normalize(String value) throws ConfigException {
        Map<String, Limit> m = parse("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
        String[] w = value.trim().split("\\s+");
        if (w.length % 4 != 0) throw new ConfigException("Wrong number of arguments in buffer limit configuration.");
        for (int i = 0; i < w.length; i += 4) {
            String cls = w[i].toLowerCase(Locale.ROOT);
            if (cls.equals("replica")) cls = "slave";
            if (!cls.equals("normal") && !cls.equals("slave") && !cls.equals("pubsub")) {
                throw new ConfigException("Invalid client class specified in buffer limit configuration.");
            }
            long hard = MemoryUnits.parse(w[i + 1]);
            long soft = MemoryUnits.parse(w[i + 2]);
            long secs;
            try {
                secs = Long.parseLong(w[i + 3]);
            } catch (NumberFormatException e) {
                secs = -1;
            }
            if (hard < 0 || soft < 0 || secs < 0) {
                throw new ConfigException("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }
            m.put(cls, new Limit(hard, soft, secs));
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Limit> e : m.entrySet()) {
            if (sb.length() > 0) sb.append(' ');
            Limit l = e.getValue();
            sb.append(e.getKey()).append(' ').append(l.hard).append(' ').append(l.soft).append(' ').append(l.softSeconds);
        }
        return sb.toString();
    }

    /** Parses the canonical form into class name to limit. */
    public static Map<String, Limit> parse(String canonical) {
        Map<String, Limit> m = new LinkedHashMap<>();
        String[] w = canonical.trim().split("\\s+");
        for (int i = 0; i + 3 < w.length; i += 4) {
            m.put(w[i], new Limit(Long.parseLong(w[i + 1]), Long.parseLong(w[i + 2]), Long.parseLong(w[i + 3])));
        }
        return m;
    }
}
