package io.basalt.persistence.backup;

import io.basalt.persistence.RdbException;
import io.basalt.persistence.RdbLoader;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the {@code #TS:<unix seconds>} annotations of an AOF file (aof-timestamp-enabled) and
 * where each starts. Annotations stand between commands (a transaction is appended in one piece
 * after its annotation), so cutting a file where one starts leaves whole commands, which is how
 * Redis's {@code redis-check-aof --truncate-to-timestamp} cuts.
 */
public final class AofTimestamps {
    private AofTimestamps() {}

    /** One annotation: the byte offset its line starts at and its time. */
    public record Mark(long offset, long seconds) {}

    /**
     * The annotations of the first {@code length} bytes of {@code file}. A base file that is an
     * RDB image (aof-use-rdb-preamble) has none: its ctime counts as a mark at offset 0. A torn
     * last command ends the scan.
     */
    public static List<Mark> scan(Path file, long length) throws IOException {
        List<Mark> marks = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16)) {
            Scanner s = new Scanner(in, length);
            try {
                while (s.pos < length) {
                    long start = s.pos;
                    int b = s.read();
                    if (b == '#') {
                        String line = s.line();
                        if (line.startsWith("TS:")) {
                            try {
                                marks.add(new Mark(start, Long.parseLong(line.substring(3).trim())));
                            } catch (NumberFormatException e) {
                                throw new IOException("bad timestamp annotation at offset " + start + " of " + file.getFileName());
                            }
                        }
                    } else if (b == '*') {
                        long argc = s.number();
                        for (long i = 0; i < argc; i++) {
                            if (s.read() != '$') throw new IOException("bad AOF format at offset " + s.pos + " of " + file.getFileName());
                            s.skip(s.number() + 2);
                        }
                    } else if (b == 'R') {
                        // the RDB image of a base file (aof-use-rdb-preamble): Redis writes no
                        // annotation before it, and none inside; the image is the state at its
                        // ctime, so that time marks its start
                        if (start == 0) {
                            long ctime = rdbCtime(file);
                            if (ctime >= 0) marks.add(new Mark(0, ctime));
                        }
                        break;
                    } else {
                        throw new IOException("bad AOF format at offset " + start + " of " + file.getFileName());
                    }
                }
            } catch (EOFException torn) {
                // a torn last command: what was complete before it counts
            }
        }
        return marks;
    }

    /** The ctime aux field of an RDB image; -1 when it has none. */
    private static long rdbCtime(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(java.nio.file.Files.newInputStream(file), 4096)) {
            byte[] v = RdbLoader.auxFields(in).get("ctime");
            return v == null ? -1 : Long.parseLong(new String(v, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (RdbException | NumberFormatException e) {
            return -1;
        }
    }

    private static final class Scanner {
        final InputStream in;
        final long limit;
        long pos;

        Scanner(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        int read() throws IOException {
            if (pos >= limit) throw new EOFException();
            int b = in.read();
            if (b < 0) throw new EOFException();
            pos++;
            return b;
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = read()) != '\n') if (b != '\r') sb.append((char) b);
            return sb.toString();
        }

        long number() throws IOException {
            String l = line();
            try {
                return Long.parseLong(l);
            } catch (NumberFormatException e) {
                throw new IOException("bad AOF length '" + l + "' before offset " + pos);
            }
        }

        void skip(long n) throws IOException {
            if (pos + n > limit) throw new EOFException();
            long left = n;
            while (left > 0) {
                long k = in.skip(left);
                if (k <= 0) {
                    if (in.read() < 0) throw new EOFException();
                    k = 1;
                }
                left -= k;
            }
            pos += n;
        }
    }
}
