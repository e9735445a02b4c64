package io.basalt.persistence.aof;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Replays one append-only file as Redis's {@code loadSingleAppendOnlyFile}: RESP arrays of bulk
 * strings, {@code #} annotation lines skipped, an optional RDB preamble. A command is handed to the
 * sink only once it was read completely, and the commands of a MULTI are handed over only when
 * their EXEC was read, so a torn tail or an unterminated transaction is never half-applied.
 */
public final class AofLoader {
    /** Where the commands go (the server runs them through a fake client, without replies). */
    public interface Sink {
        void command(byte[][] argv) throws AofException;
    }

    /** What loading one file gave. */
    public enum Status { OK, EMPTY, TRUNCATED }

    /** Largest argument count and bulk length accepted (as Redis's client limits). */
    private static final long MAX_ARGS = 1024 * 1024;
    private static final long MAX_BULK = 512L * 1024 * 1024;

    private final Consumer<String> warn;
    private final RdbStreamLoader rdb;

    public AofLoader(Consumer<String> warn, RdbStreamLoader rdb) {
        this.warn = warn;
        this.rdb = rdb;
    }

    /** Signals a short read: the file ends inside a command. */
    private static final class ShortRead extends Exception {
        ShortRead() { super(null, null, false, false); }
    }

    /**
     * The file read through one buffer, with the offset of the next byte (so the end of the last
     * complete command is known). Unsynchronized byte access and numbers parsed in place: the
     * reader used to be a BufferedInputStream (a lock per byte) and a String per header line,
     * about a tenth of the replay time of an AOF of SETs.
     */
    private static final class Input implements AutoCloseable {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int lim;
        private long base; // file offset of buf[0]

        Input(InputStream in, long offset) {
            this.in = in;
            this.base = offset;
        }

        long offset() { return base + pos; }

        private boolean fill() throws IOException {
            base += lim;
            pos = 0;
            lim = 0;
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) return false;
            lim = n;
            return true;
        }

        int read() throws IOException {
            if (pos == lim && !fill()) return -1;
            return buf[pos++] & 0xff;
        }

        /**
         * The rest of a header line as a number (an optional sign, digits, CRLF or LF); -1 when it
         * is not one (a format error for the caller). A short read if the file ends first.
         */
        long number() throws IOException, ShortRead {
            long v = 0;
            int digits = 0;
            boolean neg = false;
            int b = read();
            if (b == '-' || b == '+') {
                neg = b == '-';
                b = read();
            }
            while (b >= '0' && b <= '9') {
                if (++digits > 18) return -1; // beyond any limit checked upstream
                v = v * 10 + (b - '0');
                b = read();
            }
            if (b == '\r') b = read();
            if (b < 0) throw new ShortRead();
            if (b != '\n' || digits == 0) return -1;
            return neg ? -v : v;
        }

        /** Skips to the end of the line (an annotation). */
        void skipLine() throws IOException, ShortRead {
            int b;
            while ((b = read()) != '\n') {
                if (b < 0) throw new ShortRead();
            }
        }

        /** The next n bytes; null if the file ends first. */
        byte[] bytes(int n) throws IOException {
            byte[] out = new byte[n];
            int got = 0;
            while (got < n) {
                if (pos == lim && !fill()) return null;
                int k = Math.min(n - got, lim - pos);
                System.arraycopy(buf, pos, out, got, k);
                pos += k;
                got += k;
            }
            return out;
        }

        @Override public void close() throws IOException { in.close(); }
    }

    /**
     * Loads {@code file}. With {@code truncateAllowed} (aof-load-truncated yes, and the last file of
     * the manifest), a file that ends inside a command, or inside a MULTI without its EXEC, is
     * truncated to its last complete command and reported; otherwise that is an error naming the
     * file and the offset.
     */
    public Status load(Path file, Sink sink, boolean truncateAllowed, boolean lastFile) throws AofException, IOException {
        String name = file.getFileName().toString();
        long size = Files.size(file);
        if (size == 0) return Status.EMPTY;
        long validUpTo = 0;
        long validBeforeMulti = 0;
        List<byte[][]> multi = null;
        boolean shortRead = false;
        long rdbEnd = 0;
        byte[] sig = new byte[5];
        int got;
        try (InputStream head = Files.newInputStream(file)) {
            got = head.readNBytes(sig, 0, 5);
        }
        if (got == 5 && new String(sig, StandardCharsets.US_ASCII).equals("REDIS")) {
            if (rdb == null) {
                throw new AofException("Bad file format reading the append only file " + name
                        + ": it starts with an RDB preamble, which this build cannot load");
            }
            // the RDB reader reads ahead: it reports where the image ends, and the RESP tail is
            // read from there with a stream of its own
            try (InputStream r = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                rdbEnd = rdb.load(r, name);
            }
        }
        FileChannel src = FileChannel.open(file, StandardOpenOption.READ);
        src.position(rdbEnd);
        try (Input in = new Input(java.nio.channels.Channels.newInputStream(src), rdbEnd)) {
            validUpTo = rdbEnd;
            while (true) {
                int first = in.read();
                if (first < 0) break; // clean end of file
                try {
                    if (first == '#') { // annotation (#TS:...): skipped
                        in.skipLine();
                        continue;
                    }
                    if (first != '*') throw fmtErr(name, validUpTo);
                    long argc = in.number();
                    if (argc < 1 || argc > MAX_ARGS) throw fmtErr(name, validUpTo);
                    byte[][] argv = new byte[(int) argc][];
                    for (int i = 0; i < argc; i++) {
                        int d = in.read();
                        if (d < 0) throw new ShortRead();
                        if (d != '$') throw fmtErr(name, validUpTo);
                        long len = in.number();
                        if (len < 0 || len > MAX_BULK) throw fmtErr(name, validUpTo);
                        byte[] arg = in.bytes((int) len);
                        if (arg == null) throw new ShortRead();
                        int cr = in.read();
                        int lf = in.read();
                        if (lf < 0) throw new ShortRead();
                        // Redis reads the two bytes without looking; a record whose framing is off
                        // is corruption, and is never applied
                        if (cr != '\r' || lf != '\n') throw fmtErr(name, validUpTo);
                        argv[i] = arg;
                    }
                    if (is(argv[0], "multi")) {
                        if (multi == null) {
                            validBeforeMulti = validUpTo;
                            multi = new ArrayList<>();
                        }
                    } else if (multi != null && is(argv[0], "exec")) {
                        for (byte[][] q : multi) sink.command(q);
                        multi = null;
                    } else if (multi != null) {
                        multi.add(argv);
                    } else {
                        sink.command(argv);
                    }
                    validUpTo = in.offset();
                } catch (ShortRead | EOFException e) {
                    shortRead = true;
                    break;
                }
            }
        }
        if (!shortRead && multi == null) return Status.OK;
        if (multi != null && !shortRead) {
            warn.accept("Revert incomplete MULTI/EXEC transaction in AOF file " + name);
        }
        if (multi != null) validUpTo = validBeforeMulti;
        if (truncateAllowed) {
            warn.accept("!!! Warning: short read while loading the AOF file " + name + "!!!");
            warn.accept("!!! Truncating the AOF " + name + " at offset " + validUpTo + " !!!");
            if (!lastFile) {
                throw new AofException("Fatal error: the truncated file is not the last file (" + name
                        + ", offset " + validUpTo + ")");
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(validUpTo);
                ch.force(true);
            } catch (IOException e) {
                throw new AofException("Error truncating the AOF file " + name + ": " + e.getMessage(), e);
            }
            warn.accept("AOF " + name + " loaded anyway because aof-load-truncated is enabled");
            return Status.TRUNCATED;
        }
        throw new AofException("Unexpected end of file reading the append only file " + name
                + " (last complete command ends at offset " + validUpTo + "). You can: "
                + "1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. "
                + "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.");
    }

    private static AofException fmtErr(String name, long offset) {
        return new AofException("Bad file format reading the append only file " + name
                + " (at offset " + offset + "): make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>");
    }

    /** Whether {@code arg} is {@code lower} in any case (command names). */
    private static boolean is(byte[] arg, String lower) {
        if (arg.length != lower.length()) return false;
        for (int i = 0; i < arg.length; i++) {
            if ((arg[i] | 0x20) != lower.charAt(i)) return false;
        }
        return true;
    }
}
