package io.basalt.server.commands;

import java.nio.charset.StandardCharsets;

/**
 * Score and range parsing as Redis does it with C's {@code strtod}: scores must be a complete
 * strtod string (Redis's string2d: no leading space, no trailing bytes, no NaN, no overflow or
 * underflow to zero), while ZRANGEBYSCORE-style bounds are read by strtod up to the first NUL and
 * only reject trailing junk and NaN (so "" is 0 and "1e999" is inf there, as in Redis).
 */
final class ZSetParsing {
    private ZSetParsing() {}

    /** A score range; bounds with their exclusivity. */
    static final class ScoreRange {
        double min, max;
        boolean minex, maxex;
    }

    /** A lex range; a null bound with {@code inf} set is "+" (true) or "-" (false). */
    static final class LexRange {
        byte[] min, max;
        boolean minPlus, maxPlus, minex, maxex;
    }

    /** Redis string2d; null when not a valid float. */
    static Double parseScore(byte[] b) {
        if (b.length == 0 || isSpace(b[0])) return null;
        double[] out = new double[1];
        int end = strtod(b, 0, b.length, out);
        if (end != b.length) return null;
        double d = out[0];
        if (Double.isNaN(d)) return null;
        if (Double.isInfinite(d) && !spelledInfinity(b, 0, b.length)) return null; // ERANGE overflow
        if (d == 0 && hasNonZeroDigit(b, 0, b.length)) return null; // ERANGE underflow to zero
        return d;
    }

    /** Redis zslParseRange for one bound: fills min or max of r; false on error. */
    static boolean parseBound(byte[] b, ScoreRange r, boolean isMin) {
        int len = b.length;
        for (int i = 0; i < b.length; i++) if (b[i] == 0) { len = i; break; }
        int off = 0;
        boolean ex = false;
        if (len > 0 && b[0] == '(') {
            ex = true;
            off = 1;
        }
        double[] out = new double[1];
        int end = strtod(b, off, len, out);
        if (end != len || Double.isNaN(out[0])) return false;
        if (isMin) { r.min = out[0]; r.minex = ex; } else { r.max = out[0]; r.maxex = ex; }
        return true;
    }

    static ScoreRange parseRange(byte[] min, byte[] max) {
        ScoreRange r = new ScoreRange();
        if (!parseBound(min, r, true) || !parseBound(max, r, false)) return null;
        return r;
    }

    /** Redis zslParseLexRangeItem for one bound; false on error. */
    private static boolean parseLexItem(byte[] b, LexRange r, boolean isMin) {
        if (b.length == 0) return false;
        byte[] v = null;
        boolean plus = false, ex = false;
        switch (b[0]) {
            case '+':
                if (b.length != 1) return false;
                plus = true;
                break;
            case '-':
                if (b.length != 1) return false;
                break;
            case '(':
                ex = true;
                v = java.util.Arrays.copyOfRange(b, 1, b.length);
                break;
            case '[':
                v = java.util.Arrays.copyOfRange(b, 1, b.length);
                break;
            default:
                return false;
        }
        if (isMin) { r.min = v; r.minPlus = plus; r.minex = ex; } else { r.max = v; r.maxPlus = plus; r.maxex = ex; }
        return true;
    }

    static LexRange parseLexRange(byte[] min, byte[] max) {
        LexRange r = new LexRange();
        if (!parseLexItem(min, r, true) || !parseLexItem(max, r, false)) return null;
        return r;
    }

    /**
     * C's strtod over b[off, end): stores the value in out[0] and returns the index after the
     * longest valid prefix (off when nothing converts). Accepts leading white space, a sign,
     * decimal and hexadecimal forms, "inf"/"infinity" and "nan"/"nan(...)", case-insensitively.
     */
    static int strtod(byte[] b, int off, int end, double[] out) {
        out[0] = 0;
        int i = off;
        while (i < end && isSpace(b[i])) i++;
        boolean neg = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            neg = b[i] == '-';
            i++;
        }
        if (matches(b, i, end, "inf")) {
            out[0] = neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            return matches(b, i, end, "infinity") ? i + 8 : i + 3;
        }
        if (matches(b, i, end, "nan")) {
            out[0] = Double.NaN;
            int j = i + 3;
            if (j < end && b[j] == '(') {
                int k = j + 1;
                while (k < end && (Character.isLetterOrDigit(b[k]) || b[k] == '_')) k++;
                if (k < end && b[k] == ')') return k + 1;
            }
            return j;
        }
        if (i + 1 < end && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
            int j = i + 2;
            int digits = 0;
            StringBuilder sb = new StringBuilder("0x");
            while (j < end && hex(b[j])) { sb.append((char) b[j]); j++; digits++; }
            if (j < end && b[j] == '.') {
                int k = j + 1;
                StringBuilder frac = new StringBuilder();
                while (k < end && hex(b[k])) { frac.append((char) b[k]); k++; }
                if (digits + frac.length() > 0) {
                    sb.append('.').append(frac);
                    digits += frac.length();
                    j = k;
                }
            }
            if (digits == 0) {
                out[0] = neg ? -0.0 : 0.0; // "0x" alone: strtod reads the "0"
                return i + 1;
            }
            if (sb.length() == 2 || sb.charAt(2) == '.') sb.insert(2, '0');
            int k = exponent(b, j, end, 'p', 'P');
            if (k > j) {
                sb.append(new String(b, j, k - j, StandardCharsets.US_ASCII));
                j = k;
            } else {
                sb.append("p0");
            }
            double d = Double.parseDouble(sb.toString());
            out[0] = neg ? -d : d;
            return j;
        }
        int j = i;
        int digits = 0;
        while (j < end && b[j] >= '0' && b[j] <= '9') { j++; digits++; }
        if (j < end && b[j] == '.') {
            int k = j + 1;
            int frac = 0;
            while (k < end && b[k] >= '0' && b[k] <= '9') { k++; frac++; }
            if (digits + frac > 0) { j = k; digits += frac; }
        }
        if (digits == 0) return off;
        j = exponent(b, j, end, 'e', 'E');
        String s = new String(b, i, j - i, StandardCharsets.US_ASCII);
        double d;
        try {
            d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            // exponents too large for Java's parser: overflow or underflow like strtod
            d = s.contains("-") ? 0 : Double.POSITIVE_INFINITY;
        }
        out[0] = neg ? -d : d;
        return j;
    }

    /** Index after an exponent part starting at j (marker, optional sign, digits), or j. */
    private static int exponent(byte[] b, int j, int end, char lower, char upper) {
        if (j < end && (b[j] == lower || b[j] == upper)) {
            int k = j + 1;
            if (k < end && (b[k] == '+' || b[k] == '-')) k++;
            int s = k;
            while (k < end && b[k] >= '0' && b[k] <= '9') k++;
            if (k > s) return k;
        }
        return j;
    }

    private static boolean hex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean matches(byte[] b, int i, int end, String word) {
        if (end - i < word.length()) return false;
        for (int k = 0; k < word.length(); k++) {
            if (Character.toLowerCase(b[i + k]) != word.charAt(k)) return false;
        }
        return true;
    }

    private static boolean spelledInfinity(byte[] b, int off, int end) {
        int i = off;
        if (i < end && (b[i] == '+' || b[i] == '-')) i++;
        return matches(b, i, end, "inf");
    }

    /** Whether the mantissa has a non-zero digit (so a zero result is an underflow). */
    private static boolean hasNonZeroDigit(byte[] b, int off, int end) {
        boolean hexForm = false;
        int i = off;
        if (i < end && (b[i] == '+' || b[i] == '-')) i++;
        if (i + 1 < end && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
            hexForm = true;
            i += 2;
        }
        for (; i < end; i++) {
            byte c = b[i];
            if (!hexForm && (c == 'e' || c == 'E')) break;
            if (hexForm && (c == 'p' || c == 'P')) break;
            if (c >= '1' && c <= '9') return true;
            if (hexForm && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return true;
        }
        return false;
    }

    static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
