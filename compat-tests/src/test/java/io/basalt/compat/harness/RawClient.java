package io.basalt.compat.harness;

import io.basalt.resp.RespReader;
import io.basalt.resp.RespValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bare RESP connection that returns replies with their exact bytes. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final RespReader in;

    public RawClient(int port) {
        this(connect(port));
    }

    /** Over a socket already connected (an SSLSocket for a TLS port). */
    public RawClient(Socket connected) {
        try {
            socket = connected;
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new RespReader(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket connect(int port) {
        try {
            return new Socket("127.0.0.1", port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a command as a multibulk and reads its reply. */
    public RespValue call(String... args) {
        send(args);
        return read();
    }

    public RespValue call(byte[]... args) {
        sendRaw(encode(args));
        return read();
    }

    public void send(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes(StandardCharsets.UTF_8);
        sendRaw(encode(b));
    }

    public static byte[] encode(byte[]... args) {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        bo.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            bo.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            bo.writeBytes(a);
            bo.writeBytes(new byte[]{'\r', '\n'});
        }
        return bo.toByteArray();
    }

    public void sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void sendRaw(String s) { sendRaw(s.getBytes(StandardCharsets.UTF_8)); }

    public RespValue read() {
        try {
            return in.read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True if reply bytes have arrived and not been read yet. */
    public boolean hasData() {
        try {
            return in.buffered() || socket.getInputStream().available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** True when the server closed the connection (read returns EOF within the timeout). */
    public boolean isClosedByServer() {
        try {
            socket.setSoTimeout(2000);
            return socket.getInputStream().read() < 0;
        } catch (IOException e) {
            return true;
        }
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
