package io.basalt.server.ops;

import io.basalt.server.replication.MasterLink;

/**
 * The Kubernetes probes. Liveness: the process serves (answered by the HTTP thread itself, so it
 * stays 200 while a long command, a load or a sync runs: none of those is a reason to restart).
 * Readiness: the server can answer reads with current data, so it is not ready while its data
 * files load, while it is a replica whose link to its master is not up and in sync (connecting,
 * handshaking, receiving or loading the image), while it is a cluster node whose cluster state
 * is fail (it answers CLUSTERDOWN), or once a shutdown has started.
 */
final class Health {
    private final OpsView view;
    private final MasterLink masterLink;

    Health(OpsView view, MasterLink masterLink) {
        this.view = view;
        this.masterLink = masterLink;
    }

    /** An HTTP status and its small JSON body. */
    record Answer(int status, String json) {}

    Answer live() {
        return new Answer(200, "{\"status\":\"ok\"}");
    }

    Answer ready() {
        boolean replica = masterLink.isReplica();
        String reason = null;
        if (view.shuttingDown()) reason = "shutting down";
        else if (view.loading()) reason = "loading";
        else if (replica && masterLink.syncInProgress()) reason = "sync in progress";
        else if (replica && !masterLink.connected()) reason = "master link down";
        String cluster = view.clusterState();
        if (reason == null && "fail".equals(cluster)) reason = "cluster state fail";
        StringBuilder b = new StringBuilder(96).append("{\"status\":\"").append(reason == null ? "ready" : "not ready").append('"');
        if (reason != null) b.append(",\"reason\":\"").append(reason).append('"');
        b.append(",\"role\":\"").append(replica ? "slave" : "master").append('"');
        b.append(",\"loading\":").append(view.loading());
        if (cluster != null) b.append(",\"cluster_state\":\"").append(cluster).append('"');
        if (replica) {
            b.append(",\"master_link_status\":\"").append(masterLink.connected() ? "up" : "down").append('"');
            b.append(",\"master_sync_in_progress\":").append(masterLink.syncInProgress());
        }
        b.append('}');
        return new Answer(reason == null ? 200 : 503, b.toString());
    }
}
