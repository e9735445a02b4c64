package io.basalt.server.commands;

import io.basalt.server.client.Client;

import java.nio.charset.StandardCharsets;

/**
 * The words of the deterministic forms handlers log to the AOF instead of themselves (see
 * {@link Client#propagate}), upper case as Redis's shared objects.
 */
final class Propagate {
    private Propagate() {}

    static final byte[] SET = b("SET");
    static final byte[] PXAT = b("PXAT");
    static final byte[] KEEPTTL = b("KEEPTTL");
    static final byte[] PEXPIREAT = b("PEXPIREAT");
    static final byte[] PERSIST = b("PERSIST");
    static final byte[] SREM = b("SREM");
    static final byte[] HSET = b("HSET");
    static final byte[] DEL = b("DEL");
    static final byte[] UNLINK = b("UNLINK");

    static byte[] b(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    static byte[] number(long n) { return b(Long.toString(n)); }

    /** DEL, or UNLINK with lazyfree-lazy-expire (an expiry set in the past). */
    static byte[] delForExpire(Client c) {
        return c.server().config().getBool("lazyfree-lazy-expire") ? UNLINK : DEL;
    }

    /** DEL, or UNLINK with lazyfree-lazy-server-del (SPOP of a whole set). */
    static byte[] delForServer(Client c) {
        return c.server().config().getBool("lazyfree-lazy-server-del") ? UNLINK : DEL;
    }
}
