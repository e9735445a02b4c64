package io.basalt.server.stats;

/** One SLOWLOG entry, with arguments already trimmed the way Redis stores them. */
public record SlowlogEntry(long id, long timestamp, long micros, byte[][] args, String clientAddr, String clientName) { }
