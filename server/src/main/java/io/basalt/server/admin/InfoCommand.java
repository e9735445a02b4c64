package io.basalt.server.admin;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** INFO [section ...]: Redis 7.0's text, built by {@link InfoSections}. */
public final class InfoCommand {
    private InfoCommand() {}

    public static void register(CommandTable t) {
        t.register("info", InfoCommand::info);
    }

    static void info(Client c, RespRequest a) {
        Set<String> sections = new LinkedHashSet<>();
        for (int i = 1; i < a.argc(); i++) sections.add(a.string(i).toLowerCase(Locale.ROOT));
        String text = InfoSections.generate(c.server(), sections);
        c.out().verbatim("txt", text.getBytes(StandardCharsets.UTF_8));
    }
}
