package io.basalt.server.commands;

import io.basalt.data.Entries;
import io.basalt.data.Shard;
import io.basalt.persistence.RdbEncoder;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
 * [AUTH2 username password] [KEYS key ...]: DUMPs the keys and sends RESTORE commands to the
 * target, then deletes them here unless COPY. Like Redis it blocks the calling client (and here
 * the keys' shards) while it talks to the target, over a connection kept for the next MIGRATE
 * ({@link MigrateSockets}).
 */
public final class MigrateCommand {
    private MigrateCommand() {}

    /**
     * MIGRATE's keys as Redis's migrateGetKeys finds them (its first key spec is "incomplete", so
     * Redis falls back to this): the key at position 3, or with the KEYS option (and an empty
     * position 3) the names after KEYS, skipping AUTH/AUTH2's arguments on the way. Routing and
     * locking see exactly these: MIGRATE host port "" 0 t KEYS a b is not CROSSSLOT for "".
     */
    static int keys(RespRequest a, int[] out) {
        int argc = a.argc();
        int first = 3, num = 1;
        if (argc > 6) {
            for (int i = 6; i < argc; i++) {
                if (a.is(i, "keys")) {
                    if (a.length(3) > 0) {
                        num = 0; // a syntax error MIGRATE itself reports
                    } else {
                        first = i + 1;
                        num = argc - first;
                    }
                    break;
                }
                if (a.is(i, "auth")) i += 1;
                else if (a.is(i, "auth2")) i += 2;
            }
        }
        int n = 0;
        for (int i = first; i < first + num && i < argc && n < out.length; i++) out[n++] = i;
        return n;
    }

    static void migrate(Client c, RespRequest a) {
        boolean copy = false;
        boolean replace = false;
        byte[] user = null;
        byte[] pass = null;
        int firstKey = 3;
        int numKeys = 1;
        for (int j = 6; j < a.argc(); j++) {
            boolean more = a.argc() - j - 1 > 0;
            if (a.is(j, "COPY")) {
                copy = true;
            } else if (a.is(j, "REPLACE")) {
                replace = true;
            } else if (a.is(j, "AUTH")) {
                if (!more) {
                    c.error(Generic.SYNTAX);
                    return;
                }
                j++;
                pass = a.bytes(j);
            } else if (a.is(j, "AUTH2")) {
                if (a.argc() - j - 1 < 2) {
                    c.error(Generic.SYNTAX);
                    return;
                }
                user = a.bytes(++j);
                pass = a.bytes(++j);
            } else if (a.is(j, "KEYS")) {
                if (a.length(3) != 0) {
                    c.error("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
                    return;
                }
                firstKey = j + 1;
                numKeys = a.argc() - j - 1;
                break;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        Long timeout = Generic.longArg(c, a, 5);
        if (timeout == null) return;
        Long dbid = Generic.longArg(c, a, 4);
        if (dbid == null) return;
        if (timeout <= 0) timeout = 1000L;

        // the keys that exist (lookupKeyRead), with their payloads and remaining TTLs
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        List<Long> ttls = new ArrayList<>();
        long now = System.currentTimeMillis();
        boolean compress = c.server().config().getBool("rdbcompression");
        for (int i = 0; i < numKeys; i++) {
            byte[] k = a.bytes(firstKey + i);
            Object e = Generic.lookupRead(c, k);
            if (e == null) continue;
            long at = Entries.expireAt(e);
            long ttl = 0;
            if (at >= 0) {
                ttl = at - now;
                if (ttl < 1) ttl = 1;
            }
            keys.add(k);
            payloads.add(RdbEncoder.dump(e, compress, Generic.limits(c)));
            ttls.add(ttl);
        }
        if (keys.isEmpty()) {
            c.out().simple("NOKEY");
            return;
        }
        String host = a.string(1);
        int port;
        try {
            port = Integer.parseInt(a.string(2));
        } catch (NumberFormatException ex) {
            port = -1;
        }
        int millis = (int) Math.min(timeout, Integer.MAX_VALUE);
        MigrateSockets sockets = c.server().migrateSockets();
        // in cluster mode the target is importing the slot: RESTORE-ASKING gets in without ASKING
        byte[] restore = (KeyCommands.clusterEnabled(c) ? "RESTORE-ASKING" : "RESTORE").getBytes();
        // tls-cluster: MIGRATE speaks TLS to the target, as Redis's migrate does then
        MigrateSockets.TlsWrap tls = c.server().config().getBool("tls-cluster") && c.server().tls().configured()
                ? (plain, h, p) -> c.server().tls().blockingClient(plain, h, p) : null;
        boolean mayRetry = true;
        while (true) {
            MigrateSockets.Conn cs;
            try {
                cs = sockets.take(host, port, millis, tls);
                cs.socket.setSoTimeout(millis);
            } catch (java.net.ConnectException | MigrateSockets.HandshakeFailed ex) {
                // Redis's blocking connect only waits for writability, so a refused connection
                // surfaces at the first write
                c.error("IOERR error or timeout writing to target instance");
                return;
            } catch (IOException | IllegalArgumentException ex) {
                c.error("IOERR error or timeout connecting to the client");
                return;
            }
            // a cached connection already on this db needs no SELECT
            boolean select = cs.lastDbid != dbid;
            ByteArrayOutputStream cmds = new ByteArrayOutputStream();
            if (pass != null) {
                if (user != null) command(cmds, "AUTH".getBytes(), user, pass);
                else command(cmds, "AUTH".getBytes(), pass);
            }
            if (select) command(cmds, "SELECT".getBytes(), Long.toString(dbid).getBytes());
            for (int i = 0; i < keys.size(); i++) {
                byte[] ttl = Long.toString(ttls.get(i)).getBytes();
                if (replace) command(cmds, restore, keys.get(i), ttl, payloads.get(i), "REPLACE".getBytes());
                else command(cmds, restore, keys.get(i), ttl, payloads.get(i));
            }
            boolean writing = true;
            String firstError = null;
            int read = 0;
            IOException socketError = null;
            try {
                cs.out.write(cmds.toByteArray());
                cs.out.flush();
                writing = false;
                String authReply = pass != null ? readLine(cs.in) : "+OK";
                String selectReply = select ? readLine(cs.in) : "+OK";
                for (; read < keys.size(); read++) {
                    String r = readLine(cs.in);
                    // as Redis: a failed AUTH or SELECT fails every key, even if its RESTORE worked
                    if (authReply.startsWith("-") || selectReply.startsWith("-") || r.startsWith("-")) {
                        if (firstError == null) {
                            firstError = authReply.startsWith("-") ? authReply
                                    : selectReply.startsWith("-") ? selectReply : r;
                        }
                    } else if (!copy) {
                        byte[] k = keys.get(read);
                        Shard sh = c.server().keyspace().shardOf(k);
                        if (sh.remove(c.db(), k) != null) Generic.changed(c, KeyspaceEvents.GENERIC, "del", k);
                    }
                }
            } catch (IOException ex) {
                socketError = ex;
            }
            if (socketError != null) {
                sockets.discard(cs);
                // Redis retries once, on a new connection, when nothing was processed and the
                // error is not a timeout: the cached connection may have been closed by the target
                boolean timedOut = socketError instanceof java.net.SocketTimeoutException;
                if (firstError == null && read == 0 && mayRetry && !timedOut) {
                    mayRetry = false;
                    continue;
                }
                if (firstError == null) {
                    c.error("IOERR error or timeout " + (writing ? "writing" : "reading") + " to target instance");
                    return;
                }
            }
            if (firstError != null) {
                // the db is no longer known: SELECT again next time
                cs.lastDbid = -1;
                if (socketError == null) sockets.release(cs);
                c.error("ERR Target instance replied with error: " + firstError.substring(1));
                return;
            }
            cs.lastDbid = dbid;
            sockets.release(cs);
            c.out().ok();
            return;
        }
    }

    private static void command(ByteArrayOutputStream o, byte[]... args) {
        o.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] x : args) {
            o.writeBytes(("$" + x.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            o.writeBytes(x);
            o.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** One simple-string or error reply line (RESTORE, SELECT and AUTH reply nothing else). */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int ch;
        while ((ch = in.read()) != -1) {
            if (ch == '\n') break;
            if (ch != '\r') b.write(ch);
        }
        if (ch == -1) throw new IOException("connection closed");
        return b.toString(StandardCharsets.UTF_8);
    }
}
