package io.basalt.server.replication;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.commands.Generic;
import io.basalt.server.command.CommandTable;

/**
 * The master side of replication as a replica (redis-server or Basalt) drives it: REPLCONF during
 * the handshake and for acknowledgements, PSYNC (and the pre-2.8 SYNC) to start streaming. The
 * work is {@link ReplicationSource}'s.
 */
public final class ReplicationCommands {
    private ReplicationCommands() {}

    public static void register(CommandTable t, ReplicationSource source) {
        t.register("replconf", (c, a) -> replconf(source, c, a));
        t.register("psync", (c, a) -> psync(source, c, a));
        t.register("sync", (c, a) -> sync(source, c, a));
        t.register("role", (c, a) -> source.role(c.out()));
    }

    /** Redis's replconfCommand: option/value pairs, +OK; ACK from a replica gets no reply. */
    static void replconf(ReplicationSource source, Client c, RespRequest a) {
        if (a.argc() % 2 == 0) {
            c.error(Generic.SYNTAX);
            return;
        }
        for (int j = 1; j < a.argc(); j += 2) {
            String opt = a.string(j).toLowerCase(java.util.Locale.ROOT);
            switch (opt) {
                case "listening-port" -> {
                    Long port = Generic.longArg(c, a, j + 1);
                    if (port == null) return;
                    source.handshake(c, opt, Long.toString(port));
                }
                case "ip-address" -> {
                    // Redis keeps it in a NET_HOST_STR_LEN (256) buffer
                    if (a.length(j + 1) >= 256) {
                        c.error("ERR REPLCONF ip-address provided by replica instance is too long: " + a.length(j + 1) + " bytes");
                        return;
                    }
                    source.handshake(c, opt, a.string(j + 1));
                }
                case "capa" -> source.handshake(c, opt, a.string(j + 1));
                case "ack" -> {
                    // only a replica acknowledges, and never with a reply (Redis returns at once)
                    try {
                        long off = Generic.parseLong(a, j + 1);
                        source.ack(c, off);
                    } catch (NumberFormatException e) {
                        // a malformed ACK is ignored, as Redis's getLongLongFromObject failure
                    }
                    return;
                }
                case "getack" -> {
                    // sent by a master to its replicas; a master ignores it
                    return;
                }
                case "rdb-only" -> {
                    Long v = Generic.longArg(c, a, j + 1);
                    if (v == null) return;
                    if (v != 0 && v != 1) { // getRangeLongFromObjectOrReply's text
                        c.error("ERR value is out of range, value must between 0 and 1");
                        return;
                    }
                }
                default -> {
                    c.error("ERR Unrecognized REPLCONF option: " + a.string(j));
                    return;
                }
            }
        }
        c.out().ok();
    }

    /** PSYNC replid offset: +CONTINUE or +FULLRESYNC, written by the replication source. */
    static void psync(ReplicationSource source, Client c, RespRequest a) {
        if (source.isReplica(c)) return; // already a replica: ignored
        Long off = Generic.longArg(c, a, 2);
        if (off == null) return;
        becomeReplica(c);
        source.psync(c, a.string(1), off, false);
    }

    /** SYNC: the pre-PSYNC full sync ($len and the image, no +FULLRESYNC). */
    static void sync(ReplicationSource source, Client c, RespRequest a) {
        if (source.isReplica(c)) return;
        becomeReplica(c);
        source.psync(c, null, -1, true);
    }

    /**
     * A replica link gets nothing but the stream (Redis's prepareClientToWrite refuses
     * CLIENT_SLAVE clients): its replies are off from here on.
     */
    private static void becomeReplica(Client c) {
        c.replyMode(Client.ReplyMode.OFF);
    }
}
