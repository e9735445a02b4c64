package io.basalt.server.cli;

import io.basalt.cluster.Slots;
import io.basalt.cluster.placement.Planner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code basalt cluster plan|rebalance}: balanced placement for a Redis Cluster (of redis-server
 * or Basalt nodes, which speak the same protocol). It reads the slot table from the seed's
 * CLUSTER NODES, asks {@link Planner} for the fewest slot moves that leave every master within
 * one slot of its weighted share, prints them, and with {@code rebalance} runs them.
 *
 * <p>Why not {@code redis-cli --cluster rebalance}: it stops at a 2% threshold, leaves empty
 * masters out unless told, and picks slots by position, so two runs from the same table need
 * not move the same slots. The plan here is exact (±1 slot), minimal, and reproducible.
 *
 * <p>A move is run exactly as redis-cli's {@code clusterManagerMoveSlot} runs one, so the nodes
 * see nothing new: {@code CLUSTER SETSLOT s IMPORTING src} on the target, {@code SETSLOT s
 * MIGRATING dst} on the source, then {@code GETKEYSINSLOT s n} and {@code MIGRATE host port "" 0
 * timeout KEYS ...} until the slot is empty (on BUSYKEY: REPLACE when the values are equal, by
 * {@code DEBUG DIGEST-VALUE}, or with --replace), then {@code SETSLOT s NODE dst} on the target
 * first (#7116: a target that crashed before learning it owns the slot would leave it ownerless),
 * then the source (which may have turned replica after giving its last slot away, #9223), then
 * every other master (so none redirects to the old owner while gossip catches up). A slot no
 * master serves is claimed as {@code redis-cli --cluster fix} covers one: {@code MULTI; CLUSTER
 * ADDSLOTS s; CLUSTER SETSLOT s STABLE; CLUSTER BUMPEPOCH; EXEC}.
 */
final class ClusterAdmin {
    private ClusterAdmin() {}

    static final String USAGE = String.join("\n",
            "  basalt cluster plan|rebalance [-h host] [-p port] [-a password] [--user name]",
            "                 [--weight <node-id prefix | host:port>=<w> ...] [--pipeline n] [--timeout ms]",
            "                 [--replace] [--yes]",
            "      Reads the slot table from the node at host:port (CLUSTER NODES), plans the fewest",
            "      slot moves that leave every master within one slot of 16384*w/sum(w) (weight 1 unless",
            "      given; 0 drains a master; masters without slots are filled) and prints the plan;",
            "      the same table and weights always give the same plan. 'rebalance' then runs it as",
            "      redis-cli --cluster rebalance moves a slot (asking first unless --yes), migrating",
            "      n keys per MIGRATE (default 10).");

    /** The default keys per MIGRATE and MIGRATE timeout, redis-cli's. */
    static final int PIPELINE = 10;
    static final int TIMEOUT_MS = 60_000;

    /** One master of the cluster, as CLUSTER NODES shows it. */
    record Master(String id, String host, int port, boolean failed) {
        String address() { return host + ":" + port; }
    }

    /** The cluster as the seed sees it: masters (by id) and the slot table. */
    record Topology(Map<String, Master> masters, String[] owners) {}

    static int run(List<String> a, InputStream in, PrintStream out, PrintStream err) throws BasaltCli.UsageException {
        if (a.isEmpty() || !(a.get(0).equals("plan") || a.get(0).equals("rebalance"))) {
            throw new BasaltCli.UsageException("plan or rebalance?");
        }
        boolean execute = a.get(0).equals("rebalance");
        String host = "127.0.0.1";
        int port = 6379;
        String password = null;
        String user = null;
        int pipeline = PIPELINE;
        int timeout = TIMEOUT_MS;
        boolean replace = false;
        boolean yes = false;
        Map<String, String> weightArgs = new LinkedHashMap<>();
        for (int i = 1; i < a.size(); i++) {
            String s = a.get(i);
            switch (s) {
                case "-h", "--host" -> host = BasaltCli.value(a, i++, s);
                case "-p", "--port" -> port = number(BasaltCli.value(a, i++, s), s);
                case "-a", "--pass", "--password" -> password = BasaltCli.value(a, i++, s);
                case "--user" -> user = BasaltCli.value(a, i++, s);
                case "--pipeline" -> pipeline = number(BasaltCli.value(a, i++, s), s);
                case "--timeout" -> timeout = number(BasaltCli.value(a, i++, s), s);
                case "--replace" -> replace = true;
                case "--yes" -> yes = true;
                case "--weight" -> {
                    String w = BasaltCli.value(a, i++, s);
                    int eq = w.lastIndexOf('=');
                    if (eq <= 0) throw new BasaltCli.UsageException("--weight takes <node>=<weight>, not " + w);
                    weightArgs.put(w.substring(0, eq), w.substring(eq + 1));
                }
                default -> throw new BasaltCli.UsageException("unknown option " + s);
            }
        }
        if (pipeline < 1) throw new BasaltCli.UsageException("--pipeline must be at least 1");
        if (password == null) password = System.getenv("REDISCLI_AUTH");
        Auth auth = new Auth(user, password);

        Topology topo;
        try (RespClient seed = open(host, port, auth, timeout)) {
            topo = topology(seed.call("CLUSTER", "NODES"), host, port);
        } catch (IOException e) {
            err.println("basalt cluster: can't read the cluster from " + host + ":" + port + ": " + e.getMessage());
            return 1;
        }
        Map<String, Double> weights = new TreeMap<>();
        for (Master m : topo.masters().values()) weights.put(m.id(), 1.0);
        for (Map.Entry<String, String> e : weightArgs.entrySet()) {
            Master m = find(topo, e.getKey());
            double w;
            try {
                w = Double.parseDouble(e.getValue());
            } catch (NumberFormatException x) {
                throw new BasaltCli.UsageException("bad weight '" + e.getValue() + "' for " + e.getKey());
            }
            if (!(w >= 0) || Double.isInfinite(w)) throw new BasaltCli.UsageException("bad weight '" + e.getValue() + "'");
            weights.put(m.id(), w);
        }
        for (Master m : topo.masters().values()) {
            if (m.failed() && weights.get(m.id()) > 0) {
                err.println("basalt cluster: master " + m.id() + " (" + m.address() + ") is failing; "
                        + "fail it over or give it weight 0 first");
                return 1;
            }
        }
        Planner.Plan plan;
        try {
            plan = Planner.plan(topo.owners(), weights);
        } catch (IllegalArgumentException e) {
            err.println("basalt cluster: " + e.getMessage());
            return 1;
        }
        print(topo, weights, plan, execute, out);
        if (!execute || plan.moves().isEmpty()) return 0;

        if (!yes) {
            out.print("Do you want to proceed with this plan (type 'yes' to accept)? ");
            out.flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (!"yes".equals(answer == null ? null : answer.trim())) {
                err.println("basalt cluster: not confirmed; nothing moved");
                return 1;
            }
        }
        try {
            return new Rebalance(topo, auth, pipeline, timeout, replace, out, err).run(plan);
        } catch (IOException e) {
            err.println("basalt cluster: " + e.getMessage());
            err.println("basalt cluster: a slot may be left open; 'redis-cli --cluster fix' closes it");
            return 1;
        }
    }

    private static int number(String v, String opt) throws BasaltCli.UsageException {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BasaltCli.UsageException("bad number for " + opt + ": " + v);
        }
    }

    /** A master by host:port or by a unique prefix of its id, as redis-cli's --cluster-weight. */
    static Master find(Topology t, String key) throws BasaltCli.UsageException {
        Master found = null;
        for (Master m : t.masters().values()) {
            if (m.address().equals(key) || m.id().startsWith(key)) {
                if (found != null) throw new BasaltCli.UsageException("'" + key + "' names more than one master");
                found = m;
            }
        }
        if (found == null) throw new BasaltCli.UsageException("no master '" + key + "' in the cluster");
        return found;
    }

    /**
     * Parses CLUSTER NODES: {@code id ip:port@cport[,hostname] flags master ping pong epoch link
     * slot...}. Masters in handshake or without an address are left out (they are not members
     * yet); a master flagged {@code fail} is kept, marked failed, so its slots stay on the table.
     */
    static Topology topology(Object reply, String seedHost, int seedPort) throws IOException {
        if (reply instanceof RespClient.Err e) throw new IOException(e.message());
        if (!(reply instanceof String text)) throw new IOException("unexpected CLUSTER NODES reply");
        Map<String, Master> masters = new TreeMap<>();
        String[] owners = new String[Slots.COUNT];
        for (String line : text.split("\n")) {
            line = line.trim();
            if (line.isEmpty()) continue;
            String[] f = line.split(" ");
            if (f.length < 8) throw new IOException("bad CLUSTER NODES line: " + line);
            List<String> flags = List.of(f[2].split(","));
            if (!flags.contains("master") || flags.contains("handshake") || flags.contains("noaddr")) continue;
            String addr = f[1];
            int at = addr.indexOf('@');
            String hostPort = at >= 0 ? addr.substring(0, at) : addr;
            int colon = hostPort.lastIndexOf(':');
            String ip = hostPort.substring(0, colon);
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            // a node that never met another does not know its own address yet
            if (ip.isEmpty() && flags.contains("myself")) {
                ip = seedHost;
                port = seedPort;
            }
            Master m = new Master(f[0], ip, port, flags.contains("fail"));
            masters.put(m.id(), m);
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) continue; // an open slot, only on its own node's line
                int dash = f[i].indexOf('-');
                int lo = Integer.parseInt(dash < 0 ? f[i] : f[i].substring(0, dash));
                int hi = dash < 0 ? lo : Integer.parseInt(f[i].substring(dash + 1));
                for (int s = lo; s <= hi; s++) owners[s] = m.id();
            }
        }
        if (masters.isEmpty()) throw new IOException("no masters: is cluster mode on?");
        return new Topology(masters, owners);
    }

    private static void print(Topology t, Map<String, Double> weights, Planner.Plan plan, boolean execute, PrintStream out) {
        out.println(">>> " + t.masters().size() + " masters, " + (Slots.COUNT - plan.unassigned()) + " of " + Slots.COUNT
                + " slots assigned");
        for (Master m : t.masters().values()) {
            int before = plan.before().get(m.id()), target = plan.targets().get(m.id());
            out.printf("    %s %-21s weight %-6s slots %5d -> %5d (%+d)%s%n", m.id(), m.address(), fmt(weights.get(m.id())),
                    before, target, target - before, m.failed() ? " [fail]" : "");
        }
        if (plan.moves().isEmpty()) {
            out.println(">>> Nothing to move: every master is within one slot of its share");
            return;
        }
        out.println(">>> " + plan.moves().size() + " slot moves (the fewest for a balance within one slot)");
        // grouped by source and target, in the order of the masters above; slot ranges compressed
        Map<String, List<Integer>> groups = new TreeMap<>();
        for (Planner.Move mv : plan.moves()) {
            groups.computeIfAbsent((mv.from() == null ? "" : mv.from()) + " " + mv.to(), k -> new ArrayList<>()).add(mv.slot());
        }
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            String[] ft = g.getKey().split(" ", -1);
            String from = ft[0].isEmpty() ? "(unassigned)" : t.masters().get(ft[0]).address();
            out.println("    " + g.getValue().size() + " from " + from + " to " + t.masters().get(ft[1]).address()
                    + (execute ? "" : ": " + ranges(g.getValue())));
        }
    }

    private static String fmt(double w) {
        return w == Math.rint(w) ? Long.toString((long) w) : Double.toString(w);
    }

    /** Sorted slots as "0-5,9,12-13". */
    static String ranges(List<Integer> slots) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < slots.size(); ) {
            int j = i;
            while (j + 1 < slots.size() && slots.get(j + 1) == slots.get(j) + 1) j++;
            if (b.length() > 0) b.append(',');
            b.append(slots.get(i));
            if (j > i) b.append('-').append(slots.get(j));
            i = j + 1;
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- running a plan

    private static final class Rebalance {
        private final Topology topo;
        private final Auth auth;
        private final int pipeline;
        private final int timeout;
        private final boolean replace;
        private final PrintStream out;
        private final PrintStream err;
        private final Map<String, RespClient> conns = new TreeMap<>();

        Rebalance(Topology topo, Auth auth, int pipeline, int timeout, boolean replace, PrintStream out, PrintStream err) {
            this.topo = topo;
            this.auth = auth;
            this.pipeline = pipeline;
            this.timeout = timeout;
            this.replace = replace;
            this.out = out;
            this.err = err;
        }

        int run(Planner.Plan plan) throws IOException {
            try {
                for (Master m : topo.masters().values()) {
                    if (m.failed()) continue;
                    try {
                        conns.put(m.id(), open(m.host(), m.port(), auth, timeout));
                    } catch (IOException e) {
                        throw new IOException("can't connect to " + m.address() + ": " + e.getMessage(), e);
                    }
                }
                if (!agreed()) return 1;
                int done = 0;
                long keys = 0;
                for (Planner.Move mv : plan.moves()) {
                    keys += mv.from() == null ? claim(mv) : move(mv);
                    done++;
                }
                out.println(">>> Done: " + done + " slots moved, " + keys + " keys migrated");
                return 0;
            } finally {
                for (RespClient c : conns.values()) c.close();
            }
        }

        /**
         * What redis-cli checks before it moves anything: every master sees the same slot table,
         * and no slot is open (migrating or importing: shown only on the node's own line).
         */
        private boolean agreed() throws IOException {
            for (Map.Entry<String, RespClient> e : conns.entrySet()) {
                Object reply = e.getValue().call("CLUSTER", "NODES");
                Topology view = topology(reply, topo.masters().get(e.getKey()).host(), topo.masters().get(e.getKey()).port());
                if (!java.util.Arrays.equals(view.owners(), topo.owners())) {
                    err.println("basalt cluster: the nodes don't agree about the slot table (" + topo.masters().get(e.getKey()).address()
                            + " sees another); wait for the cluster to settle, or run redis-cli --cluster check");
                    return false;
                }
                for (String line : ((String) reply).split("\n")) {
                    if (line.contains("myself") && line.contains("[")) {
                        err.println("basalt cluster: " + topo.masters().get(e.getKey()).address()
                                + " has open slots (a migration was interrupted): " + line.substring(line.indexOf('['))
                                + "; close them with redis-cli --cluster fix");
                        return false;
                    }
                }
            }
            return true;
        }

        private Master master(String id) { return topo.masters().get(id); }

        /** One slot, as clusterManagerMoveSlot; returns the keys migrated. */
        private long move(Planner.Move mv) throws IOException {
            Master src = master(mv.from()), dst = master(mv.to());
            RespClient s = conns.get(src.id()), d = conns.get(dst.id());
            if (s == null) throw new IOException("slot " + mv.slot() + " is on " + src.address() + ", which is failing");
            String slot = Integer.toString(mv.slot());
            out.print("Moving slot " + slot + " from " + src.address() + " to " + dst.address() + ": ");
            ok(d.call("CLUSTER", "SETSLOT", slot, "IMPORTING", src.id()), dst, "SETSLOT IMPORTING");
            ok(s.call("CLUSTER", "SETSLOT", slot, "MIGRATING", dst.id()), src, "SETSLOT MIGRATING");
            long moved = 0;
            while (true) {
                Object r = s.call("CLUSTER", "GETKEYSINSLOT", slot, Integer.toString(pipeline));
                ok(r, src, "GETKEYSINSLOT");
                List<?> keys = (List<?>) r;
                if (keys.isEmpty()) break;
                Object m = migrate(s, dst, keys, replace);
                if (m instanceof RespClient.Err e && e.message().contains("BUSYKEY")) {
                    // redis-cli's handling: keys with the same value on both sides are what a
                    // migration cut short after the copy leaves; they are replaced. Other values
                    // need the operator (--replace). MIGRATE moved the batch's other keys already.
                    out.print("target key exists; comparing values... ");
                    List<String> left = busy(s, d, keys, src, dst, slot);
                    out.print("the same; replacing... ");
                    m = left.isEmpty() ? "OK" : migrate(s, dst, left, true);
                }
                ok(m, src, "MIGRATE");
                moved += keys.size();
            }
            out.println(moved + (moved == 1 ? " key" : " keys"));
            ok(d.call("CLUSTER", "SETSLOT", slot, "NODE", dst.id()), dst, "SETSLOT NODE");
            // then the source and every other master. redis-cli tells them one after the other;
            // they are independent (the target already owns the slot) and each one saves and
            // fsyncs nodes.conf before it answers, so they are told at once and their replies
            // read after: the same commands, one save's time instead of one per master
            List<Map.Entry<Master, RespClient>> others = new ArrayList<>();
            others.add(Map.entry(src, s));
            for (Map.Entry<String, RespClient> e : conns.entrySet()) {
                if (e.getKey().equals(src.id()) || e.getKey().equals(dst.id())) continue;
                others.add(Map.entry(master(e.getKey()), e.getValue()));
            }
            for (Map.Entry<Master, RespClient> o : others) o.getValue().send("CLUSTER", "SETSLOT", slot, "NODE", dst.id());
            IOException failed = null;
            for (Map.Entry<Master, RespClient> o : others) {
                try {
                    setNodeReply(o.getValue().receive(), o.getKey());
                } catch (IOException e) {
                    if (failed == null) failed = e; // read every reply first: the connections stay usable
                }
            }
            if (failed != null) throw failed;
            return moved;
        }

        /**
         * The reply to SETSLOT NODE from a node other than the target. A master that gave its
         * last slot away turned replica (of the node that took it) and answers this error; that
         * is not a failure (redis-cli #9223).
         */
        private void setNodeReply(Object r, Master m) throws IOException {
            if (r instanceof RespClient.Err e && e.message().startsWith("ERR Please use SETSLOT only with masters")) return;
            ok(r, m, "SETSLOT NODE");
        }

        private Object migrate(RespClient s, Master dst, List<?> keys, boolean replace) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("MIGRATE", dst.host(), Integer.toString(dst.port()), "", "0",
                    Integer.toString(timeout)));
            if (replace) cmd.add("REPLACE");
            if (auth.password() != null) {
                if (auth.user() == null) cmd.addAll(List.of("AUTH", auth.password()));
                else cmd.addAll(List.of("AUTH2", auth.user(), auth.password()));
            }
            cmd.add("KEYS");
            for (Object k : keys) cmd.add((String) k);
            return s.call(cmd.toArray(new String[0]));
        }

        /**
         * After a BUSYKEY: the batch's keys still on the source (MIGRATE moved the others),
         * checked to have the same value on the target by DEBUG DIGEST-VALUE (a missing key's
         * digest is all zeros). Throws when one differs and --replace was not given.
         */
        private List<String> busy(RespClient s, RespClient d, List<?> keys, Master src, Master dst, String slot) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("DEBUG", "DIGEST-VALUE"));
            for (Object k : keys) cmd.add((String) k);
            Object a = s.call(cmd.toArray(new String[0]));
            ok(a, src, "DEBUG DIGEST-VALUE");
            Object b = d.call(cmd.toArray(new String[0]));
            ok(b, dst, "DEBUG DIGEST-VALUE");
            List<?> onSource = (List<?>) a, onTarget = (List<?>) b;
            List<String> left = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                if (((String) onSource.get(i)).matches("0+")) continue; // migrated
                if (!replace && !onSource.get(i).equals(onTarget.get(i))) {
                    out.println();
                    throw new IOException("slot " + slot + ": key '" + keys.get(i) + "' exists on " + dst.address()
                            + " with another value; rerun with --replace to overwrite it");
                }
                left.add((String) keys.get(i));
            }
            return left;
        }

        /** An unassigned slot, as redis-cli --cluster fix covers one with no keys anywhere. */
        private long claim(Planner.Move mv) throws IOException {
            Master dst = master(mv.to());
            String slot = Integer.toString(mv.slot());
            // keys in a slot nobody serves are the leftovers of a failure: fix's business, not ours
            for (Map.Entry<String, RespClient> e : conns.entrySet()) {
                Object n = e.getValue().call("CLUSTER", "COUNTKEYSINSLOT", slot);
                ok(n, master(e.getKey()), "COUNTKEYSINSLOT");
                if ((Long) n != 0) {
                    throw new IOException("unassigned slot " + slot + " has keys on " + master(e.getKey()).address()
                            + "; cover it with redis-cli --cluster fix");
                }
            }
            out.println("Assigning slot " + slot + " to " + dst.address());
            RespClient d = conns.get(dst.id());
            ok(d.call("MULTI"), dst, "MULTI");
            d.call("CLUSTER", "ADDSLOTS", slot);
            d.call("CLUSTER", "SETSLOT", slot, "STABLE");
            d.call("CLUSTER", "BUMPEPOCH");
            Object r = d.call("EXEC");
            ok(r, dst, "EXEC");
            if (r instanceof List<?> l) {
                for (Object o : l) ok(o, dst, "MULTI ADDSLOTS ... EXEC");
            }
            return 0;
        }

        private void ok(Object reply, Master m, String what) throws IOException {
            if (reply instanceof RespClient.Err e) {
                out.println();
                throw new IOException(what + " on " + m.address() + ": " + e.message());
            }
        }
    }

    // ---------------------------------------------------------------- a RESP2 connection

    record Auth(String user, String password) {}

    /** A connection to a node, authenticated when asked, replies bounded by MIGRATE's timeout. */
    static RespClient open(String host, int port, Auth auth, int migrateTimeoutMs) throws IOException {
        // MIGRATE waits up to its own timeout for the target; give it that and some more
        RespClient c = new RespClient(host, port, StandardCharsets.ISO_8859_1, Math.max(migrateTimeoutMs, 0) + 30_000);
        if (auth.password() != null) {
            Object r = auth.user() == null ? c.call("AUTH", auth.password()) : c.call("AUTH", auth.user(), auth.password());
            if (r instanceof RespClient.Err e) {
                c.close();
                throw new IOException("AUTH failed: " + e.message());
            }
        }
        return c;
    }
}
