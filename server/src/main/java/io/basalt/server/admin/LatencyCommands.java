package io.basalt.server.admin;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.stats.LatencyHistogram;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** LATENCY LATEST|HISTORY|RESET|HISTOGRAM|DOCTOR|GRAPH|HELP. */
public final class LatencyCommands {
    private LatencyCommands() {}

    public static void register(CommandTable t) {
        t.register("latency|latest", LatencyCommands::latest);
        t.register("latency|history", LatencyCommands::history);
        t.register("latency|reset", LatencyCommands::reset);
        t.register("latency|histogram", LatencyCommands::histogram);
        t.register("latency|doctor", LatencyCommands::doctor);
        t.register("latency|graph", LatencyCommands::graph);
        t.register("latency|help", LatencyCommands::help);
    }

    static void latest(Client c, RespRequest a) {
        Map<String, Monitoring.LatencyEvent> events = c.server().monitoring().latencyEvents();
        c.out().array(events.size());
        for (Map.Entry<String, Monitoring.LatencyEvent> e : events.entrySet()) {
            long[] last = e.getValue().latest();
            c.out().array(4);
            c.out().bulk(e.getKey());
            c.out().integer(last[0]);
            c.out().integer(last[1]);
            c.out().integer(e.getValue().max);
        }
    }

    static void history(Client c, RespRequest a) {
        Monitoring.LatencyEvent e = c.server().monitoring().latencyEvents().get(a.string(2));
        if (e == null) {
            c.out().array(0);
            return;
        }
        List<long[]> samples = e.samples();
        c.out().array(samples.size());
        for (long[] s : samples) {
            c.out().array(2);
            c.out().integer(s[0]);
            c.out().integer(s[1]);
        }
    }

    static void reset(Client c, RespRequest a) {
        List<String> names = new ArrayList<>();
        for (int i = 2; i < a.argc(); i++) names.add(a.string(i));
        c.out().integer(c.server().monitoring().latencyReset(names));
    }

    /** LATENCY HISTOGRAM [command ...]: per command, its calls and cumulative usec buckets. */
    static void histogram(Client c, RespRequest a) {
        Monitoring m = c.server().monitoring();
        List<CommandSpec> specs = new ArrayList<>();
        if (a.argc() == 2) {
            for (CommandSpec s : c.server().commands().allSpecs()) {
                if (m.histogram(s) != null) specs.add(s);
            }
        } else {
            for (int i = 2; i < a.argc(); i++) {
                CommandSpec s = c.server().commands().get(a.string(i).toLowerCase(Locale.ROOT));
                if (s == null) continue;
                if (s.isContainer()) {
                    for (CommandSpec sub : s.subcommands().values()) {
                        if (m.histogram(sub) != null && !specs.contains(sub)) specs.add(sub);
                    }
                } else if (m.histogram(s) != null && !specs.contains(s)) {
                    specs.add(s);
                }
            }
        }
        c.out().map(specs.size());
        for (CommandSpec s : specs) {
            LatencyHistogram h = m.histogram(s);
            c.out().bulk(s.name);
            c.out().map(2);
            c.out().bulk("calls");
            c.out().integer(h.count());
            c.out().bulk("histogram_usec");
            long[][] buckets = h.cumulativeBuckets();
            c.out().map(buckets.length);
            for (long[] b : buckets) {
                c.out().integer(b[0]);
                c.out().integer(b[1]);
            }
        }
    }

    static void doctor(Client c, RespRequest a) {
        c.out().verbatim("txt", LatencyReport.doctor(c.server().monitoring()).getBytes(StandardCharsets.UTF_8));
    }

    static void graph(Client c, RespRequest a) {
        String event = a.string(2);
        Monitoring.LatencyEvent e = c.server().monitoring().latencyEvents().get(event);
        if (e == null) {
            c.error("ERR No samples available for event '" + event + "'");
            return;
        }
        c.out().verbatim("txt", LatencyReport.graph(event, e).getBytes(StandardCharsets.UTF_8));
    }

    static void help(Client c, RespRequest a) {
        CommandHelp.reply(c, "LATENCY",
                "DOCTOR",
                "    Return a human readable latency analysis report.",
                "GRAPH <event>",
                "    Return an ASCII latency graph for the <event> class.",
                "HISTORY <event>",
                "    Return time-latency samples for the <event> class.",
                "LATEST",
                "    Return the latest latency samples for all events.",
                "RESET [<event> ...]",
                "    Reset latency data of one or more <event> classes.",
                "    (default: reset all data for all event classes)",
                "HISTOGRAM [COMMAND ...]",
                "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
                "    If no commands are specified then all histograms are replied.");
    }
}
