package io.basalt.resp;

import io.netty.buffer.ByteBuf;

/**
 * Splits an inline command line into arguments exactly like Redis's {@code sdssplitargs}:
 * whitespace separates, "double quotes" understand \n \r \t \b \a \\ \" and \xHH, 'single quotes'
 * understand only \', and a closing quote must be followed by whitespace or the end of the line.
 */
final class InlineSplitter {
    private InlineSplitter() {}

    /** Writes the arguments into {@code out} and records them in {@code req}; false on bad quoting. */
    static boolean split(ByteBuf in, int from, int to, ByteBuf out, RespRequest req) {
        int p = from;
        while (true) {
            while (p < to && Ascii.isSpace(in.getByte(p))) p++;
            if (p >= to) return true;
            boolean inq = false;  // inside "double quotes"
            boolean insq = false; // inside 'single quotes'
            boolean done = false;
            int start = out.writerIndex();
            while (!done) {
                if (inq) {
                    if (p >= to) return false;
                    int c = in.getByte(p);
                    if (c == '\\' && p + 3 < to && in.getByte(p + 1) == 'x'
                            && isHex(in.getByte(p + 2)) && isHex(in.getByte(p + 3))) {
                        out.writeByte(hex(in.getByte(p + 2)) * 16 + hex(in.getByte(p + 3)));
                        p += 3;
                    } else if (c == '\\' && p + 1 < to) {
                        p++;
                        int e = in.getByte(p);
                        switch (e) {
                            case 'n': out.writeByte('\n'); break;
                            case 'r': out.writeByte('\r'); break;
                            case 't': out.writeByte('\t'); break;
                            case 'b': out.writeByte('\b'); break;
                            case 'a': out.writeByte(7); break;
                            default: out.writeByte(e); break;
                        }
                    } else if (c == '"') {
                        // closing quote must be followed by a space or nothing at all
                        if (p + 1 < to && !Ascii.isSpace(in.getByte(p + 1))) return false;
                        done = true;
                    } else {
                        out.writeByte(c);
                    }
                } else if (insq) {
                    if (p >= to) return false;
                    int c = in.getByte(p);
                    if (c == '\\' && p + 1 < to && in.getByte(p + 1) == '\'') {
                        p++;
                        out.writeByte('\'');
                    } else if (c == '\'') {
                        if (p + 1 < to && !Ascii.isSpace(in.getByte(p + 1))) return false;
                        done = true;
                    } else {
                        out.writeByte(c);
                    }
                } else {
                    if (p >= to) {
                        done = true;
                        break;
                    }
                    int c = in.getByte(p);
                    switch (c) {
                        case ' ': case '\n': case '\r': case '\t': case 0:
                            done = true;
                            break;
                        case '"': inq = true; break;
                        case '\'': insq = true; break;
                        default: out.writeByte(c); break;
                    }
                }
                if (p < to) p++;
            }
            req.add(start, out.writerIndex() - start);
        }
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    }
}
