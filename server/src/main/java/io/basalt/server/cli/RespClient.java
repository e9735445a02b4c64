package io.basalt.server.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's RESP2 connection: requests as arrays of bulk strings, replies parsed into
 * String (simple and bulk), Long, {@link Err}, List and null. Strings travel in the charset the
 * caller chose: UTF-8 for what people type and read (paths), ISO-8859-1 (one char per byte) where
 * values are binary (keys GETKEYSINSLOT returns must reach MIGRATE byte for byte).
 */
final class RespClient implements AutoCloseable {
    /** An error reply. */
    record Err(String message) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Charset charset;

    /** Connects within 5 s; {@code readTimeoutMs} bounds every reply (0: none). */
    RespClient(String host, int port, Charset charset, int readTimeoutMs) throws IOException {
        this.charset = charset;
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(readTimeoutMs);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    Object call(String... args) throws IOException {
        send(args);
        return receive();
    }

    /** Writes a command without waiting for its reply ({@link #receive} reads it). */
    void send(String... args) throws IOException {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(charset);
            out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.write('\r');
            out.write('\n');
        }
        out.flush();
    }

    Object receive() throws IOException {
        int t = in.read();
        if (t < 0) throw new EOFException("connection closed by " + socket.getRemoteSocketAddress());
        String line = line();
        switch (t) {
            case '+':
                return line;
            case '-':
                return new Err(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) return null;
                byte[] b = in.readNBytes(n + 2);
                if (b.length < n + 2) throw new EOFException("connection closed by " + socket.getRemoteSocketAddress());
                return new String(b, 0, n, charset);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) return null;
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) l.add(receive());
                return l;
            }
            default:
                throw new IOException("unexpected reply type '" + (char) t + "'");
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) throw new EOFException("connection closed by " + socket.getRemoteSocketAddress());
            b.write(c);
        }
        in.read(); // '\n'
        return b.toString(charset);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
