package io.basalt.persistence.aof;

import java.io.IOException;
import java.io.InputStream;

/**
 * The seam to the RDB loader: a base file written by Redis with {@code aof-use-rdb-preamble yes}
 * starts with "REDIS" and holds an RDB image. The server plugs in the RDB reader here; the AOF
 * loader calls it for such a base file and replays what follows in RESP.
 */
public interface RdbStreamLoader {
    /**
     * Loads one RDB stream (from its "REDIS" magic through its EOF opcode and checksum) into the
     * keyspace and returns its length in bytes: the RESP part of the file starts there (the
     * reader may have read ahead of it).
     */
    long load(InputStream in, String fileName) throws IOException, AofException;
}
