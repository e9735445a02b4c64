package io.basalt.server.admin;


import java.util.List;
import java.util.Map;

/** The texts of LATENCY DOCTOR and LATENCY GRAPH, after Redis's latency.c and sparkline.c. */
final class LatencyReport {
    private LatencyReport() {}

    static String doctor(Monitoring m) {
        Map<String, Monitoring.LatencyEvent> events = m.latencyEvents();
        if (events.isEmpty() && m.latencyThresholdMs() == 0) {
            return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. "
                    + "You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. "
                    + "If we weren't in a deep space mission I'd suggest to take a look at "
                    + "https://redis.io/topics/latency-monitor.\n";
        }
        if (events.isEmpty()) {
            return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the "
                    + "slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think "
                    + "things over.\n";
        }
        StringBuilder sb = new StringBuilder("Dave, I have observed latency spikes in this Redis instance. "
                + "You don't mind talking about it, do you Dave?\n\n");
        int n = 1;
        boolean command = false;
        for (Map.Entry<String, Monitoring.LatencyEvent> e : events.entrySet()) {
            List<long[]> samples = e.getValue().samples();
            if (samples.isEmpty()) continue;
            double avg = 0;
            for (long[] s : samples) avg += s[1];
            avg /= samples.size();
            double mad = 0;
            for (long[] s : samples) mad += Math.abs(s[1] - avg);
            mad /= samples.size();
            long period = samples.size() > 1
                    ? (samples.get(samples.size() - 1)[0] - samples.get(0)[0]) / (samples.size() - 1) : 0;
            sb.append(n++).append(". ").append(e.getKey()).append(": ").append(samples.size())
                    .append(" latency spikes (average ").append(Math.round(avg)).append("ms, mean deviation ")
                    .append(Math.round(mad)).append("ms, period ").append(period).append(" sec). Worst all time event ")
                    .append(e.getValue().max).append("ms.\n");
            if (e.getKey().equals("command") || e.getKey().equals("fast-command")) command = true;
        }
        sb.append("\nI have a few advices for you:\n\n");
        if (command) {
            sb.append("- Check your Slow Log to understand what are the commands you are running which are too slow "
                    + "to execute. Please check https://redis.io/commands/slowlog for more information.\n");
            sb.append("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking "
                    + "operation. If you have very large objects that are often deleted, expired, or evicted, try to "
                    + "fragment those objects into multiple smaller objects.\n");
        }
        return sb.toString();
    }

    private static final String CHARSET_FILL = "_o#";
    private static final int ROWS = 4;
    private static final int COLS = 80;

    /** latencyCommandGenSparkeline: a header, a rule and a 4-row filled sparkline with age labels. */
    static String graph(String event, Monitoring.LatencyEvent e) {
        List<long[]> samples = e.samples();
        long now = System.currentTimeMillis() / 1000;
        long min = 0;
        long max = 0;
        String[] labels = new String[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            long v = samples.get(i)[1];
            if (i == 0) {
                min = v;
                max = v;
            } else {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
            long elapsed = now - samples.get(i)[0];
            if (elapsed < 60) labels[i] = elapsed + "s";
            else if (elapsed < 3600) labels[i] = elapsed / 60 + "m";
            else if (elapsed < 3600 * 24) labels[i] = elapsed / 3600 + "h";
            else labels[i] = elapsed / (3600 * 24) + "d";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(event).append(" - high ").append(max).append(" ms, low ").append(min)
                .append(" ms (all time high ").append(e.max).append(" ms)\n");
        sb.append("-".repeat(COLS)).append('\n');
        for (int j = 0; j < samples.size(); j += COLS) {
            int len = Math.min(COLS, samples.size() - j);
            if (j != 0) sb.append('\n');
            renderRange(sb, samples, labels, min, max, j, len);
        }
        return sb.toString();
    }

    private static void renderRange(StringBuilder out, List<long[]> samples, String[] labels, long min, long max,
                                    int offset, int len) {
        double relmax = max - min;
        if (relmax == 0) relmax = 1;
        int steps = CHARSET_FILL.length() * ROWS;
        int row = 0;
        boolean loop = true;
        char[] chars = new char[len];
        while (loop) {
            loop = false;
            java.util.Arrays.fill(chars, ' ');
            for (int j = 0; j < len; j++) {
                double relval = samples.get(j + offset)[1] - min;
                int step = (int) ((relval * steps) / relmax);
                if (step < 0) step = 0;
                if (step >= steps) step = steps - 1;
                if (row < ROWS) {
                    int charidx = step - ((ROWS - row - 1) * CHARSET_FILL.length());
                    loop = true;
                    if (charidx >= 0 && charidx < CHARSET_FILL.length()) chars[j] = CHARSET_FILL.charAt(charidx);
                    else if (charidx >= CHARSET_FILL.length()) chars[j] = '|';
                } else {
                    if (row - ROWS < 1) { // label_margin_top
                        loop = true;
                        break;
                    }
                    String label = labels[j + offset];
                    int labelChar = row - ROWS - 1;
                    if (label.length() > labelChar) {
                        loop = true;
                        chars[j] = label.charAt(labelChar);
                    }
                }
            }
            if (loop) {
                row++;
                out.append(chars).append('\n');
            }
        }
    }
}
