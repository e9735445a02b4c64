package io.basalt.server.admin;

import io.basalt.server.config.Config;
import io.basalt.server.config.ConfigException;
import io.basalt.server.module.ServerModule;
import io.basalt.server.util.Log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * oom-score-adj and oom-score-adj-values (Redis's setOOMScoreAdj): the process's
 * /proc/self/oom_score_adj follows its role, the master value as a master and the replica value
 * as a replica (absolute, or relative to the score the process started with), so the kernel's OOM
 * killer picks a replica before a master. "no" puts back the score found before. Basalt forks no
 * child, so the third (background child) value is accepted and never used.
 */
public final class OomScoreAdj implements ServerModule {
    private static final Path FILE = Path.of("/proc/self/oom_score_adj");

    private final BooleanSupplier replica;
    private volatile String mode = "no";
    private volatile int[] values = {0, 200, 800};
    private boolean adjusted;
    private int base;
    private int written = Integer.MIN_VALUE;

    public OomScoreAdj(BooleanSupplier replica) {
        this.replica = replica;
    }

    @Override
    public void bind(Config config) {
        config.bind("oom-score-adj", v -> {
            mode = v;
            apply(true);
        });
        config.bind("oom-score-adj-values", v -> {
            String[] w = v.trim().split("\\s+");
            int[] n = new int[3];
            for (int i = 0; i < 3; i++) n[i] = Integer.parseInt(w[i]);
            values = n;
            apply(true);
        });
    }

    /** The role may have changed (REPLICAOF, FAILOVER): the score follows it. */
    @Override
    public void cron() {
        try {
            apply(false);
        } catch (ConfigException e) {
            // logged; the cron tries again only when the wanted value changes
        }
    }

    private synchronized void apply(boolean strict) throws ConfigException {
        int val;
        if (!mode.equals("no")) {
            if (!adjusted) {
                try {
                    base = Integer.parseInt(Files.readString(FILE, StandardCharsets.US_ASCII).trim());
                } catch (IOException | NumberFormatException e) {
                    if (!FILE.toFile().exists()) return; // no such file on this system: nothing to do
                    Log.warning("Unable to read oom_score_adj: " + e.getMessage());
                    throw new ConfigException("Failed to set current oom_score_adj. Check server logs.");
                }
                adjusted = true;
            }
            val = values[replica.getAsBoolean() ? 1 : 0];
            if (!mode.equals("absolute")) val += base; // "yes" is "relative"
            val = Math.max(-1000, Math.min(1000, val));
        } else if (adjusted) {
            adjusted = false;
            val = base;
        } else {
            return;
        }
        if (val == written && !strict) return;
        try {
            Files.writeString(FILE, val + "\n", StandardCharsets.US_ASCII);
            written = val;
        } catch (IOException e) {
            written = val; // the cron does not retry the same value every tick
            Log.warning("Unable to write oom_score_adj: " + e.getMessage());
            throw new ConfigException("Failed to set current oom_score_adj. Check server logs.");
        }
    }
}
