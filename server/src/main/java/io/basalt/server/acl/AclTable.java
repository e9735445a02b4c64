package io.basalt.server.acl;

import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;

import java.util.ArrayList;
import java.util.List;

/**
 * The command table as ACLs see it (Redis's server.orig_commands): every Redis 7.0 command and
 * subcommand, implemented or not, by its ACL id. Basalt's own extension commands are treated as
 * Redis treats module commands: +@category never grants them (only +@all or their name does).
 */
final class AclTable {
    final CommandTable table;
    /** Every top-level command, extensions included (single-command rules, in table order). */
    final List<CommandSpec> all = new ArrayList<>();
    /** The top-level commands categories apply to: Redis's, not the extensions. */
    final List<CommandSpec> commands = new ArrayList<>();
    final int ids;
    /** Per ACL id: what a command does with channels (Redis's commands_with_channels), see {@link Acl}. */
    final int[] channelKind;
    /** SET's id: its key is read too only with GET (checked without finding keys per spec). */
    final int setId;

    AclTable(CommandTable table) {
        this.table = table;
        for (CommandSpec c : table.allCommands()) {
            all.add(c);
            if (!table.isExtension(c.name)) commands.add(c);
        }
        this.ids = table.aclIdCount();
        this.channelKind = new int[ids];
        channel("subscribe", Acl.CH_SUBSCRIBE);
        channel("ssubscribe", Acl.CH_SUBSCRIBE);
        channel("psubscribe", Acl.CH_SUBSCRIBE | Acl.CH_PATTERN);
        channel("publish", Acl.CH_PUBLISH);
        channel("spublish", Acl.CH_PUBLISH);
        setId = table.metadata("set").aclId;
    }

    private void channel(String name, int kind) {
        CommandSpec c = table.metadata(name);
        if (c != null) channelKind[c.aclId] = kind;
    }

    long categories(CommandSpec c) {
        CommandSpec top = c.parent == null ? c : c.parent;
        return table.isExtension(top.name) ? 0 : c.aclCategories;
    }

    CommandSpec lookup(String name) { return table.aclLookup(name); }
}
