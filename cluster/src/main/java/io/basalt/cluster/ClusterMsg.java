package io.basalt.cluster;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One message of Redis 7.0's cluster bus ({@code clusterMsg} in cluster.h), binary compatible:
 * a 2256-byte header (signature "RCmb", lengths, epochs, the sender's slot bitmap, addresses and
 * flags, all in network byte order) followed by the type's data: gossip entries and ping
 * extensions (PING, PONG, MEET), a node name (FAIL), a channel and message (PUBLISH,
 * PUBLISHSHARD), a node's slot configuration (UPDATE) or nothing (the failover messages).
 * Field offsets are the ones cluster.h pins with static asserts, so Basalt and redis-server nodes
 * read each other's packets.
 */
public final class ClusterMsg {
    public static final int PING = 0;
    public static final int PONG = 1;
    public static final int MEET = 2;
    public static final int FAIL = 3;
    public static final int PUBLISH = 4;
    public static final int FAILOVER_AUTH_REQUEST = 5;
    public static final int FAILOVER_AUTH_ACK = 6;
    public static final int UPDATE = 7;
    public static final int MFSTART = 8;
    public static final int MODULE = 9;
    public static final int PUBLISHSHARD = 10;
    public static final int TYPE_COUNT = 11;

    public static final int FLAG0_PAUSED = 1;
    public static final int FLAG0_FORCEACK = 1 << 1;
    public static final int FLAG0_EXT_DATA = 1 << 2;

    public static final int EXT_HOSTNAME = 0;

    /** sizeof(clusterMsg) - sizeof(union clusterMsgData): the header, and the shortest message. */
    public static final int HEADER_LEN = 2256;
    static final int GOSSIP_LEN = 104;
    static final int NAME_LEN = 40;
    static final int IP_LEN = 46;
    static final int UPDATE_LEN = 8 + NAME_LEN + Slots.BYTES;
    static final int VERSION = 1;

    private static final String[] TYPE_NAMES = {"ping", "pong", "meet", "fail", "publish", "auth-req",
        "auth-ack", "update", "mfstart", "module", "publishshard"};

    public int type;
    public int port;
    public int count;
    public long currentEpoch;
    public long configEpoch;
    public long offset;
    public String sender = "";
    public byte[] myslots = new byte[Slots.BYTES];
    /** The sender's master, "" for a master (all zero bytes on the wire). */
    public String slaveof = "";
    /** The announced IP, "" when the receiver should take it from the socket. */
    public String myip = "";
    public int pport;
    public int cport;
    public int flags;
    public int state;
    public int mflags0;

    /** PING, PONG, MEET: the gossip entries, and the announced hostname extension ("" none). */
    public final List<Gossip> gossip = new ArrayList<>();
    public String hostname = "";
    /** The extensions of unknown types that were skipped (Redis logs each). */
    public int unknownExtensions;
    /** FAIL: the failing node. UPDATE: the node whose slots these are. */
    public String about = "";
    /** UPDATE: the node's config epoch and slots. */
    public long updateConfigEpoch;
    public byte[] updateSlots;
    /** PUBLISH, PUBLISHSHARD. */
    public byte[] channel;
    public byte[] message;

    /** One gossip entry ({@code clusterMsgDataGossip}): what the sender knows of another node. */
    public static final class Gossip {
        public String name;
        public long pingSent;
        public long pongReceived;
        public String ip;
        public int port;
        public int cport;
        public int flags;
        public int pport;
    }

    public static String typeName(int type) {
        return type >= 0 && type < TYPE_NAMES.length ? TYPE_NAMES[type] : "unknown";
    }

    /** Writes the whole message (its length computed from its content). */
    public void encode(ByteBuf out) {
        int start = out.writerIndex();
        byte[] host = hostname.getBytes(StandardCharsets.ISO_8859_1);
        int hostExt = host.length == 0 ? 0 : 8 + align8(host.length + 1);
        boolean ping = type == PING || type == PONG || type == MEET;
        int totlen = HEADER_LEN;
        int flags0 = mflags0;
        if (ping) {
            totlen += GOSSIP_LEN * gossip.size() + hostExt;
            if (hostExt > 0) flags0 |= FLAG0_EXT_DATA;
        } else if (type == FAIL) {
            totlen += NAME_LEN;
        } else if (type == UPDATE) {
            totlen += UPDATE_LEN;
        } else if (type == PUBLISH || type == PUBLISHSHARD) {
            totlen += 8 + channel.length + message.length;
        }
        out.writeBytes(new byte[] {'R', 'C', 'm', 'b'});
        out.writeInt(totlen);
        out.writeShort(VERSION);
        out.writeShort(port);
        out.writeShort(type);
        out.writeShort(ping ? gossip.size() : count);
        out.writeLong(currentEpoch);
        out.writeLong(configEpoch);
        out.writeLong(offset);
        writeFixed(out, sender, NAME_LEN);
        out.writeBytes(myslots, 0, Slots.BYTES);
        writeFixed(out, slaveof, NAME_LEN);
        writeFixed(out, myip, IP_LEN);
        out.writeShort(ping && hostExt > 0 ? 1 : 0);
        out.writeZero(30);
        out.writeShort(pport);
        out.writeShort(cport);
        out.writeShort(flags);
        out.writeByte(state);
        out.writeByte(flags0);
        out.writeZero(2);
        if (ping) {
            for (Gossip g : gossip) {
                writeFixed(out, g.name, NAME_LEN);
                out.writeInt((int) g.pingSent);
                out.writeInt((int) g.pongReceived);
                writeFixed(out, g.ip, IP_LEN);
                out.writeShort(g.port);
                out.writeShort(g.cport);
                out.writeShort(g.flags);
                out.writeShort(g.pport);
                out.writeShort(0);
            }
            if (hostExt > 0) {
                out.writeInt(hostExt);
                out.writeShort(EXT_HOSTNAME);
                out.writeShort(0);
                out.writeBytes(host);
                out.writeZero(hostExt - 8 - host.length);
            }
        } else if (type == FAIL) {
            writeFixed(out, about, NAME_LEN);
        } else if (type == UPDATE) {
            out.writeLong(updateConfigEpoch);
            writeFixed(out, about, NAME_LEN);
            out.writeBytes(updateSlots, 0, Slots.BYTES);
        } else if (type == PUBLISH || type == PUBLISHSHARD) {
            out.writeInt(channel.length);
            out.writeInt(message.length);
            out.writeBytes(channel);
            out.writeBytes(message);
        }
        assert out.writerIndex() - start == totlen;
    }

    /**
     * Reads one whole message of {@code totlen} bytes at the reader index (the caller framed it),
     * with clusterProcessPacket's length checks: null for a packet Redis would drop (another
     * protocol version, a length that does not match its type, bad extension padding).
     */
    public static ClusterMsg decode(ByteBuf in, int totlen) {
        int base = in.readerIndex();
        if (totlen < 16 || in.readableBytes() < totlen) return null;
        if (in.getUnsignedShort(base + 8) != VERSION) return null;
        ClusterMsg m = new ClusterMsg();
        m.type = in.getUnsignedShort(base + 12);
        int count = in.getUnsignedShort(base + 14);
        int extensions = totlen >= HEADER_LEN ? in.getUnsignedShort(base + 2214) : 0;
        int mflags0 = totlen >= HEADER_LEN ? in.getUnsignedByte(base + 2253) : 0;
        long explen;
        switch (m.type) {
            case PING: case PONG: case MEET: {
                explen = HEADER_LEN + (long) GOSSIP_LEN * count;
                if ((mflags0 & FLAG0_EXT_DATA) != 0) {
                    for (int i = 0; i < extensions; i++) {
                        if (explen + 8 > totlen) return null;
                        long extlen = in.getUnsignedInt(base + (int) explen);
                        if (extlen % 8 != 0 || extlen == 0) return null;
                        if (totlen - explen < extlen) return null;
                        explen += extlen;
                    }
                }
                break;
            }
            case FAIL: explen = HEADER_LEN + NAME_LEN; break;
            case PUBLISH: case PUBLISHSHARD:
                if (totlen < HEADER_LEN + 8) return null;
                explen = HEADER_LEN + 8 + in.getUnsignedInt(base + HEADER_LEN) + in.getUnsignedInt(base + HEADER_LEN + 4);
                break;
            case FAILOVER_AUTH_REQUEST: case FAILOVER_AUTH_ACK: case MFSTART: explen = HEADER_LEN; break;
            case UPDATE: explen = HEADER_LEN + UPDATE_LEN; break;
            case MODULE:
                if (totlen < HEADER_LEN + 13) return null;
                explen = HEADER_LEN + 13 + in.getUnsignedInt(base + HEADER_LEN + 8);
                break;
            default: explen = totlen; // unknown types are assumed well formed, and ignored
        }
        if (explen != totlen || totlen < HEADER_LEN) return null;
        m.port = in.getUnsignedShort(base + 10);
        m.count = count;
        m.currentEpoch = in.getLong(base + 16);
        m.configEpoch = in.getLong(base + 24);
        m.offset = in.getLong(base + 32);
        m.sender = readFixed(in, base + 40, NAME_LEN);
        in.getBytes(base + 80, m.myslots);
        m.slaveof = readFixed(in, base + 2128, NAME_LEN);
        m.myip = readFixed(in, base + 2168, IP_LEN);
        m.pport = in.getUnsignedShort(base + 2246);
        m.cport = in.getUnsignedShort(base + 2248);
        m.flags = in.getUnsignedShort(base + 2250);
        m.state = in.getUnsignedByte(base + 2252);
        m.mflags0 = mflags0;
        int p = base + HEADER_LEN;
        switch (m.type) {
            case PING: case PONG: case MEET:
                for (int i = 0; i < count; i++, p += GOSSIP_LEN) {
                    Gossip g = new Gossip();
                    g.name = readFixed(in, p, NAME_LEN);
                    g.pingSent = in.getUnsignedInt(p + 40);
                    g.pongReceived = in.getUnsignedInt(p + 44);
                    g.ip = readFixed(in, p + 48, IP_LEN);
                    g.port = in.getUnsignedShort(p + 94);
                    g.cport = in.getUnsignedShort(p + 96);
                    g.flags = in.getUnsignedShort(p + 98);
                    g.pport = in.getUnsignedShort(p + 100);
                    m.gossip.add(g);
                }
                if ((mflags0 & FLAG0_EXT_DATA) != 0) {
                    for (int i = 0; i < extensions; i++) {
                        int extlen = (int) in.getUnsignedInt(p);
                        int extType = in.getUnsignedShort(p + 4);
                        if (extType == EXT_HOSTNAME) m.hostname = readFixed(in, p + 8, extlen - 8);
                        else m.unknownExtensions++;
                        p += extlen;
                    }
                }
                break;
            case FAIL:
                m.about = readFixed(in, p, NAME_LEN);
                break;
            case UPDATE:
                m.updateConfigEpoch = in.getLong(p);
                m.about = readFixed(in, p + 8, NAME_LEN);
                m.updateSlots = new byte[Slots.BYTES];
                in.getBytes(p + 48, m.updateSlots);
                break;
            case PUBLISH: case PUBLISHSHARD: {
                int cl = (int) in.getUnsignedInt(p);
                int ml = (int) in.getUnsignedInt(p + 4);
                m.channel = new byte[cl];
                m.message = new byte[ml];
                in.getBytes(p + 8, m.channel);
                in.getBytes(p + 8 + cl, m.message);
                break;
            }
            default:
        }
        return m;
    }

    static int align8(int n) { return (n + 7) / 8 * 8; }

    /** A NUL-padded fixed-width field (node names are exactly 40 bytes, no NUL). */
    private static void writeFixed(ByteBuf out, String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        int n = Math.min(b.length, width);
        out.writeBytes(b, 0, n);
        out.writeZero(width - n);
    }

    /** A fixed-width field up to its first NUL (C string semantics). */
    private static String readFixed(ByteBuf in, int at, int width) {
        int n = 0;
        while (n < width && in.getByte(at + n) != 0) n++;
        byte[] b = new byte[n];
        in.getBytes(at, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
