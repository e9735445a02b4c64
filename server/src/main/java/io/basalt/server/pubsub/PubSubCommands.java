package io.basalt.server.pubsub;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandTable;

import java.util.ArrayList;
import java.util.List;

/**
 * Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH SSUBSCRIBE SUNSUBSCRIBE
 * SPUBLISH and PUBSUB CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS/SHARDNUMSUB/HELP; and MONITOR, which
 * shares their delivery of pushed lines (see {@link io.basalt.server.pubsub.PubSub} and
 * {@link io.basalt.server.pubsub.Monitor}). The (un)subscribe commands reply one confirmation per name,
 * as pushes ({@code >} in RESP3) that CLIENT REPLY OFF does not suppress.
 */
public final class PubSubCommands {
    private PubSubCommands() {}

    public static void register(CommandTable t, PubSub pubSub, Monitor monitor) {
        t.register("subscribe", (c, a) -> pubSub.subscribe(c, PubSub.CHANNEL, names(a)));
        t.register("psubscribe", (c, a) -> pubSub.subscribe(c, PubSub.PATTERN, names(a)));
        t.register("ssubscribe", (c, a) -> {
            // inside EXEC (a client that may not block): SUBSCRIBE and PSUBSCRIBE are let through
            // for backward compatibility, SSUBSCRIBE is not
            if (c.denyBlocking()) {
                c.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
                return;
            }
            pubSub.subscribe(c, PubSub.SHARD, names(a));
        });
        t.register("unsubscribe", (c, a) -> pubSub.unsubscribe(c, PubSub.CHANNEL, names(a)));
        t.register("punsubscribe", (c, a) -> pubSub.unsubscribe(c, PubSub.PATTERN, names(a)));
        t.register("sunsubscribe", (c, a) -> pubSub.unsubscribe(c, PubSub.SHARD, names(a)));
        t.register("publish", (c, a) -> publish(pubSub, c, a));
        t.register("spublish", (c, a) -> spublish(pubSub, c, a));
        t.register("pubsub|channels", (c, a) -> channels(pubSub, c, a, false));
        t.register("pubsub|shardchannels", (c, a) -> channels(pubSub, c, a, true));
        t.register("pubsub|numsub", (c, a) -> numsub(pubSub, c, a, false));
        t.register("pubsub|shardnumsub", (c, a) -> numsub(pubSub, c, a, true));
        t.register("pubsub|numpat", (c, a) -> c.out().integer(pubSub.numpat()));
        t.register("pubsub|help", PubSubCommands::help);
        t.register("monitor", (c, a) -> monitor(monitor, c, a));
    }

    private static List<byte[]> names(RespRequest a) {
        List<byte[]> names = new ArrayList<>(a.argc() - 1);
        for (int i = 1; i < a.argc(); i++) names.add(a.bytes(i));
        return names;
    }

    /** PUBLISH: outside cluster mode also sent to the replicas (not the AOF), as Redis. */
    static void publish(PubSub pubSub, Client c, RespRequest a) {
        long receivers = pubSub.publishAndPropagate(a.bytes(1), a.bytes(2), false);
        if (!pubSub.clustered()) c.forceReplication();
        c.out().integer(receivers);
    }

    static void spublish(PubSub pubSub, Client c, RespRequest a) {
        long receivers = pubSub.publishAndPropagate(a.bytes(1), a.bytes(2), true);
        if (!pubSub.clustered()) c.forceReplication();
        c.out().integer(receivers);
    }

    /** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: more than one pattern is a subcommand syntax error. */
    static void channels(PubSub pubSub, Client c, RespRequest a, boolean shard) {
        if (a.argc() > 3) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        List<byte[]> names = pubSub.channels(shard, a.argc() == 3 ? a.bytes(2) : null);
        c.out().array(names.size());
        for (byte[] n : names) c.out().bulk(n);
    }

    /** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: channel, count pairs (a flat array, in RESP3 too). */
    static void numsub(PubSub pubSub, Client c, RespRequest a, boolean shard) {
        c.out().array((a.argc() - 2) * 2);
        for (int i = 2; i < a.argc(); i++) {
            c.out().bulk(a.buffer(), a.offset(i), a.length(i));
            c.out().integer(pubSub.numsub(shard, a.bytes(i)));
        }
    }

    static void help(Client c, RespRequest a) {
        CommandHelp.reply(c, "PUBSUB",
                "CHANNELS [<pattern>]",
                "    Return the currently active channels matching a <pattern> (default: '*').",
                "NUMPAT",
                "    Return number of subscriptions to patterns.",
                "NUMSUB [<channel> ...]",
                "    Return the number of subscribers for the specified channels, excluding",
                "    pattern subscriptions(default: no channels).",
                "SHARDCHANNELS [<pattern>]",
                "    Return the currently active shard level channels matching a <pattern> (default: '*').",
                "SHARDNUMSUB [<shardchannel> ...]",
                "    Return the number of subscribers for the specified shard level channel(s)");
    }

    /**
     * MONITOR: from now on this connection receives a line per command executed by any client.
     * A connection that already monitors gets no reply at all, as in Redis.
     */
    static void monitor(Monitor monitor, Client c, RespRequest a) {
        if (c.denyBlocking()) {
            c.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
            return;
        }
        if (c.monitor()) return;
        monitor.add(c);
        c.out().ok();
    }
}
