package io.basalt.server.pubsub;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.client.Outbox;
import io.basalt.server.command.CommandFlags;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.module.ServerModule;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * MONITOR: the clients that receive a line per executed command, as Redis's
 * {@code replicationFeedMonitors}: {@code +<sec>.<usec> [<db> <addr>] "arg" ...} with every
 * argument quoted by {@code sdscatrepr}. A line is built after the command ran (so SELECT shows
 * the database it selected and AUTH passwords are redacted), never for a command rejected
 * before running, nor for admin commands (CONFIG, CLIENT LIST, DEBUG, MONITOR itself...) and
 * skip_monitor ones, which Redis considers too dangerous to show.
 *
 * <p>With no monitor connected this costs the dispatcher one volatile read per command.
 */
public final class Monitor implements ServerModule {
    private static final Client[] NONE = new Client[0];

    /** Copy-on-write: read on every command, changed only by MONITOR, RESET and disconnection. */
    private volatile Client[] monitors = NONE;

    public Monitor() {}

    /** Whether any client monitors (the dispatcher's one check per command). */
    public boolean active() { return monitors.length != 0; }

    /** MONITOR: {@code c} receives the commands executed from now on. */
    public synchronized void add(Client c) {
        c.outbox(); // created here, so feeding never races to create it
        c.monitor(true);
        Client[] m = Arrays.copyOf(monitors, monitors.length + 1);
        m[m.length - 1] = c;
        monitors = m;
    }

    /** RESET or disconnection: {@code c} stops monitoring. */
    @Override
    public void clientClosed(Client c) { remove(c); }

    public synchronized void remove(Client c) {
        if (!c.monitor()) return;
        c.monitor(false);
        Client[] m = monitors;
        for (int i = 0; i < m.length; i++) {
            if (m[i] != c) continue;
            Client[] n = new Client[m.length - 1];
            System.arraycopy(m, 0, n, 0, i);
            System.arraycopy(m, i + 1, n, i, m.length - i - 1);
            monitors = n;
            return;
        }
    }

    /** After {@code c} executed a command: its line to every monitor (the monitor itself included). */
    public void feed(Client c, CommandSpec spec, RespRequest req) {
        Client[] m = monitors;
        if (m.length == 0 || spec.is(CommandFlags.ADMIN | CommandFlags.SKIP_MONITOR)) return;
        byte[] line = line(c, spec, req);
        Outbox.Line item = new Outbox.Line(line);
        for (Client monitor : m) monitor.outbox().add(item, line.length);
    }

    static byte[] line(Client c, CommandSpec spec, RespRequest req) {
        java.time.Instant now = java.time.Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        ascii(b, "+" + micros / 1_000_000 + "." + String.format("%06d", micros % 1_000_000)
                + " [" + c.db() + " " + c.address() + "] ");
        for (int i = 0; i < req.argc(); i++) {
            if (i > 0) b.write(' ');
            if (spec.redacted(req, i)) {
                ascii(b, "\"(redacted)\"");
                continue;
            }
            repr(b, req, i);
        }
        b.write('\r');
        b.write('\n');
        return b.toByteArray();
    }

    /** Redis's sdscatrepr: double quotes, C escapes, \xNN for bytes outside printable ASCII. */
    private static void repr(ByteArrayOutputStream b, RespRequest req, int i) {
        b.write('"');
        int n = req.length(i);
        for (int k = 0; k < n; k++) {
            int ch = req.byteAt(i, k) & 0xff;
            switch (ch) {
                case '\\', '"' -> { b.write('\\'); b.write(ch); }
                case '\n' -> ascii(b, "\\n");
                case '\r' -> ascii(b, "\\r");
                case '\t' -> ascii(b, "\\t");
                case 7 -> ascii(b, "\\a");
                case '\b' -> ascii(b, "\\b");
                default -> {
                    if (ch >= 0x20 && ch <= 0x7e) b.write(ch);
                    else ascii(b, String.format("\\x%02x", ch));
                }
            }
        }
        b.write('"');
    }

    private static void ascii(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
