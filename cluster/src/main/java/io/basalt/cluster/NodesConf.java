package io.basalt.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * nodes.conf, in Redis's format (the CLUSTER NODES lines without handshake nodes, then
 * {@code vars currentEpoch N lastVoteEpoch M}), so a node restarted from it, by Basalt or
 * redis-server, rejoins as itself. Written the way clusterSaveConfig writes it: in place, in
 * one write padded with newlines to the old length and then truncated (a crash leaves the old
 * content or the new, plus blank lines the loader skips), and locked for the life of the process
 * so two servers never share one file.
 */
public final class NodesConf {
    private final Path path;
    private FileChannel lockChannel;
    private FileLock lock;

    public NodesConf(Path path) { this.path = path; }

    public Path path() { return path; }

    /** Thrown for a file Redis would refuse ("Unrecoverable error: corrupted cluster config file."). */
    public static final class CorruptException extends Exception {
        public CorruptException(String m) { super(m); }
    }

    /**
     * Redis's clusterLockConfig: false when another process holds the file (the caller refuses to
     * start, as Redis does).
     */
    public synchronized boolean lock() throws IOException {
        lockChannel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            return false;
        }
        return true;
    }

    public synchronized void unlock() {
        try {
            if (lock != null) lock.release();
            if (lockChannel != null) lockChannel.close();
        } catch (IOException ignored) {
            // closing at shutdown: nothing to recover
        }
        lock = null;
        lockChannel = null;
    }

    /**
     * Redis's clusterLoadConfig into an empty {@code cs}: false when the file is missing or empty
     * (a new node: the caller creates itself and saves).
     */
    public boolean load(ClusterState cs, long now) throws IOException, CorruptException {
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (content.length == 0) return false;
        synchronized (cs) {
            for (String line : new String(content, StandardCharsets.ISO_8859_1).split("\n", -1)) {
                if (line.isEmpty()) continue;
                String[] argv = line.trim().split("[ \t\r]+");
                if (argv.length == 0 || argv[0].isEmpty()) continue;
                if (argv[0].equalsIgnoreCase("vars")) {
                    if (argv.length % 2 == 0) throw new CorruptException("vars");
                    for (int j = 1; j < argv.length; j += 2) {
                        if (argv[j].equalsIgnoreCase("currentEpoch")) cs.currentEpoch = parseUnsigned(argv[j + 1]);
                        else if (argv[j].equalsIgnoreCase("lastVoteEpoch")) cs.lastVoteEpoch = parseUnsigned(argv[j + 1]);
                        else cs.log.accept("Skipping unknown cluster config variable '" + argv[j] + "'");
                    }
                    continue;
                }
                if (argv.length < 8 || !ClusterState.validName(argv[0])) throw new CorruptException(line);
                ClusterNode n = lookupOrCreate(cs, argv[0], now);
                String addr = argv[1];
                int comma = addr.indexOf(',');
                if (comma >= 0) {
                    n.hostname = addr.substring(comma + 1);
                    addr = addr.substring(0, comma);
                } else {
                    n.hostname = "";
                }
                int colon = addr.lastIndexOf(':');
                if (colon < 0) throw new CorruptException(line);
                n.ip = addr.substring(0, colon);
                String ports = addr.substring(colon + 1);
                int at = ports.indexOf('@');
                n.port = atoi(at >= 0 ? ports.substring(0, at) : ports);
                n.cport = at >= 0 ? atoi(ports.substring(at + 1)) : n.port + 10000;
                for (String f : argv[2].split(",")) {
                    switch (f.toLowerCase(java.util.Locale.ROOT)) {
                        case "myself":
                            if (cs.myself != null) throw new CorruptException("two myself lines");
                            cs.myself = n;
                            n.flags |= ClusterNode.MYSELF;
                            break;
                        case "master": n.flags |= ClusterNode.MASTER; break;
                        case "slave": n.flags |= ClusterNode.SLAVE; break;
                        case "fail?": n.flags |= ClusterNode.PFAIL; break;
                        case "fail":
                            n.flags |= ClusterNode.FAIL;
                            n.failTime = now;
                            break;
                        case "handshake": n.flags |= ClusterNode.HANDSHAKE; break;
                        case "noaddr": n.flags |= ClusterNode.NOADDR; break;
                        case "nofailover": n.flags |= ClusterNode.NOFAILOVER; break;
                        case "noflags": break;
                        default: throw new CorruptException("Unknown flag in redis cluster config file");
                    }
                }
                if (argv[3].charAt(0) != '-') {
                    if (!ClusterState.validName(argv[3])) throw new CorruptException(line);
                    ClusterNode master = lookupOrCreate(cs, argv[3], now);
                    n.master = master;
                    ClusterState.addReplica(master, n);
                }
                if (atoi(argv[4]) != 0) n.pingSent = now;
                if (atoi(argv[5]) != 0) n.pongReceived = now;
                n.configEpoch = n.isReplica() && n.master != null ? 0 : parseUnsigned(argv[6]);
                for (int j = 8; j < argv.length; j++) {
                    String a = argv[j];
                    if (a.charAt(0) == '[') {
                        int dash = a.indexOf('-');
                        if (dash < 0 || dash + 3 > a.length()) throw new CorruptException(line);
                        char direction = a.charAt(dash + 1);
                        int slot = atoi(a.substring(1, dash));
                        if (slot < 0 || slot >= Slots.COUNT) throw new CorruptException(line);
                        int close = a.indexOf(']', dash + 3);
                        String peer = close < 0 ? "" : a.substring(dash + 3, close);
                        if (!ClusterState.validName(peer)) throw new CorruptException(line);
                        ClusterNode cn = lookupOrCreate(cs, peer, now);
                        if (direction == '>') cs.migratingTo[slot] = cn;
                        else cs.importingFrom[slot] = cn;
                        continue;
                    }
                    int dash = a.indexOf('-');
                    int start = atoi(dash >= 0 ? a.substring(0, dash) : a);
                    int stop = dash >= 0 ? atoi(a.substring(dash + 1)) : start;
                    if (start < 0 || start >= Slots.COUNT || stop < 0 || stop >= Slots.COUNT) throw new CorruptException(line);
                    while (start <= stop) cs.addSlot(n, start++);
                }
            }
            if (cs.myself == null) throw new CorruptException("no myself line");
            long max = cs.maxEpoch();
            if (Long.compareUnsigned(max, cs.currentEpoch) > 0) cs.currentEpoch = max;
            cs.changed();
        }
        return true;
    }

    private static ClusterNode lookupOrCreate(ClusterState cs, String name, long now) {
        ClusterNode n = cs.nodes.get(name);
        if (n == null) {
            n = new ClusterNode(name, 0, now);
            cs.addNode(n);
        }
        return n;
    }

    /** C's atoi: leading digits (with a sign), 0 when there are none. */
    static int atoi(String s) {
        int i = 0, sign = 1;
        long v = 0;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) sign = s.charAt(i++) == '-' ? -1 : 1;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && v < Integer.MAX_VALUE) v = v * 10 + (s.charAt(i++) - '0');
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, sign * v));
    }

    /** strtoull: the leading digits, 0 when none. */
    static long parseUnsigned(String s) {
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        if (i == 0) return 0;
        try {
            return Long.parseUnsignedLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            return -1L; // ULLONG_MAX, as strtoull on overflow
        }
    }

    /** Orders the writes of saves whose snapshots were taken in one order and written in another. */
    private final Object writeLock = new Object();
    /** The number of the last snapshot taken (under the state's monitor). */
    private long snapshots;
    /** The number of the snapshot the file holds (under writeLock). */
    private long written;

    /**
     * Redis's clusterSaveConfig: the node table without handshake nodes, then the vars line. The
     * tables are read under the state's monitor and the file is written after it, so callers
     * should not hold the monitor (an fsync would stall everyone who needs the tables). Of two
     * saves racing, the file ends with the later snapshot: an older one arriving late is not
     * written over it (only fsynced, when asked).
     */
    public void save(ClusterState cs, boolean fsync) throws IOException {
        String content;
        long snapshot;
        synchronized (cs) {
            content = NodesDescription.describe(cs, ClusterNode.HANDSHAKE, false)
                    + "vars currentEpoch " + Long.toUnsignedString(cs.currentEpoch)
                    + " lastVoteEpoch " + Long.toUnsignedString(cs.lastVoteEpoch) + "\n";
            snapshot = ++snapshots;
        }
        byte[] b = content.getBytes(StandardCharsets.ISO_8859_1);
        synchronized (writeLock) {
            if (snapshot < written) {
                if (fsync) {
                    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                        ch.force(false);
                    }
                }
                return;
            }
            write(b, fsync);
            written = snapshot;
        }
    }

    private void write(byte[] b, boolean fsync) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long old = ch.size();
            ByteBuffer buf;
            if (old > b.length) {
                // pad to the old length: the file never holds a prefix of the new content followed
                // by the tail of the old one
                byte[] padded = java.util.Arrays.copyOf(b, (int) old);
                java.util.Arrays.fill(padded, b.length, padded.length, (byte) '\n');
                buf = ByteBuffer.wrap(padded);
            } else {
                buf = ByteBuffer.wrap(b);
            }
            while (buf.hasRemaining()) ch.write(buf, buf.position());
            // fdatasync, as Redis's redis_fsync on Linux: the file's data and size, not its mtime
            if (fsync) ch.force(false);
            if (old > b.length) ch.truncate(b.length);
        }
    }
}
