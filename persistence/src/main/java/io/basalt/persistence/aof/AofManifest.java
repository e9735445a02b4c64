package io.basalt.persistence.aof;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis 7.0's multi-part AOF manifest ({@code <appendfilename>.manifest} in {@code appenddirname}):
 * one line per file, {@code file <name> seq <n> type <b|h|i>}, listing the base file, history files
 * (already rewritten, to be deleted) and the incremental files in the order they are replayed.
 */
public final class AofManifest {
    /** One file of the manifest. */
    public record Entry(String name, long seq, char type) {
        public String line() { return "file " + name + " seq " + seq + " type " + type + "\n"; }
    }

    public Entry base;
    public final List<Entry> history = new ArrayList<>();
    public final List<Entry> incr = new ArrayList<>();
    public long currBaseSeq;
    public long currIncrSeq;

    public AofManifest copy() {
        AofManifest m = new AofManifest();
        m.base = base;
        m.history.addAll(history);
        m.incr.addAll(incr);
        m.currBaseSeq = currBaseSeq;
        m.currIncrSeq = currIncrSeq;
        return m;
    }

    /** The text Redis's getAofManifestAsString writes: base, history, then incremental files. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        if (base != null) sb.append(base.line());
        for (Entry e : history) sb.append(e.line());
        for (Entry e : incr) sb.append(e.line());
        return sb.toString();
    }

    /** Parses a manifest as Redis's aofLoadManifestFromFile does; errors carry Redis's texts. */
    public static AofManifest parse(String text) throws AofException {
        AofManifest m = new AofManifest();
        if (text.isEmpty()) throw new AofException("Found an empty AOF manifest");
        String[] lines = text.split("\n", -1);
        int lineNo = 0;
        for (int li = 0; li < lines.length; li++) {
            String raw = lines[li];
            if (li == lines.length - 1 && raw.isEmpty()) break; // after the last newline
            lineNo++;
            if (raw.startsWith("#")) continue;
            // Redis reads lines with fgets into a 1024-byte buffer: a line with no newline in it
            // (too long, or the last one unterminated) is refused
            if (raw.length() >= 1024 || li == lines.length - 1) {
                throw new AofException("The AOF manifest file contains too long line");
            }
            String line = raw.strip();
            if (line.isEmpty()) throw new AofException("Invalid AOF manifest file format (at line " + lineNo + ")");
            List<String> args = splitArgs(line);
            if (args == null || args.size() < 6 || args.size() % 2 != 0) {
                throw new AofException("Invalid AOF manifest file format (at line " + lineNo + ")");
            }
            String name = null;
            long seq = 0;
            char type = 0;
            for (int i = 0; i < args.size(); i += 2) {
                switch (args.get(i).toLowerCase(java.util.Locale.ROOT)) {
                    case "file" -> {
                        name = args.get(i + 1);
                        if (name.contains("/")) throw new AofException("File can't be a path, just a filename");
                    }
                    case "seq" -> {
                        try {
                            seq = Long.parseLong(args.get(i + 1));
                        } catch (NumberFormatException e) {
                            throw new AofException("Invalid AOF manifest file format (at line " + lineNo + ")");
                        }
                    }
                    case "type" -> type = args.get(i + 1).isEmpty() ? 0 : args.get(i + 1).charAt(0);
                    default -> { } // unknown keys are ignored, for forward compatibility (as Redis)
                }
            }
            if (name == null || seq == 0 || type == 0) {
                throw new AofException("Invalid AOF manifest file format (at line " + lineNo + ")");
            }
            Entry e = new Entry(name, seq, type);
            switch (type) {
                case 'b' -> {
                    if (m.base != null) throw new AofException("Found duplicate base file information");
                    m.base = e;
                    m.currBaseSeq = seq;
                }
                case 'h' -> m.history.add(e);
                case 'i' -> {
                    if (seq <= m.currIncrSeq) throw new AofException("Found a non-monotonic sequence number");
                    m.incr.add(e);
                    m.currIncrSeq = seq;
                }
                default -> throw new AofException("Unknown AOF file type");
            }
        }
        if (m.base == null && m.incr.isEmpty() && m.history.isEmpty()) throw new AofException("Found an empty AOF manifest");
        return m;
    }

    /** sdssplitargs, enough for manifest lines: words, optionally double-quoted. */
    private static List<String> splitArgs(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) i++;
            if (i >= n) return out;
            StringBuilder sb = new StringBuilder();
            if (line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) return null;
                    char ch = line.charAt(i++);
                    if (ch == '"') break;
                    if (ch == '\\' && i < n) ch = line.charAt(i++);
                    sb.append(ch);
                }
            } else {
                while (i < n && !Character.isWhitespace(line.charAt(i))) sb.append(line.charAt(i++));
            }
            out.add(sb.toString());
        }
    }

    /** Writes the manifest atomically: a temp file, fsynced, renamed over the old one, dir fsynced. */
    public void persist(Path dir, String manifestName) throws IOException {
        Path tmp = dir.resolve("temp-" + manifestName);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(format().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(manifestName), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AofLog.fsyncDir(dir);
    }
}
