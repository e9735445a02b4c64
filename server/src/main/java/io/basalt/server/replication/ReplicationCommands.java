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

    public static void register(CommandTable t, ReplicationSource source, MasterLink link, Failover failover) {
        t.register("failover", failover::command);
        t.register("replconf", (c, a) -> replconf(source, link, c, a));
        t.register("psync", (c, a) -> psync(source, link, c, a));
        t.register("sync", (c, a) -> sync(source, link, c, a));
        t.register("role", (c, a) -> {
            if (link.isReplica()) link.role(c.out());
            else source.role(c.out());
        });
        t.register("wait", (c, a) -> wait(source, link, c, a));
        t.register("replicaof", (c, a) -> replicaof(source, link, c, a));
        t.register("slaveof", (c, a) -> replicaof(source, link, c, a));
    }

    /**
     * WAIT numreplicas timeout (Redis's waitCommand): the number of replicas that acknowledged
     * this client's last write, at once when enough have (or inside MULTI), else once enough
     * have or the timeout (milliseconds, 0 for none) passes.
     */
    static void wait(ReplicationSource source, MasterLink link, Client c, RespRequest a) {
        if (link.isReplica()) {
            c.error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica "
                    + "is configured to be writable (which is not the default) writes to replicas are just local and "
                    + "are not propagated.");
            return;
        }
        Long replicas = Generic.longArg(c, a, 1);
        if (replicas == null) return;
        Long timeout = Generic.millisTimeoutArg(c, a, 2);
        if (timeout == null) return;
        long target = source.offsetOfUnit(c.lastWriteSeq());
        int acked = source.ackedAtLeast(target);
        if (acked >= replicas || c.denyBlocking()) {
            c.out().integer(acked);
            return;
        }
        source.await(c, target, replicas, timeout);
    }

    /**
     * REPLICAOF host port | NO ONE (Redis's replicaofCommand): becomes a replica of that master,
     * or a master again keeping the data and, as a second replication id, the history.
     */
    static void replicaof(ReplicationSource source, MasterLink link, Client c, RespRequest a) {
        if (link.failingOver()) {
            c.error("ERR REPLICAOF not allowed while failing over.");
            return;
        }
        if (a.is(1, "no") && a.is(2, "one")) {
            if (link.isReplica()) {
                link.noOne();
                io.basalt.server.util.Log.notice("MASTER MODE enabled (user request from '" + c.address() + "')");
            }
            c.out().ok();
            return;
        }
        if (source.isReplica(c)) {
            // it would have to drop every replica, this client included
            c.error("ERR Command is not valid when client is a replica.");
            return;
        }
        long port;
        try {
            port = Generic.parseLong(a, 2);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            c.error("ERR Invalid master port");
            return;
        }
        String host = a.string(1);
        if (link.isReplicaOf(host, (int) port)) {
            io.basalt.server.util.Log.notice("REPLICAOF would result into synchronization with the master we are already "
                    + "connected with. No operation performed.");
            c.out().simple("OK Already connected to specified master");
            return;
        }
        link.replicaOf(host, (int) port);
        io.basalt.server.util.Log.notice("REPLICAOF " + host + ":" + port + " enabled (user request from '" + c.address() + "')");
        c.out().ok();
    }

    /** Redis's replconfCommand: option/value pairs, +OK; ACK from a replica gets no reply. */
    static void replconf(ReplicationSource source, MasterLink link, Client c, RespRequest a) {
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
                case "rdb-filter-only" -> {
                    // include filters for the image: none (an image without keys) or "functions"
                    String v = a.string(j + 1);
                    if ((v.chars().filter(ch -> ch == '"').count() & 1) == 1) {
                        c.error("ERR Missing rdb-filter-only values");
                        return;
                    }
                    for (String f : v.trim().split("\\s+")) {
                        String w = f.replace("\"", "");
                        if (!f.isEmpty() && !w.equalsIgnoreCase("functions")) {
                            c.error("ERR Unsupported rdb-filter-only option: " + w);
                            return;
                        }
                    }
                    source.handshake(c, opt, v);
                }
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
                    // from this replica's master: acknowledge now (no reply otherwise)
                    link.getAck(c);
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
    static void psync(ReplicationSource source, MasterLink link, Client c, RespRequest a) {
        if (source.isReplica(c)) return; // already a replica: ignored
        if (a.argc() > 3 && a.is(3, "failover")) {
            // our master hands over (FAILOVER): take over if it speaks of our history
            io.basalt.server.util.Log.warning("Failover request received for replid " + a.string(1) + ".");
            if (!link.isReplica()) {
                c.error("ERR PSYNC FAILOVER can't be sent to a master.");
                return;
            }
            if (!a.string(1).equalsIgnoreCase(source.replId())) {
                c.error("ERR PSYNC FAILOVER replid must match my replid.");
                return;
            }
            link.noOne();
            io.basalt.server.util.Log.notice("MASTER MODE enabled (failover request from '" + c.address() + "')");
        }
        if (!canServeSync(link, c)) return;
        Long off = Generic.longArg(c, a, 2);
        if (off == null) return;
        becomeReplica(c);
        source.psync(c, a.string(1), off, false);
    }

    /** SYNC: the pre-PSYNC full sync ($len and the image, no +FULLRESYNC). */
    static void sync(ReplicationSource source, MasterLink link, Client c, RespRequest a) {
        if (source.isReplica(c)) return;
        if (!canServeSync(link, c)) return;
        becomeReplica(c);
        source.psync(c, null, -1, true);
    }

    /** A replica serves syncs only while in sync with its own master (Redis's syncCommand). */
    private static boolean canServeSync(MasterLink link, Client c) {
        if (link.failingOver()) {
            c.error("NOMASTERLINK Can't SYNC while failing over");
            return false;
        }
        if (link.isReplica() && !link.connected()) {
            c.error("NOMASTERLINK Can't SYNC while not connected with my master");
            return false;
        }
        if (link.source().filteredWithoutEof(c)) {
            c.error("ERR Filtered replica requires EOF capability");
            return false;
        }
        return true;
    }


    /**
     * A replica link gets nothing but the stream (Redis's prepareClientToWrite refuses
     * CLIENT_SLAVE clients): its replies are off from here on.
     */
    private static void becomeReplica(Client c) {
        c.markReplica();
        c.replyMode(Client.ReplyMode.OFF);
    }
}
