package io.basalt.compat.commands;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Raw socket exchanges for connection-level tests: send bytes, then collect everything the
 * server writes until it closes the connection (marked "&lt;EOF&gt;") or stays quiet for a while.
 */
final class ConnectionWire {
    private ConnectionWire() {}

    static String exchange(int port, byte[] request, int quietMillis) {
        return exchange(InetAddress.getLoopbackAddress(), port, request, quietMillis);
    }

    static String exchange(InetAddress host, int port, byte[] request, int quietMillis) {
        try (Socket s = new Socket(host, port)) {
            s.setTcpNoDelay(true);
            // the first byte may take a while on a loaded machine; after it, quiet ends the reply
            s.setSoTimeout(Math.max(quietMillis, FIRST_BYTE_MILLIS));
            try {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
            } catch (IOException e) {
                // the server may close before everything is written (limits); read what it said
            }
            return readUntilQuiet(s, quietMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How long the first byte of a reply may take (a server that says nothing costs this). */
    private static final int FIRST_BYTE_MILLIS = 3000;

    static String readUntilQuiet(Socket s, int quietMillis) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    out.writeBytes("<EOF>".getBytes(StandardCharsets.US_ASCII));
                    break;
                }
                out.write(buf, 0, n);
                s.setSoTimeout(quietMillis);
            }
        } catch (SocketTimeoutException e) {
            // quiet: the connection is still open
        } catch (IOException e) {
            out.writeBytes("<EOF>".getBytes(StandardCharsets.US_ASCII)); // reset by the server
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static byte[] cmd(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] x = a.getBytes(StandardCharsets.ISO_8859_1);
            b.writeBytes(("$" + x.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(x);
            b.writeBytes(new byte[]{'\r', '\n'});
        }
        return b.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }

    static byte[] ascii(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }
}
