package io.basalt.server.commands;

import io.basalt.server.BasaltServer;
import io.basalt.server.admin.CommandCommands;
import io.basalt.server.admin.ConfigCommands;
import io.basalt.server.admin.InfoCommand;
import io.basalt.server.admin.LatencyCommands;
import io.basalt.server.admin.ServerCommands;
import io.basalt.server.admin.SlowlogCommands;
import io.basalt.server.net.ClientCommands;
import io.basalt.server.net.ConnectionCommands;
import io.basalt.server.command.CommandTable;
import io.basalt.server.exec.TransactionCommands;
import io.basalt.server.persist.AofCommands;
import io.basalt.server.persist.BackupCommand;
import io.basalt.server.persist.PersistenceCommands;
import io.basalt.server.pubsub.PubSubCommands;
import io.basalt.server.tracking.TrackingCommands;

/** Registers every command family's handlers. One class per family, named after Redis's groups. */
public final class Commands {
    private Commands() {}

    public static void registerAll(BasaltServer server, CommandTable t) {
        ConnectionCommands.register(t);
        ClientCommands.register(t);
        ServerCommands.register(t);
        PersistenceCommands.register(t);
        BackupCommand.register(t);
        ConfigCommands.register(t);
        InfoCommand.register(t);
        CommandCommands.register(t);
        SlowlogCommands.register(t);
        LatencyCommands.register(t);
        KeyCommands.register(t);
        StringCommands.register(t);
        BitCommands.register(t);
        HashCommands.register(t);
        SetCommands.register(t);
        ZSetCommands.register(t);
        ListCommands.register(t);
        BlockingCommands.register(t);
        AofCommands.register(t);
        SortCommand.register(t);
        TransactionCommands.register(t);
        PubSubCommands.register(t);
        TrackingCommands.register(t);
    }
}
