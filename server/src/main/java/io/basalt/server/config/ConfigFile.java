package io.basalt.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads redis.conf the way Redis does: one directive per line, arguments split like
 * {@code sdssplitargs} (quotes and escapes), {@code include} with glob patterns, later
 * occurrences overriding earlier ones. Command-line {@code --name value} options become lines
 * appended after the file, as in {@code redis-server}.
 */
public final class ConfigFile {
    private ConfigFile() {}

    /** One directive with where it came from, for error messages. */
    public record Directive(String source, int line, String name, List<String> args, String text) {
        public String value() { return String.join(" ", args); }
    }

    /** A config file problem, already phrased the way the server prints it before exiting. */
    public static final class ConfigFileException extends Exception {
        public ConfigFileException(String message) {
            super(message);
        }
    }

    public static List<Directive> read(Path file) throws ConfigFileException {
        List<Directive> out = new ArrayList<>();
        read(file, out, 0);
        return out;
    }

    private static void read(Path file, List<Directive> out, int depth) throws ConfigFileException {
        if (depth > 16) throw new ConfigFileException("Too many nested includes at " + file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigFileException("Fatal error, can't open config file '" + file + "': " + e.getMessage());
        }
        parse(file.toString(), text, out, depth, file.toAbsolutePath().getParent());
    }

    /** Parses config text (a file's contents or the command line turned into lines). */
    public static List<Directive> parse(String source, String text) throws ConfigFileException {
        List<Directive> out = new ArrayList<>();
        parse(source, text, out, 0, Path.of("."));
        return out;
    }

    private static void parse(String source, String text, List<Directive> out, int depth, Path base)
            throws ConfigFileException {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            List<String> argv = splitArgs(line);
            if (argv == null) {
                throw error(source, i + 1, line, "Unbalanced quotes in configuration line");
            }
            if (argv.isEmpty()) continue;
            String name = argv.get(0).toLowerCase(Locale.ROOT);
            List<String> args = argv.subList(1, argv.size());
            if (name.equals("include")) {
                if (args.size() != 1) throw error(source, i + 1, line, "Bad directive or wrong number of arguments");
                for (Path p : expand(base, args.get(0))) read(p, out, depth + 1);
                continue;
            }
            out.add(new Directive(source, i + 1, name, List.copyOf(args), line));
        }
    }

    /** Redis prints config errors in this shape before exiting; we add the file name. */
    public static ConfigFileException error(String source, int line, String text, String reason) {
        // a directive without a line (an environment variable) names its source instead
        String where = line > 0 ? "the configuration file " + source + ", at line " + line : source;
        return new ConfigFileException("\n*** FATAL CONFIG FILE ERROR (Basalt) ***\n"
                + "Reading " + where + "\n"
                + ">>> '" + text + "'\n" + reason);
    }

    private static List<Path> expand(Path base, String pattern) throws ConfigFileException {
        Path p = Path.of(pattern);
        // Redis resolves relative includes against the working directory; Basalt also accepts
        // them relative to the including file when that is where they are
        if (!p.isAbsolute()) {
            Path cwdRelative = p.toAbsolutePath();
            Path fileRelative = base.resolve(p);
            boolean glob = pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
            p = (glob ? Files.isDirectory(cwdRelative.getParent()) : Files.exists(cwdRelative)) ? cwdRelative : fileRelative;
        }
        String name = p.getFileName().toString();
        if (name.indexOf('*') < 0 && name.indexOf('?') < 0 && name.indexOf('[') < 0) {
            return List.of(p);
        }
        List<Path> matches = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p.getParent(), name)) {
            for (Path m : ds) matches.add(m);
        } catch (IOException e) {
            throw new ConfigFileException("Fatal error, can't expand include pattern '" + pattern + "': " + e.getMessage());
        }
        matches.sort(null); // Redis includes glob matches in sorted order
        return matches;
    }

    /**
     * Turns {@code redis-server}-style arguments ({@code --port 6380 --save ""}) into config lines:
     * every {@code --name} starts a directive, the words after it are its arguments.
     */
    public static String commandLineToConfig(List<String> args) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (String a : args) {
            if (a.startsWith("--") && a.length() > 2) {
                if (!first) sb.append('\n');
                sb.append(a.substring(2));
                first = false;
            } else {
                sb.append(' ').append(quote(a));
            }
        }
        return sb.toString();
    }

    /** Quotes a value so {@link #splitArgs} gives it back unchanged. */
    public static String quote(String s) {
        if (!s.isEmpty() && s.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '\'' || c == '\\' || c > 126)) {
            return s;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\': sb.append("\\\\"); break;
                case '"': sb.append("\\\""); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < ' ' || c == 127) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** Redis {@code sdssplitargs} over a String; null on unbalanced quotes. */
    public static List<String> splitArgs(String line) {
        List<String> out = new ArrayList<>();
        int p = 0;
        int n = line.length();
        while (true) {
            while (p < n && Character.isWhitespace(line.charAt(p))) p++;
            if (p >= n) return out;
            StringBuilder cur = new StringBuilder();
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            while (!done) {
                char c = p < n ? line.charAt(p) : 0;
                if (inq) {
                    if (p >= n) return null;
                    if (c == '\\' && p + 3 < n && line.charAt(p + 1) == 'x'
                            && Character.digit(line.charAt(p + 2), 16) >= 0 && Character.digit(line.charAt(p + 3), 16) >= 0) {
                        cur.append((char) Integer.parseInt(line.substring(p + 2, p + 4), 16));
                        p += 3;
                    } else if (c == '\\' && p + 1 < n) {
                        p++;
                        char e = line.charAt(p);
                        switch (e) {
                            case 'n': cur.append('\n'); break;
                            case 'r': cur.append('\r'); break;
                            case 't': cur.append('\t'); break;
                            case 'b': cur.append('\b'); break;
                            case 'a': cur.append((char) 7); break;
                            default: cur.append(e);
                        }
                    } else if (c == '"') {
                        if (p + 1 < n && !Character.isWhitespace(line.charAt(p + 1))) return null;
                        done = true;
                    } else {
                        cur.append(c);
                    }
                } else if (insq) {
                    if (p >= n) return null;
                    if (c == '\\' && p + 1 < n && line.charAt(p + 1) == '\'') {
                        p++;
                        cur.append('\'');
                    } else if (c == '\'') {
                        if (p + 1 < n && !Character.isWhitespace(line.charAt(p + 1))) return null;
                        done = true;
                    } else {
                        cur.append(c);
                    }
                } else {
                    if (p >= n) break;
                    switch (c) {
                        case ' ': case '\n': case '\r': case '\t': case 0: done = true; break;
                        case '"': inq = true; break;
                        case '\'': insq = true; break;
                        default: cur.append(c);
                    }
                }
                if (p < n) p++;
            }
            out.add(cur.toString());
        }
    }
}
