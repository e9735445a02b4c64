package io.basalt.server.tracking;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.client.Clients;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;

import java.util.ArrayList;
import java.util.List;

/**
 * Client-side caching commands: CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR and CLIENT
 * TRACKINGINFO, with Redis 7.0's option checks in its order and its error texts. The tracking
 * itself is {@link Tracking}.
 */
public final class TrackingCommands {
    private TrackingCommands() {}

    public static void register(CommandTable t, Tracking tracking, Clients clients) {
        t.register("client|tracking", (c, a) -> tracking(tracking, clients, c, a));
        t.register("client|caching", TrackingCommands::caching);
        t.register("client|getredir", (c, a) -> c.out().integer(redirect(c)));
        t.register("client|trackinginfo", TrackingCommands::trackinginfo);
    }

    /** CLIENT TRACKING on|off [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN] [OPTOUT] [NOLOOP] */
    static void tracking(Tracking tracking, Clients clients, Client c, RespRequest a) {
        long redirect = 0;
        boolean bcast = false;
        boolean optin = false;
        boolean optout = false;
        boolean noloop = false;
        List<byte[]> prefixes = new ArrayList<>();
        for (int j = 3; j < a.argc(); j++) {
            boolean more = j < a.argc() - 1;
            if (a.is(j, "redirect") && more) {
                j++;
                if (redirect != 0) {
                    c.error("ERR A client can only redirect to a single other client");
                    return;
                }
                Long id = Generic.longArg(c, a, j);
                if (id == null) return;
                redirect = id;
                // the client must exist now, even if it may go away later
                if (clients.client(redirect) == null) {
                    c.error("ERR The client ID you want redirect to does not exist");
                    return;
                }
            } else if (a.is(j, "bcast")) {
                bcast = true;
            } else if (a.is(j, "optin")) {
                optin = true;
            } else if (a.is(j, "optout")) {
                optout = true;
            } else if (a.is(j, "noloop")) {
                noloop = true;
            } else if (a.is(j, "prefix") && more) {
                j++;
                prefixes.add(a.bytes(j));
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        if (a.is(2, "on")) {
            if (!bcast && !prefixes.isEmpty()) {
                c.error("ERR PREFIX option requires BCAST mode to be enabled");
                return;
            }
            if (on(c) && bcast(c) != bcast) {
                c.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
                return;
            }
            if (bcast && (optin || optout)) {
                c.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
                return;
            }
            if (optin && optout) {
                c.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
                return;
            }
            if ((optin && optout(c)) || (optout && optin(c))) {
                c.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode.");
                return;
            }
            if (bcast) {
                String collision = Tracking.prefixCollision(c, prefixes);
                if (collision != null) {
                    c.error(collision);
                    return;
                }
            }
            tracking.enable(c, redirect, bcast, optin, optout, noloop, prefixes);
        } else if (a.is(2, "off")) {
            tracking.disable(c);
        } else {
            c.error(Generic.SYNTAX);
            return;
        }
        c.out().ok();
    }

    /** CLIENT CACHING yes|no: whether the next command's keys are tracked (OPTIN / OPTOUT). */
    static void caching(Client c, RespRequest a) {
        if (!on(c)) {
            c.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                    + "OPTOUT mode enabled");
            return;
        }
        if (a.is(2, "yes")) {
            if (!optin(c)) {
                c.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
                return;
            }
        } else if (a.is(2, "no")) {
            if (!optout(c)) {
                c.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
                return;
            }
        } else {
            c.error(Generic.SYNTAX);
            return;
        }
        Tracking.caching(c, true);
        c.out().ok();
    }

    /** CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes. */
    static void trackinginfo(Client c, RespRequest a) {
        List<String> flags = new ArrayList<>();
        flags.add(on(c) ? "on" : "off");
        if (bcast(c)) flags.add("bcast");
        if (optin(c)) {
            flags.add("optin");
            if (caching(c)) flags.add("caching-yes");
        }
        if (optout(c)) {
            flags.add("optout");
            if (caching(c)) flags.add("caching-no");
        }
        if (noloop(c)) flags.add("noloop");
        if (brokenRedirect(c)) flags.add("broken_redirect");
        c.out().map(3);
        c.out().bulk("flags");
        c.out().set(flags.size());
        for (String f : flags) c.out().bulk(f);
        c.out().bulk("redirect");
        c.out().integer(redirect(c));
        c.out().bulk("prefixes");
        List<byte[]> prefixes = Tracking.prefixesOf(c);
        c.out().array(prefixes.size());
        for (byte[] p : prefixes) c.out().bulk(p);
    }

    // ---------------------------------------------------------------- the client's tracking state

    private static boolean on(Client c) { return Tracking.options(c) != null; }

    private static boolean bcast(Client c) { Tracking.State s = Tracking.options(c); return s != null && s.bcast; }

    private static boolean optin(Client c) { Tracking.State s = Tracking.options(c); return s != null && s.optin; }

    private static boolean optout(Client c) { Tracking.State s = Tracking.options(c); return s != null && s.optout; }

    private static boolean noloop(Client c) { Tracking.State s = Tracking.options(c); return s != null && s.noloop; }

    private static boolean brokenRedirect(Client c) { Tracking.State s = Tracking.options(c); return s != null && s.brokenRedirect; }

    /** CLIENT GETREDIR: -1 when off, 0 without a redirection. */
    private static long redirect(Client c) { Tracking.State s = Tracking.options(c); return s == null ? -1 : s.redirect; }

    private static boolean caching(Client c) { Tracking.PerClient p = Tracking.of(c); return p != null && p.caching(); }
}
