package io.basalt.server.util;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Server log in Redis's format ({@code pid:M 26 Nov 2026 06:03:39.123 * message}), so log
 * scrapers and people used to redis-server read it the same way.
 */
public final class Log {
    private Log() {}

    public enum Level { DEBUG('.'), VERBOSE('-'), NOTICE('*'), WARNING('#');
        final char mark;
        Level(char mark) { this.mark = mark; }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH);
    private static final long PID = ProcessHandle.current().pid();
    private static volatile Level threshold = Level.NOTICE;
    private static volatile boolean silent;
    private static volatile PrintStream out = System.out;

    /** loglevel: debug, verbose, notice, warning, nothing. */
    public static void level(String level) {
        switch (level) {
            case "debug": threshold = Level.DEBUG; silent = false; break;
            case "verbose": threshold = Level.VERBOSE; silent = false; break;
            case "warning": threshold = Level.WARNING; silent = false; break;
            case "nothing": silent = true; break;
            default: threshold = Level.NOTICE; silent = false;
        }
    }

    /** logfile: empty means standard output. */
    public static void file(String path) throws IOException {
        out = path.isEmpty() ? System.out : new PrintStream(new FileOutputStream(path, true), true);
    }

    public static void log(Level level, String message) {
        if (silent || level.ordinal() < threshold.ordinal()) return;
        out.println(PID + ":M " + ZonedDateTime.now().format(TIME) + " " + level.mark + " " + message);
    }

    public static void notice(String m) { log(Level.NOTICE, m); }

    public static void warning(String m) { log(Level.WARNING, m); }

    public static void verbose(String m) { log(Level.VERBOSE, m); }

    public static void debug(String m) { log(Level.DEBUG, m); }
}
