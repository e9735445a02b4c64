package io.basalt.data;

/** An {@link ObjectEntry} that keeps its key, expiry and access clock in plain fields. */
public abstract class FieldEntry extends ObjectEntry {
    public final byte[] key;
    long expireAt = -1;
    int clock;

    protected FieldEntry(byte[] key) { this.key = key; }

    @Override public byte[] key() { return key; }

    @Override public long expireAt() { return expireAt; }

    @Override void expireAt(long expireAt) { this.expireAt = expireAt; }

    @Override public int clock() { return clock; }

    @Override public void clock(int clock) { this.clock = clock; }
}
