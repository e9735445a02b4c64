package io.basalt.resp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocking reader of RESP2/RESP3 replies from a stream: the client half of the codec, for tests,
 * tools and benchmarks. Not used on the server's request path.
 */
public final class RespReader {
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;

    public RespReader(InputStream in) { this.in = in; }

    /** True if bytes read from the stream are waiting in this reader's buffer. */
    public boolean buffered() { return pos < limit; }

    /** Reads one whole reply. */
    public RespValue read() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        return read(raw);
    }

    private RespValue read(ByteArrayOutputStream parentRaw) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        byte[] line = readLine();
        raw.write(line);
        raw.write('\r');
        raw.write('\n');
        char type = (char) line[0];
        String rest = new String(line, 1, line.length - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
        RespValue v;
        switch (type) {
            case '+': case '-': case ',': case '#': case '(':
                v = new RespValue(type, java.util.Arrays.copyOfRange(line, 1, line.length), 0, null, null);
                break;
            case ':':
                v = new RespValue(type, null, Long.parseLong(rest), null, null);
                break;
            case '_':
                v = new RespValue(type, null, 0, null, null);
                break;
            case '$': case '=': case '!': {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    v = new RespValue(type, null, 0, null, null);
                } else {
                    byte[] b = readExactly(n + 2);
                    raw.write(b);
                    v = new RespValue(type, java.util.Arrays.copyOf(b, n), 0, null, null);
                }
                break;
            }
            case '*': case '~': case '>': case '%': case '|': {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    v = new RespValue(type, null, 0, null, null);
                    break;
                }
                int count = (type == '%' || type == '|') ? 2 * n : n;
                List<RespValue> elems = new ArrayList<>(Math.min(count, 1024));
                for (int i = 0; i < count; i++) elems.add(read(raw));
                v = new RespValue(type, null, 0, elems, null);
                break;
            }
            default:
                throw new IOException("unexpected RESP type byte '" + type + "' in line: " + rest);
        }
        byte[] bytes = raw.toByteArray();
        parentRaw.write(bytes);
        return new RespValue(v.type(), v.bytes(), v.number(), v.elements(), bytes);
    }

    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (pos == limit) fill();
            byte b = buf[pos++];
            if (b == '\r') {
                if (pos == limit) fill();
                if (buf[pos] == '\n') {
                    pos++;
                    return line.toByteArray();
                }
            }
            line.write(b);
        }
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            if (pos == limit) fill();
            int k = Math.min(n - off, limit - pos);
            System.arraycopy(buf, pos, out, off, k);
            pos += k;
            off += k;
        }
        return out;
    }

    private void fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n < 0) throw new EOFException("connection closed");
        pos = 0;
        limit = n;
    }
}
