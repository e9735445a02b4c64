package io.basalt.server.commands;

import io.basalt.server.module.ServerModule;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * MIGRATE's connections to its targets, kept open between calls as Redis's
 * {@code migrateCachedSocket} does: resharding moves a slot with one MIGRATE per batch of keys,
 * and a TCP connect (plus AUTH and SELECT) per batch was most of its time. Like Redis: at most 64
 * targets, a random one closed to make room, a connection unused for 10 seconds closed by the
 * cron, and the last database SELECTed remembered so the next MIGRATE to the same db skips it.
 *
 * <p>Unlike Redis, MIGRATEs run on several event loops at once, so a connection is taken out of
 * the cache while a MIGRATE uses it and put back after: two concurrent MIGRATEs to one target use
 * two connections and the cache keeps one of them.
 */
public final class MigrateSockets implements ServerModule {
    /** Redis's MIGRATE_SOCKET_CACHE_ITEMS. */
    static final int MAX_ITEMS = 64;
    /** Redis's MIGRATE_SOCKET_CACHE_TTL, in milliseconds. */
    static final long TTL_MILLIS = 10_000;

    /** One connection to a target, used by one MIGRATE at a time. */
    static final class Conn {
        final String target;
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        /** The db the last successful MIGRATE SELECTed on it; -1 when unknown. */
        long lastDbid = -1;
        long lastUse;

        Conn(String target, Socket socket) throws IOException {
            this.target = target;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        /** Whether it is a TLS connection (tls-cluster), which a plain one may not stand in for. */
        boolean tls() { return socket instanceof javax.net.ssl.SSLSocket; }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }

    private final Map<String, Conn> idle = new HashMap<>();

    /** Makes a connected socket a TLS one (tls-cluster: MIGRATE speaks TLS, as Redis's does then). */
    interface TlsWrap {
        Socket wrap(Socket plain, String host, int port) throws IOException;
    }

    /**
     * A connection to host:port: the cached one, or a new one connected within the timeout
     * (then wrapped in TLS when {@code tls} is given; the handshake fails as a write would). The
     * IOException of a failed connect is the caller's "connecting" error.
     */
    Conn take(String host, int port, int timeoutMillis, TlsWrap tls) throws IOException {
        String target = host + ":" + port;
        synchronized (this) {
            Conn c = idle.remove(target);
            if (c != null && c.tls() == (tls != null)) return c;
            if (c != null) c.close(); // tls-cluster changed since it was opened
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        try {
            s.setSoTimeout(timeoutMillis);
            return new Conn(target, tls != null ? tls.wrap(s, host, port) : s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw new HandshakeFailed(e);
        }
    }

    /** The TLS handshake after the connect failed: reported as a write error, as Redis's. */
    static final class HandshakeFailed extends IOException {
        HandshakeFailed(Throwable cause) { super(cause); }
    }

    /** A MIGRATE is done with a healthy connection: cache it for the next one. */
    void release(Conn c) {
        c.lastUse = System.currentTimeMillis();
        Conn closeIt = null;
        synchronized (this) {
            Conn other = idle.get(c.target);
            if (other != null) {
                closeIt = c; // a concurrent MIGRATE cached one already
            } else {
                if (idle.size() >= MAX_ITEMS) {
                    // as Redis: a random victim makes room
                    List<String> keys = new ArrayList<>(idle.keySet());
                    closeIt = idle.remove(keys.get(ThreadLocalRandom.current().nextInt(keys.size())));
                }
                idle.put(c.target, c);
            }
        }
        if (closeIt != null) closeIt.close();
    }

    /** A connection that failed: closed, never cached (so the next MIGRATE connects afresh). */
    void discard(Conn c) {
        c.close();
    }

    /** Redis's migrateCloseTimedoutSockets. */
    @Override
    public void cron() {
        long now = System.currentTimeMillis();
        List<Conn> expired = new ArrayList<>();
        synchronized (this) {
            if (idle.isEmpty()) return;
            for (Iterator<Conn> it = idle.values().iterator(); it.hasNext(); ) {
                Conn c = it.next();
                if (now - c.lastUse > TTL_MILLIS) {
                    it.remove();
                    expired.add(c);
                }
            }
        }
        for (Conn c : expired) c.close();
    }

    /** At shutdown: every cached connection closed. */
    public void closeAll() {
        List<Conn> all;
        synchronized (this) {
            all = new ArrayList<>(idle.values());
            idle.clear();
        }
        for (Conn c : all) c.close();
    }

    /** How many connections are cached (for tests and INFO-style introspection). */
    public synchronized int size() {
        return idle.size();
    }
}
