package io.basalt.server.commands;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * INCRBYFLOAT's arithmetic: Redis on x86-64 computes it in C {@code long double} (the x87 80-bit
 * format: 64-bit significand, exponents down to 2^-16445 with subnormals, overflow at 2^16384),
 * parses with {@code strtold} and prints with {@code "%.17Lf"}. Clients see those digits (10.5 +
 * 0.1 is "10.6", not Java double's "10.6" by luck or "10.59999..." by mistake), so values are
 * kept here as the exact {@link BigDecimal} of an 80-bit value and every operation rounds exactly
 * as the FPU does (to nearest, ties to even).
 */
final class StringLongDouble {
    private StringLongDouble() {}

    /** Exponent of the smallest subnormal: values are m * 2^e with e >= this. */
    private static final int MIN_EXP = -16445;
    /** Values at or above 2^MAX_BITS overflow to infinity. */
    private static final int MAX_BITS = 16384;
    /** Redis's MAX_LONG_DOUBLE_CHARS: string2ld rejects inputs this long or longer. */
    private static final int MAX_CHARS = 5 * 1024;

    /** Returned by {@link #parse} for infinities (accepted by strtold, rejected by the caller later). */
    static final BigDecimal INFINITY = new BigDecimal(BigInteger.ONE, -100000);
    static final BigDecimal NEG_INFINITY = new BigDecimal(BigInteger.ONE.negate(), -100000);

    static boolean isInfinite(BigDecimal v) { return v == INFINITY || v == NEG_INFINITY; }

    /**
     * Redis {@code string2ld}: the exact value of the long double {@code strtold} yields, or null
     * when Redis rejects the string (empty, too long, leading space, trailing junk or NUL, NaN,
     * overflow, underflow to zero). Infinity spelled out ("inf") is accepted, as strtold does.
     */
    static BigDecimal parse(byte[] b, int off, int len) {
        if (len == 0 || len >= MAX_CHARS) return null;
        // Redis requires strtold to consume every byte, so an embedded NUL makes it invalid
        int end = off + len;
        for (int k = off; k < end; k++) if (b[k] == 0) return null;
        int i = off;
        if (isSpace(b[i])) return null;
        boolean negative = false;
        if (b[i] == '+' || b[i] == '-') {
            negative = b[i] == '-';
            i++;
        }
        if (matches(b, i, end, "infinity") || matches(b, i, end, "inf")) {
            int n = matches(b, i, end, "infinity") ? 8 : 3;
            if (i + n != end) return null;
            return negative ? NEG_INFINITY : INFINITY;
        }
        BigInteger num;
        BigInteger den;
        if (i + 1 < end && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
            BigInteger[] r = parseHex(b, i + 2, end);
            if (r == null) return null;
            num = r[0];
            den = r[1];
        } else {
            BigInteger[] r = parseDecimal(b, i, end);
            if (r == null) return null;
            num = r[0];
            den = r[1];
        }
        if (num.signum() == 0) return BigDecimal.ZERO;
        BigDecimal v = round(num, den);
        if (v == null || v.signum() == 0) return null; // ERANGE: overflow or underflow to zero
        return negative ? v.negate() : v;
    }

    /** The long double sum of two long double values, or null when it overflows. */
    static BigDecimal add(BigDecimal a, BigDecimal b) {
        BigDecimal s = a.add(b);
        if (s.signum() == 0) return BigDecimal.ZERO;
        BigInteger unscaled = s.unscaledValue().abs();
        BigInteger num;
        BigInteger den;
        if (s.scale() <= 0) {
            num = unscaled.multiply(BigInteger.TEN.pow(-s.scale()));
            den = BigInteger.ONE;
        } else {
            num = unscaled;
            den = BigInteger.TEN.pow(s.scale());
        }
        BigDecimal r = round(num, den);
        if (r == null) return null;
        return s.signum() < 0 ? r.negate() : r;
    }

    /** The long double value of a long (exact below 2^64). */
    static BigDecimal of(long v) { return BigDecimal.valueOf(v); }

    /**
     * Redis {@code ld2string(..., LD_STR_HUMAN)}: "%.17Lf" with trailing zeros (and a trailing
     * dot) removed, and "-0" written as "0".
     */
    static byte[] format(BigDecimal v) {
        String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = s.length();
        while (s.charAt(end - 1) == '0') end--;
        if (s.charAt(end - 1) == '.') end--;
        s = s.substring(0, end);
        if (s.equals("-0")) s = "0";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Rounds the positive rational num/den to the nearest 80-bit long double (ties to even), with
     * subnormals; returns its exact value, or null on overflow.
     */
    private static BigDecimal round(BigInteger num, BigInteger den) {
        // floor(log2(num/den))
        int l = num.bitLength() - den.bitLength();
        if (l >= 0 ? num.compareTo(den.shiftLeft(l)) < 0 : num.shiftLeft(-l).compareTo(den) < 0) l--;
        if (l >= MAX_BITS) return null;
        int e = Math.max(l - 63, MIN_EXP);
        BigInteger n = e < 0 ? num.shiftLeft(-e) : num;
        BigInteger d = e > 0 ? den.shiftLeft(e) : den;
        BigInteger[] qr = n.divideAndRemainder(d);
        BigInteger m = qr[0];
        int cmp = qr[1].shiftLeft(1).compareTo(d);
        if (cmp > 0 || (cmp == 0 && m.testBit(0))) m = m.add(BigInteger.ONE);
        if (m.bitLength() > 64) {
            m = m.shiftRight(1);
            e++;
        }
        if (m.signum() == 0) return BigDecimal.ZERO;
        if (e + m.bitLength() > MAX_BITS) return null;
        if (e >= 0) return new BigDecimal(m.shiftLeft(e));
        // m * 2^e = m * 5^-e / 10^-e, exactly
        return new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-e)), -e);
    }

    /** Decimal mantissa with optional fraction and exponent, up to {@code end} exactly. */
    private static BigInteger[] parseDecimal(byte[] b, int i, int end) {
        StringBuilder digits = new StringBuilder();
        int fraction = 0;
        boolean any = false;
        while (i < end && isDigit(b[i])) {
            digits.append((char) b[i++]);
            any = true;
        }
        if (i < end && b[i] == '.') {
            i++;
            while (i < end && isDigit(b[i])) {
                digits.append((char) b[i++]);
                fraction++;
                any = true;
            }
        }
        if (!any) return null;
        long exp = 0;
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            int j = i + 1;
            boolean neg = false;
            if (j < end && (b[j] == '+' || b[j] == '-')) neg = b[j++] == '-';
            if (j >= end || !isDigit(b[j])) return null; // strtold stops before the 'e': trailing junk
            while (j < end && isDigit(b[j])) {
                if (exp < 1_000_000_000L) exp = exp * 10 + (b[j] - '0');
                j++;
            }
            if (neg) exp = -exp;
            i = j;
        }
        if (i != end) return null;
        // strip leading zeros to judge the magnitude before building huge powers of ten
        int lead = 0;
        while (lead < digits.length() && digits.charAt(lead) == '0') lead++;
        if (lead == digits.length()) return new BigInteger[] {BigInteger.ZERO, BigInteger.ONE};
        String sig = digits.substring(lead);
        long scale = fraction - exp; // value = sig * 10^-scale
        long magnitude = sig.length() - 1 - scale; // decimal exponent of the leading digit
        if (magnitude > 4940) return new BigInteger[] {BigInteger.TEN.pow(5000), BigInteger.ONE}; // overflows
        if (magnitude < -4960) return new BigInteger[] {BigInteger.ONE, BigInteger.TEN.pow(5000)}; // underflows
        BigInteger m = new BigInteger(sig);
        if (scale <= 0) return new BigInteger[] {m.multiply(BigInteger.TEN.pow((int) -scale)), BigInteger.ONE};
        return new BigInteger[] {m, BigInteger.TEN.pow((int) scale)};
    }

    /** Hex float after "0x": hex mantissa with optional fraction and binary exponent "p". */
    private static BigInteger[] parseHex(byte[] b, int i, int end) {
        BigInteger m = BigInteger.ZERO;
        long shift = 0;
        boolean any = false;
        while (i < end && hex(b[i]) >= 0) {
            m = m.shiftLeft(4).or(BigInteger.valueOf(hex(b[i++])));
            any = true;
        }
        if (i < end && b[i] == '.') {
            i++;
            while (i < end && hex(b[i]) >= 0) {
                m = m.shiftLeft(4).or(BigInteger.valueOf(hex(b[i++])));
                shift -= 4;
                any = true;
            }
        }
        if (!any) return null;
        if (i < end && (b[i] == 'p' || b[i] == 'P')) {
            int j = i + 1;
            boolean neg = false;
            long exp = 0;
            if (j < end && (b[j] == '+' || b[j] == '-')) neg = b[j++] == '-';
            if (j >= end || !isDigit(b[j])) return null;
            while (j < end && isDigit(b[j])) {
                if (exp < 1_000_000_000L) exp = exp * 10 + (b[j] - '0');
                j++;
            }
            shift += neg ? -exp : exp;
            i = j;
        }
        if (i != end) return null;
        if (m.signum() == 0) return new BigInteger[] {BigInteger.ZERO, BigInteger.ONE};
        long bits = m.bitLength() + shift;
        if (bits > MAX_BITS + 1) return new BigInteger[] {BigInteger.ONE.shiftLeft(MAX_BITS + 1), BigInteger.ONE};
        if (bits < MIN_EXP - 2) return new BigInteger[] {BigInteger.ONE, BigInteger.ONE.shiftLeft(-MIN_EXP + 2)};
        if (shift >= 0) return new BigInteger[] {m.shiftLeft((int) shift), BigInteger.ONE};
        return new BigInteger[] {m, BigInteger.ONE.shiftLeft((int) -shift)};
    }

    private static boolean matches(byte[] b, int i, int end, String word) {
        if (end - i < word.length()) return false;
        for (int k = 0; k < word.length(); k++) {
            int c = b[i + k] | 0x20;
            if (c != word.charAt(k)) return false;
        }
        return true;
    }

    private static boolean isDigit(byte c) { return c >= '0' && c <= '9'; }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
