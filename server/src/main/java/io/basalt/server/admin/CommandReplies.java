package io.basalt.server.admin;

import io.basalt.resp.RespValue;
import io.basalt.resp.RespWriter;
import io.basalt.server.command.CommandSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes Redis's own command metadata (decoded {@link RespValue}s captured from a real Redis in
 * RESP3) to a client: as the original bytes to RESP3 clients, converted to Redis's RESP2
 * encodings otherwise (map to flat array, set to array, ...). Container commands are cut down
 * to the subcommands Basalt implements, so COMMAND never advertises what Basalt would refuse.
 */
final class CommandReplies {
    private CommandReplies() {}

    /** Writes {@code v} in the client's protocol. */
    static void emit(RespWriter w, RespValue v) {
        if (w.resp3()) {
            w.raw(v.raw());
            return;
        }
        switch (v.type()) {
            case '%' -> {
                w.map(v.size() / 2);
                for (RespValue e : v.elements()) emit(w, e);
            }
            case '~' -> {
                w.set(v.size());
                for (RespValue e : v.elements()) emit(w, e);
            }
            case '*', '>' -> {
                if (v.elements() == null) {
                    w.nullArray();
                } else {
                    w.array(v.size());
                    for (RespValue e : v.elements()) emit(w, e);
                }
            }
            case '|' -> {
                // attributes have no RESP2 form: Redis drops them
            }
            case '_' -> w.nullBulk();
            case '#' -> w.bool(v.bytes().length == 1 && v.bytes()[0] == 't');
            case ',' -> w.bulk(v.bytes());
            case '(' -> w.bulk(v.bytes());
            case '=' -> w.bulk(v.bytes(), 4, v.bytes().length - 4);
            default -> w.raw(v.raw()); // + - : $ are the same in both protocols
        }
    }

    /** The implemented subcommands of a container, in metadata order. */
    static List<CommandSpec> implementedSubs(CommandSpec spec) {
        List<CommandSpec> out = new ArrayList<>();
        for (CommandSpec s : spec.subcommands().values()) if (s.handler() != null) out.add(s);
        return out;
    }

    /** The command's COMMAND INFO entry, its subcommand list cut to what Basalt implements. */
    static void info(RespWriter w, CommandSpec spec) {
        RespValue info = spec.info;
        if (!spec.isContainer()) {
            emit(w, info);
            return;
        }
        List<CommandSpec> subs = implementedSubs(spec);
        if (subs.size() == spec.subcommands().size()) {
            emit(w, info);
            return;
        }
        w.array(info.size());
        for (int i = 0; i < info.size(); i++) {
            if (i == 9) {
                w.array(subs.size());
                for (CommandSpec s : subs) emit(w, s.info);
            } else {
                emit(w, info.get(i));
            }
        }
    }

    /** The command's COMMAND DOCS value (a map), its "subcommands" cut to what Basalt implements. */
    static void docs(RespWriter w, CommandSpec spec) {
        RespValue docs = spec.docs();
        if (docs == null) {
            w.map(0);
            return;
        }
        List<CommandSpec> subs = spec.isContainer() ? implementedSubs(spec) : null;
        if (subs == null || subs.size() == spec.subcommands().size()) {
            emit(w, docs);
            return;
        }
        w.map(docs.size() / 2);
        for (int i = 0; i + 1 < docs.size(); i += 2) {
            RespValue key = docs.get(i);
            emit(w, key);
            if ("subcommands".equals(key.string())) {
                w.map(subs.size());
                for (CommandSpec s : subs) {
                    w.bulk(s.name.getBytes(StandardCharsets.US_ASCII));
                    docs(w, s);
                }
            } else {
                emit(w, docs.get(i + 1));
            }
        }
    }
}
