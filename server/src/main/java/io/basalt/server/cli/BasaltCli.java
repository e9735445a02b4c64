package io.basalt.server.cli;

import io.basalt.persistence.backup.BackupException;
import io.basalt.persistence.backup.BackupManifest;
import io.basalt.persistence.backup.Backups;
import io.basalt.server.BasaltServer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code basalt}: the administration command line (bin/basalt). Backups are made by the server
 * (BASALT.BACKUP, so they are consistent while it serves); verifying and restoring work on the
 * files alone, with no server running.
 *
 * <pre>
 *   basalt backup [-h host] [-p port] [-a password] [--user name] &lt;dir&gt;
 *   basalt verify &lt;backup-dir&gt;
 *   basalt restore &lt;backup-dir&gt; &lt;data-dir&gt; [--to-time &lt;unix seconds | ISO-8601&gt;]
 *   basalt cluster plan|rebalance [-h host] [-p port] [--weight node=w ...] [--pipeline n] [--yes]
 * </pre>
 */
public final class BasaltCli {
    private BasaltCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static final String USAGE = String.join("\n",
            "Usage:",
            "  basalt backup [-h host] [-p port] [-a password] [--user name] <dir>",
            "      Asks the server for a consistent backup (snapshot + append-only log + backup.json)",
            "      into <dir>, a new or empty directory on the server's host (a relative path is taken",
            "      from this shell's working directory), waits for it and prints a summary.",
            "  basalt verify <backup-dir>",
            "      Checks backup.json and the size and SHA-256 of every file.",
            "  basalt restore <backup-dir> <data-dir> [--to-time <unix seconds | ISO-8601>]",
            "      Verifies the backup and writes into <data-dir> (new or empty) what a server needs to",
            "      start with its latest state, or with the state at the end of the given second",
            "      (needs a backup of a server that ran with aof-timestamp-enabled yes).",
            ClusterAdmin.USAGE,
            "  basalt --version");

    /** Runs one command line; returns the exit code (0 success, 1 failure, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        try {
            switch (args[0]) {
                case "backup":
                    return backup(rest, out, err);
                case "verify":
                    return verify(rest, out, err);
                case "restore":
                    return restore(rest, out, err);
                case "cluster":
                    return ClusterAdmin.run(rest, System.in, out, err);
                case "--version":
                case "-v":
                    out.println("basalt v=" + BasaltServer.BASALT_VERSION);
                    return 0;
                default:
                    err.println("basalt: unknown command '" + args[0] + "'");
                    err.println(USAGE);
                    return 2;
            }
        } catch (UsageException e) {
            err.println("basalt " + args[0] + ": " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    static final class UsageException extends Exception {
        UsageException(String m) { super(m); }
    }

    static String value(List<String> a, int i, String opt) throws UsageException {
        if (i + 1 >= a.size()) throw new UsageException(opt + " needs a value");
        return a.get(i + 1);
    }

    // ---------------------------------------------------------------- backup

    private static int backup(List<String> a, PrintStream out, PrintStream err) throws UsageException {
        String host = "127.0.0.1";
        int port = 6379;
        String password = null;
        String user = null;
        String dir = null;
        for (int i = 0; i < a.size(); i++) {
            String s = a.get(i);
            switch (s) {
                case "-h", "--host" -> host = value(a, i++, s);
                case "-p", "--port" -> {
                    try {
                        port = Integer.parseInt(value(a, i++, s));
                    } catch (NumberFormatException e) {
                        throw new UsageException("bad port " + a.get(i));
                    }
                }
                case "-a", "--pass", "--password" -> password = value(a, i++, s);
                case "--user" -> user = value(a, i++, s);
                default -> {
                    if (s.startsWith("-") && s.length() > 1) throw new UsageException("unknown option " + s);
                    if (dir != null) throw new UsageException("one backup directory only");
                    dir = s;
                }
            }
        }
        if (dir == null) throw new UsageException("which directory?");
        if (password == null) password = System.getenv("REDISCLI_AUTH");
        String target = Path.of(dir).toAbsolutePath().normalize().toString();
        try (RespClient r = new RespClient(host, port, StandardCharsets.UTF_8, 0)) {
            if (password != null) {
                Object auth = user == null ? r.call("AUTH", password) : r.call("AUTH", user, password);
                if (auth instanceof RespClient.Err e) {
                    err.println("basalt backup: AUTH failed: " + e.message());
                    return 1;
                }
            }
            Object started = r.call("BASALT.BACKUP", target);
            if (started instanceof RespClient.Err e) {
                err.println("basalt backup: " + e.message());
                return 1;
            }
            out.println(started + ": " + target);
            Map<String, Object> st;
            while (true) {
                st = status(r.call("BASALT.BACKUP", "STATUS"));
                if (!target.equals(st.get("dir"))) {
                    // ours ended and another started between two polls: its outcome is in backup.json
                    err.println("basalt backup: another backup (into " + st.get("dir") + ") started since; "
                            + "check this one with: basalt verify " + target);
                    return 1;
                }
                if (Long.valueOf(0).equals(st.get("in_progress"))) break;
                Thread.sleep(100);
            }
            if (!"ok".equals(st.get("status"))) {
                err.println("basalt backup: the backup into " + target + " failed: " + st.get("error"));
                return 1;
            }
            long snap = (Long) st.get("snapshot_time");
            out.println("Backup finished: " + target);
            out.println("  snapshot time: " + snap + " (" + Instant.ofEpochSecond(snap) + ")");
            out.println("  keys: " + st.get("keys") + ", files: " + st.get("files") + ", bytes: " + st.get("bytes")
                    + ", duration: " + st.get("duration_ms") + " ms");
            if (!"yes".equals(st.get("log"))) {
                out.println("  log: none (appendonly no): restores to the snapshot time only");
            } else if ((Long) st.get("log_first_timestamp") < 0) {
                out.println("  log: yes, without timestamps (aof-timestamp-enabled no): restores to the snapshot time only");
            } else {
                long first = (Long) st.get("log_first_timestamp");
                out.println("  log: yes, point-in-time restore from " + first + " (" + Instant.ofEpochSecond(first) + ") to "
                        + snap + " (" + Instant.ofEpochSecond(snap) + ")");
            }
            return 0;
        } catch (IOException e) {
            err.println("basalt backup: can't talk to " + host + ":" + port + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static Map<String, Object> status(Object reply) throws IOException {
        if (reply instanceof RespClient.Err e) throw new IOException(e.message());
        List<?> l = (List<?>) reply;
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < l.size(); i += 2) m.put((String) l.get(i), l.get(i + 1));
        return m;
    }

    // ---------------------------------------------------------------- verify, restore

    private static int verify(List<String> a, PrintStream out, PrintStream err) throws UsageException {
        if (a.size() != 1) throw new UsageException("needs exactly one backup directory");
        try {
            BackupManifest m = Backups.verify(Path.of(a.get(0)));
            out.println("OK: " + a.get(0) + ": " + m.files.size() + " files verified, " + m.keys + " keys, snapshot "
                    + Instant.ofEpochMilli(m.snapshotMillis) + (m.hasLog() ? ", with log" : ", without log"));
            return 0;
        } catch (BackupException e) {
            err.println("basalt verify: " + a.get(0) + ": " + e.getMessage());
            return 1;
        }
    }

    private static int restore(List<String> a, PrintStream out, PrintStream err) throws UsageException {
        List<String> pos = new ArrayList<>();
        long to = -1;
        for (int i = 0; i < a.size(); i++) {
            String s = a.get(i);
            if (s.equals("--to-time")) to = parseTime(value(a, i++, s));
            else if (s.startsWith("--to-time=")) to = parseTime(s.substring("--to-time=".length()));
            else if (s.startsWith("-") && s.length() > 1) throw new UsageException("unknown option " + s);
            else pos.add(s);
        }
        if (pos.size() != 2) throw new UsageException("needs a backup directory and a data directory");
        try {
            Backups.Restored r = Backups.restore(Path.of(pos.get(0)), Path.of(pos.get(1)), to);
            if (to >= 0) {
                out.println("Restored " + pos.get(0) + " to " + to + " (" + Instant.ofEpochSecond(to) + ") into " + pos.get(1)
                        + (r.truncatedFile() == null ? " (the whole log)"
                        : " (log cut at byte " + r.truncatedAt() + " of " + r.truncatedFile() + ")"));
            } else {
                out.println("Restored " + pos.get(0) + " (latest state, " + Instant.ofEpochMilli(r.manifest().snapshotMillis)
                        + ") into " + pos.get(1));
            }
            out.println("Start a server on it with:");
            out.println("  " + r.startCommand());
            return 0;
        } catch (BackupException e) {
            err.println("basalt restore: " + e.getMessage());
            return 1;
        }
    }

    /** Unix seconds, or an ISO-8601 instant/date-time (without an offset: this machine's zone). */
    static long parseTime(String s) throws UsageException {
        if (s.matches("\\d+")) return Long.parseLong(s);
        try {
            return Instant.parse(s).getEpochSecond();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return OffsetDateTime.parse(s).toEpochSecond();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(s).atZone(ZoneId.systemDefault()).toEpochSecond();
        } catch (DateTimeParseException e) {
            throw new UsageException("bad time '" + s + "': give unix seconds or ISO-8601 (2024-05-01T12:00:00Z)");
        }
    }
}
