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

    /** Counts the bytes consumed, so the offset of the last complete command is known. */
    private static final class Counting extends BufferedInputStream {
        long pos;

        Counting(InputStream in) { super(in, 1 << 16); }

        @Override public synchronized int read() throws IOException {
            int b = super.read();
            if (b >= 0) pos++;
            return b;
        }

        @Override public synchronized int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) pos += n;
            return n;
        }
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
        try (Counting in = new Counting(Files.newInputStream(file))) {
            in.skipNBytes(rdbEnd);
            in.pos = rdbEnd;
            validUpTo = rdbEnd;
            while (true) {
                int first = in.read();
                if (first < 0) break; // clean end of file
                try {
                    if (first == '#') { // annotation (#TS:...): skipped
                        readLine(in);
                        continue;
                    }
                    if (first != '*') throw fmtErr(name, validUpTo);
                    long argc = parseLong(readLine(in));
                    if (argc < 1 || argc > MAX_ARGS) throw fmtErr(name, validUpTo);
                    byte[][] argv = new byte[(int) argc][];
                    for (int i = 0; i < argc; i++) {
                        int d = in.read();
                        if (d < 0) throw new ShortRead();
                        if (d != '$') throw fmtErr(name, validUpTo);
                        long len = parseLong(readLine(in));
                        if (len < 0 || len > MAX_BULK) throw fmtErr(name, validUpTo);
                        byte[] arg = in.readNBytes((int) len);
                        if (arg.length < len) throw new ShortRead();
                        int cr = in.read();
                        int lf = in.read();
                        if (lf < 0) throw new ShortRead();
                        // Redis reads the two bytes without looking; a record whose framing is off
                        // is corruption, and is never applied
                        if (cr != '\r' || lf != '\n') throw fmtErr(name, validUpTo);
                        argv[i] = arg;
                    }
                    String cmd = new String(argv[0], StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
                    if (cmd.equals("multi")) {
                        if (multi == null) {
                            validBeforeMulti = validUpTo;
                            multi = new ArrayList<>();
                        }
                    } else if (cmd.equals("exec") && multi != null) {
                        for (byte[][] q : multi) sink.command(q);
                        multi = null;
                    } else if (multi != null) {
                        multi.add(argv);
                    } else {
                        sink.command(argv);
                    }
                    validUpTo = in.pos;
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

    /** A line up to CRLF (without it); a short read if the file ends first. */
    private static String readLine(InputStream in) throws IOException, ShortRead {
        StringBuilder sb = new StringBuilder(16);
        while (true) {
            int b = in.read();
            if (b < 0) throw new ShortRead();
            if (b == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
                return sb.toString();
            }
            if (sb.length() > 1024) return "x"; // not a number: a format error upstream
            sb.append((char) b);
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
