package io.basalt.server.replication;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.client.ClientPause;
import io.basalt.server.commands.Generic;
import io.basalt.server.module.ServerModule;
import io.basalt.server.util.Log;

/**
 * FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: Redis 7.0's coordinated failover. The
 * master pauses writes, waits until a replica (the one named, or any) has acknowledged the whole
 * stream, then becomes that replica's replica with PSYNC ... FAILOVER, which makes the replica
 * promote itself and continue the history, so no acknowledged write is lost and the switch takes
 * one round trip. The same PSYNC FAILOVER from a redis-server master promotes a Basalt replica
 * (see {@link ReplicationCommands}), which is how a live Redis hands over to Basalt.
 */
public final class Failover implements ServerModule {
    enum State {
        NO_FAILOVER("no-failover"), WAIT_FOR_SYNC("waiting-for-sync"), IN_PROGRESS("failover-in-progress");

        final String info;

        State(String info) { this.info = info; }
    }

    private final ReplicationSource source;
    private final MasterLink link;
    private final ClientPause pause;
    private volatile State state = State.NO_FAILOVER;
    private String targetHost;
    private int targetPort;
    private long endTime;
    private boolean force;

    public Failover(ReplicationSource source, MasterLink link, ClientPause pause) {
        this.source = source;
        this.link = link;
        this.pause = pause;
        source.failoverState(() -> state.info);
        link.failover(this);
    }

    /** Whether a failover is under way (REPLICAOF and SYNC are refused meanwhile). */
    public boolean active() { return state != State.NO_FAILOVER; }

    /** Whether this server, failing over, is the one sending PSYNC ... FAILOVER. */
    boolean inProgress() { return state == State.IN_PROGRESS; }

    /** Redis's failoverCommand. */
    public synchronized void command(Client c, RespRequest a) {
        if (a.argc() == 2 && a.is(1, "abort")) {
            if (state == State.NO_FAILOVER) {
                c.error("ERR No failover in progress.");
                return;
            }
            abort("Failover manually aborted");
            c.out().ok();
            return;
        }
        long timeout = 0;
        boolean forceFlag = false;
        long port = 0;
        String host = null;
        for (int j = 1; j < a.argc(); j++) {
            if (a.is(j, "timeout") && j + 1 < a.argc() && timeout == 0) {
                Long t = Generic.longArg(c, a, j + 1);
                if (t == null) return;
                if (t <= 0) {
                    c.error("ERR FAILOVER timeout must be greater than 0");
                    return;
                }
                timeout = t;
                j++;
            } else if (a.is(j, "to") && j + 2 < a.argc() && host == null) {
                Long p = Generic.longArg(c, a, j + 2);
                if (p == null) return;
                port = p;
                host = a.string(j + 1);
                j += 2;
            } else if (a.is(j, "force") && !forceFlag) {
                forceFlag = true;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        if (state != State.NO_FAILOVER) {
            c.error("ERR FAILOVER already in progress.");
            return;
        }
        if (link.isReplica()) {
            c.error("ERR FAILOVER is not valid when server is a replica.");
            return;
        }
        if (source.replicaCount() == 0) {
            c.error("ERR FAILOVER requires connected replicas.");
            return;
        }
        if (forceFlag && (timeout == 0 || host == null)) {
            c.error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
            return;
        }
        if (host != null) {
            int status = source.replicaStatus(host, (int) port);
            if (status < 0) {
                c.error("ERR FAILOVER target HOST and PORT is not a replica.");
                return;
            }
            if (status == 0) {
                c.error("ERR FAILOVER target replica is not online.");
                return;
            }
            targetHost = host;
            targetPort = (int) port;
            Log.notice("FAILOVER requested to " + host + ":" + port + ".");
        } else {
            Log.notice("FAILOVER requested to any replica.");
        }
        endTime = timeout > 0 ? System.currentTimeMillis() + timeout : 0;
        force = forceFlag;
        state = State.WAIT_FOR_SYNC;
        pause.pause(ClientPause.Purpose.FAILOVER, Long.MAX_VALUE, ClientPause.WRITE);
        c.out().ok();
    }

    /** Redis's updateFailoverStatus: times out, or fails over once a replica has caught up. */
    @Override
    public void cron() {
        if (state != State.WAIT_FOR_SYNC) return;
        String host;
        int port;
        synchronized (this) {
            if (state != State.WAIT_FOR_SYNC) return;
            long now = System.currentTimeMillis();
            if (endTime > 0 && endTime <= now) {
                if (force) {
                    Log.notice("FAILOVER to " + targetHost + ":" + targetPort + " time out exceeded, failing over.");
                    state = State.IN_PROGRESS;
                    host = targetHost;
                    port = targetPort;
                } else {
                    abort("Replica never caught up before timeout");
                    return;
                }
            } else {
                String[] caughtUp = source.caughtUpReplica(targetHost, targetPort);
                if (caughtUp == null) return;
                targetHost = caughtUp[0];
                targetPort = Integer.parseInt(caughtUp[1]);
                state = State.IN_PROGRESS;
                Log.notice("Failover target " + targetHost + ":" + targetPort + " is synced, failing over.");
                host = targetHost;
                port = targetPort;
            }
        }
        link.replicaOf(host, port);
    }

    /** The PSYNC ... FAILOVER got its answer: accepted ends the failover, anything else aborts it. */
    void psyncAnswered(boolean accepted) {
        if (!inProgress()) return;
        if (accepted) clear();
        else abort("Failover target rejected psync request");
    }

    /** Redis's abortFailover: a failover in progress makes this server a master again. */
    synchronized void abort(String why) {
        if (state == State.NO_FAILOVER) return;
        if (targetHost != null) Log.notice("FAILOVER to " + targetHost + ":" + targetPort + " aborted: " + why);
        else Log.notice("FAILOVER to any replica aborted: " + why);
        if (state == State.IN_PROGRESS) link.noOne();
        clear();
    }

    private synchronized void clear() {
        endTime = 0;
        force = false;
        targetHost = null;
        targetPort = 0;
        state = State.NO_FAILOVER;
        pause.unpause(ClientPause.Purpose.FAILOVER);
    }
}
