package io.basalt.server.scripting;

import io.basalt.resp.Doubles;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lua 5.1's string.format (lstrlib.c's str_format over C's printf): %d and %i truncate the number
 * to an integer, %s uses tostring, %q quotes as 5.1 does, %g/%e/%f as C prints them. LuaJ's own
 * (5.2) rejects non-integral %d and prints numbers differently.
 */
final class StringFormat extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
        LuaString fmt = args.checkstring(1);
        byte[] f = new byte[fmt.m_length];
        fmt.copyInto(0, f, 0, f.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(f.length + 16);
        int arg = 1;
        for (int i = 0; i < f.length; i++) {
            byte c = f[i];
            if (c != '%') {
                out.write(c);
                continue;
            }
            if (++i >= f.length) throw new LuaError("invalid option '%' to 'format'");
            if (f[i] == '%') {
                out.write('%');
                continue;
            }
            int start = i;
            while (i < f.length && "-+ #0".indexOf(f[i]) >= 0) i++;
            while (i < f.length && Character.isDigit(f[i])) i++;
            if (i < f.length && f[i] == '.') {
                i++;
                while (i < f.length && Character.isDigit(f[i])) i++;
            }
            if (i >= f.length || i - start > 5 + 1) throw new LuaError("invalid format (repeated flags)");
            String spec = new String(f, start, i - start, StandardCharsets.US_ASCII);
            char conv = (char) f[i];
            arg++;
            String s;
            switch (conv) {
                case 'c':
                    out.write((int) args.checkdouble(arg));
                    continue;
                case 'd': case 'i':
                    s = cFormat("%" + spec.replace(".", "%.") + "d", (long) args.checkdouble(arg), spec);
                    break;
                case 'o': case 'u': case 'x': case 'X':
                    s = integerFormat(spec, conv, (long) args.checkdouble(arg));
                    break;
                case 'e': case 'E': case 'f':
                    s = String.format(java.util.Locale.ROOT, "%" + spec + conv, args.checkdouble(arg));
                    break;
                case 'g': case 'G': {
                    double d = args.checkdouble(arg);
                    int dot = spec.indexOf('.');
                    int precision = dot < 0 ? 6 : dot + 1 == spec.length() ? 0 : Integer.parseInt(spec.substring(dot + 1));
                    s = Doubles.formatG(d, Math.max(1, precision));
                    if (conv == 'G') s = s.toUpperCase(java.util.Locale.ROOT);
                    s = pad(s, dot < 0 ? spec : spec.substring(0, dot));
                    break;
                }
                case 'q':
                    quote(out, args.checkstring(arg));
                    continue;
                case 's': {
                    LuaValue v = LuaEngine.tostring(args.checkvalue(arg));
                    LuaString ls = v.checkstring();
                    if (spec.isEmpty()) {
                        out.write(ls.m_bytes, ls.m_offset, ls.m_length);
                        continue;
                    }
                    String str = ls.tojstring();
                    int dot = spec.indexOf('.');
                    if (dot >= 0) {
                        int p = dot + 1 == spec.length() ? 0 : Integer.parseInt(spec.substring(dot + 1));
                        if (str.length() > p) str = str.substring(0, p);
                    }
                    s = pad(str, dot < 0 ? spec : spec.substring(0, dot));
                    break;
                }
                default:
                    throw new LuaError("invalid option '%" + conv + "' to 'format'");
            }
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        return LuaString.valueUsing(out.toByteArray());
    }

    private static String cFormat(String javaFormat, long v, String spec) {
        if (spec.indexOf('.') < 0) return String.format(java.util.Locale.ROOT, "%" + spec + "d", v);
        // %.Nd: at least N digits
        int dot = spec.indexOf('.');
        int p = dot + 1 == spec.length() ? 0 : Integer.parseInt(spec.substring(dot + 1));
        String digits = Long.toString(Math.abs(v));
        while (digits.length() < p) digits = "0" + digits;
        if (v < 0) digits = "-" + digits;
        return pad(digits, spec.substring(0, dot).replace("0", ""));
    }

    private static String integerFormat(String spec, char conv, long v) {
        String digits = switch (conv) {
            case 'o' -> Long.toOctalString(v);
            case 'x' -> Long.toHexString(v);
            case 'X' -> Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
            default -> Long.toUnsignedString(v);
        };
        if (spec.contains("#") && v != 0) digits = (conv == 'o' ? "0" : conv == 'x' ? "0x" : conv == 'X' ? "0X" : "") + digits;
        return pad(digits, spec.replace("#", ""));
    }

    /** Width and the '-' and '0' flags of a conversion applied to {@code s}. */
    private static String pad(String s, String flags) {
        int w = 0;
        int k = 0;
        boolean left = false;
        boolean zero = false;
        while (k < flags.length() && "-+ #0".indexOf(flags.charAt(k)) >= 0) {
            if (flags.charAt(k) == '-') left = true;
            if (flags.charAt(k) == '0') zero = true;
            k++;
        }
        if (k < flags.length()) w = Integer.parseInt(flags.substring(k));
        if (s.length() >= w) return s;
        StringBuilder sb = new StringBuilder(w);
        if (left) {
            sb.append(s);
            while (sb.length() < w) sb.append(' ');
        } else if (zero) {
            int sign = s.startsWith("-") ? 1 : 0;
            sb.append(s, 0, sign);
            for (int i = s.length(); i < w; i++) sb.append('0');
            sb.append(s, sign, s.length());
        } else {
            for (int i = s.length(); i < w; i++) sb.append(' ');
            sb.append(s);
        }
        return sb.toString();
    }

    /** Lua 5.1's %q: quotes, escapes '"', '\\', newline (as backslash-newline), '\r' and NUL. */
    private static void quote(ByteArrayOutputStream out, LuaString s) {
        out.write('"');
        for (int i = 0; i < s.m_length; i++) {
            byte b = s.m_bytes[s.m_offset + i];
            switch (b) {
                case '"': case '\\': case '\n':
                    out.write('\\');
                    out.write(b);
                    break;
                case '\r':
                    out.writeBytes("\\r".getBytes(StandardCharsets.US_ASCII));
                    break;
                case 0:
                    out.writeBytes("\\000".getBytes(StandardCharsets.US_ASCII));
                    break;
                default:
                    out.write(b);
            }
        }
        out.write('"');
    }
}
