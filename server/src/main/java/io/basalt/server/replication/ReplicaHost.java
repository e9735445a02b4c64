package io.basalt.server.replication;

import io.basalt.server.client.Client;
import io.basalt.server.exec.Dispatcher;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a replica's link to its master needs from the server it runs in (the composition root
 * implements it, so replication does not depend on it).
 */
public interface ReplicaHost {
    /** A client of kind MASTER on the link's channel, listed in CLIENT LIST (flag M). */
    Client masterClient(io.netty.channel.Channel channel);

    /** The master client's link closed: every subsystem forgets it, as any closed connection. */
    void closed(Client master);

    Dispatcher dispatcher();

    /** The event loops the link's connection runs on (the server's). */
    EventLoopGroup eventLoops();

    /**
     * The TLS handler the link to the master at {@code host:port} puts first (tls-replication),
     * or null for a plain link.
     */
    default io.netty.handler.ssl.SslHandler tls(io.netty.channel.Channel ch, String host, int port) {
        return null;
    }

    /** The port this server announces (REPLCONF listening-port) without replica-announce-port. */
    int port();

    /** Redis's emptyData before a full sync's image loads: every database, with the flush signals. */
    void emptyData();

    /** Loads the master's image into the (emptied) keyspace; returns its aux fields. */
    Map<String, byte[]> loadImage(InputStream in, long size) throws IOException;

    /** Where the image received to disk goes (dbfilename in dir), and the dir for its temp file. */
    Path rdbPath();

    /** Whether neither RDB saves nor the AOF are configured (rdb-del-sync-files applies). */
    boolean persistenceDisabled();

    /** After a full sync: the AOF, if on, is rewritten from the new dataset (Redis's restartAOFAfterSYNC). */
    void afterFullSync();
}
