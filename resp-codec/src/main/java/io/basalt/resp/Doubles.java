package io.basalt.resp;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats doubles the way Redis 7.0 does ({@code snprintf("%.17g")}), because clients see these
 * digits: ZSCORE of 0.1 is "0.10000000000000001" on Redis 7.0, not Java's "0.1".
 */
public final class Doubles {
    private Doubles() {}

    private static final MathContext SEVENTEEN = new MathContext(17, RoundingMode.HALF_EVEN);

    /** C's {@code %.17g}, with Redis's spelling of infinities and NaN. */
    public static String format17g(double d) {
        return formatG(d, 17);
    }

    /** C's {@code %.<precision>g}. */
    public static String formatG(double d, int precision) {
        // glibc prints the NaN's sign bit too
        if (Double.isNaN(d)) return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0" : "0";
        if (d == Math.rint(d) && Math.abs(d) < (precision >= 15 ? 1e15 : Math.pow(10, precision))) {
            // integral values with at most `precision` digits: the common case, done without BigDecimal
            return Long.toString((long) d);
        }
        MathContext mc = precision == 17 ? SEVENTEEN : new MathContext(precision, RoundingMode.HALF_EVEN);
        BigDecimal r = new BigDecimal(d).round(mc);
        int exp = r.precision() - r.scale() - 1; // exponent of the leading digit
        if (exp < -4 || exp >= precision) {
            String digits = r.unscaledValue().abs().toString();
            digits = stripZeros(digits);
            StringBuilder sb = new StringBuilder();
            if (r.signum() < 0) sb.append('-');
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) sb.append('0');
            sb.append(a);
            return sb.toString();
        }
        String s = r.setScale(Math.max(precision - 1 - exp, 0), RoundingMode.HALF_EVEN).toPlainString();
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') end--;
            if (s.charAt(end - 1) == '.') end--;
            s = s.substring(0, end);
        }
        return s;
    }

    private static String stripZeros(String digits) {
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') end--;
        return digits.substring(0, end);
    }
}
