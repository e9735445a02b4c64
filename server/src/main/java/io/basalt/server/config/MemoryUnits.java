package io.basalt.server.config;

import java.util.Locale;

/** Redis's {@code memtoull}: "1k" = 1000, "1kb" = 1024, ... case-insensitive, plain bytes otherwise. */
public final class MemoryUnits {
    private MemoryUnits() {}

    /** Returns the byte count, or {@code Long.MIN_VALUE} when {@code s} is not a memory value. */
    public static long parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        long mul = 1;
        String digits = v;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"},
                {"k", "1000"}, {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (v.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                digits = v.substring(0, v.length() - u[0].length());
                break;
            }
        }
        if (digits.isEmpty()) return Long.MIN_VALUE;
        // memtoull: plain digits only (no sign, no spaces); leading zeros are fine
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') return Long.MIN_VALUE;
        }
        try {
            long n = Long.parseLong(digits);
            if (digits.startsWith("+")) return Long.MIN_VALUE;
            return Math.multiplyExact(n, mul);
        } catch (NumberFormatException | ArithmeticException e) {
            return Long.MIN_VALUE;
        }
    }
}
