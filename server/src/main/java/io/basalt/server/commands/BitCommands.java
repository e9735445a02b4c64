package io.basalt.server.commands;

import io.basalt.data.Shard;
import io.basalt.data.StringRecord;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;

/**
 * Bit commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO, following Redis 7.0's
 * bitops.c check for check (argument errors, the order they are reported in, what a missing key
 * means) so replies match byte for byte.
 *
 * <p>Writes go straight into the key's {@link StringRecord}: when the string must grow (or is
 * stored compressed), the record is copied once with zero padding; otherwise the bits change in
 * place. Readers take {@link StringRecord#plain}, the record itself unless it is compressed. Either way the
 * string becomes "raw", as Redis's {@code dbUnshareStringValue} makes it.
 */
public final class BitCommands {
    private BitCommands() {}

    static void register(CommandTable t) {
        t.register("setbit", StringCommands.guarded(BitCommands::setbit));
        t.register("getbit", BitCommands::getbit);
        t.register("bitcount", BitCommands::bitcount);
        t.register("bitpos", BitCommands::bitpos);
        t.register("bitop", StringCommands.guarded(BitCommands::bitop));
        t.register("bitfield", StringCommands.guarded(BitCommands::bitfield));
        t.register("bitfield_ro", BitCommands::bitfieldRo);
    }

    private static final String BAD_OFFSET = "ERR bit offset is not an integer or out of range";
    private static final String BAD_BIT = "ERR bit is not an integer or out of range";
    private static final String BAD_TYPE =
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

    // ---------------------------------------------------------------- helpers

    /**
     * Redis {@code getBitOffsetFromArgument}: a bit offset, or -1 after replying the error.
     * With {@code bits > 0}, "#n" means n * bits (BITFIELD); the byte it reaches must stay
     * under proto-max-bulk-len.
     */
    static long bitOffset(Client c, RespRequest a, int i, int bits) {
        int len = a.length(i);
        int off = a.offset(i);
        boolean hash = bits > 0 && len > 1 && a.byteAt(i, 0) == '#';
        long v;
        try {
            v = hash ? Numbers.parseLong(a.buffer(), off + 1, len - 1) : Numbers.parseLong(a.buffer(), off, len);
        } catch (NumberFormatException e) {
            c.error(BAD_OFFSET);
            return -1;
        }
        if (hash) v *= bits; // wraps like the C multiplication
        if (v < 0 || (v >> 3) >= c.server().protoMaxBulkLen()
                || (v >> 3) + 1 + StringRecord.overhead(a.length(1), true) > Integer.MAX_VALUE - 16) {
            c.error(BAD_OFFSET);
            return -1;
        }
        return v;
    }

    /** {@link #stringForWrite} state: the key was created or grown (Redis's {@code dirty}). */
    private static final int DIRTY = 1;
    /** {@link #stringForWrite} state: the record is not the stored one; {@link #store} it after writing. */
    private static final int STORE = 2;
    /**
     * Redis {@code lookupStringForBitCommand}: the key's string record grown (zero padded) to hold
     * bit {@code maxBit}, created if missing and tagged raw; null after a WRONGTYPE reply.
     * {@code state[0]} gets {@link #DIRTY} when the key was created or grown (SETBIT then signals
     * a change even if the bit was already set) and {@link #STORE} when the record is a new array
     * that the caller stores with {@link #store} once the bits are written: the stored record may
     * be compressed (and then never written in place) and {@link Shard#put} may compress what it
     * is given, so writes go to the plain array first and the store comes last.
     */
    private static byte[] stringForWrite(Client c, byte[] key, long maxBit, int[] state) {
        int bytes = (int) (maxBit >>> 3) + 1;
        byte[] r = Generic.write(c, key, byte[].class);
        if (Generic.failed(r)) return null;
        if (r == null) {
            state[0] = DIRTY | STORE;
            // the "new" event comes now, before any reply, as in Redis; the key is stored (under
            // the same shard lock) once the bits are written
            Generic.added(c, key);
            return StringRecord.allocate(key, bytes, -1, StringRecord.ENC_RAW);
        }
        byte[] nr = StringRecord.grow(r, bytes);
        StringRecord.encoding(nr, StringRecord.ENC_RAW);
        if (nr != r) state[0] |= STORE;
        if (StringRecord.valueLength(nr) != StringRecord.valueLength(r)) state[0] |= DIRTY;
        return nr;
    }

    /** Stores the record {@link #stringForWrite} returned, when its state says it is new. */
    private static void store(Client c, byte[] key, byte[] r, int state) {
        if ((state & STORE) != 0) c.server().keyspace().shardOf(key).put(c.db(), key, r);
    }

    private static int popcount(byte[] b, int from, int to) {
        int n = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) n += Long.bitCount((long) StringBits.LONGS.get(b, i));
        for (; i < to; i++) n += Integer.bitCount(b[i] & 0xff);
        return n;
    }

    // ---------------------------------------------------------------- SETBIT GETBIT

    static void setbit(Client c, RespRequest a) {
        long offset = bitOffset(c, a, 2, 0);
        if (offset < 0) return;
        long on;
        try {
            on = Generic.parseLong(a, 3);
        } catch (NumberFormatException e) {
            c.error(BAD_BIT);
            return;
        }
        if ((on & ~1L) != 0) {
            c.error(BAD_BIT);
            return;
        }
        int[] state = new int[1];
        byte[] key = a.bytes(1);
        byte[] r = stringForWrite(c, key, offset, state);
        if (r == null) return;
        int p = StringRecord.valueOffset(r) + (int) (offset >>> 3);
        int bit = 7 - (int) (offset & 7);
        int old = (r[p] >> bit) & 1;
        if (on == 1) r[p] |= (byte) (1 << bit);
        else r[p] &= (byte) ~(1 << bit);
        store(c, key, r, state[0]);
        if ((state[0] & DIRTY) != 0 || old != on) Generic.changed(c, KeyspaceEvents.STRING, "setbit", key);
        c.out().integer(old);
    }

    static void getbit(Client c, RespRequest a) {
        long offset = bitOffset(c, a, 2, 0);
        if (offset < 0) return;
        byte[] stored = Generic.read(c, a.bytes(1), byte[].class);
        if (Generic.failed(stored)) return;
        if (stored == null) {
            c.out().integer(0);
            return;
        }
        byte[] r = StringRecord.plain(stored);
        int vOff = StringRecord.valueOffset(r);
        long pos = offset >>> 3;
        int bit = 0;
        if (pos < r.length - vOff) bit = (r[vOff + (int) pos] >> (7 - (int) (offset & 7))) & 1;
        c.out().integer(bit);
    }

    // ---------------------------------------------------------------- BITCOUNT BITPOS

    /**
     * A BITCOUNT/BITPOS range after Redis's normalisation: negative indexes count from the end,
     * the range is clamped to the string, and a BIT range becomes a byte range plus masks of the
     * edge bits that lie outside it.
     */
    private record Range(long start, long end, int firstMask, int lastMask) {
        static Range of(long start, long end, long strlen, boolean isBit) {
            long totlen = isBit ? strlen << 3 : strlen;
            if (start < 0) start = totlen + start;
            if (end < 0) end = totlen + end;
            if (start < 0) start = 0;
            if (end < 0) end = 0;
            if (end >= totlen) end = totlen - 1;
            int firstMask = 0;
            int lastMask = 0;
            if (isBit && start <= end) {
                firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xff;
                lastMask = (1 << (7 - (int) (end & 7))) - 1;
                start >>= 3;
                end >>= 3;
            }
            return new Range(start, end, firstMask, lastMask);
        }
    }

    /** BITCOUNT: in 7.0 the key is looked up before the range is parsed (a missing key is 0). */
    static void bitcount(Client c, RespRequest a) {
        byte[] stored = Generic.read(c, a.bytes(1), byte[].class);
        if (Generic.failed(stored)) return;
        if (stored == null) {
            c.out().integer(0);
            return;
        }
        byte[] r = StringRecord.plain(stored);
        int vOff = StringRecord.valueOffset(r);
        long strlen = r.length - vOff;
        long start;
        long end;
        int firstMask = 0;
        int lastMask = 0;
        int argc = a.argc();
        if (argc == 4 || argc == 5) {
            long totlen = strlen;
            Long s = Generic.longArg(c, a, 2);
            if (s == null) return;
            Long t = Generic.longArg(c, a, 3);
            if (t == null) return;
            start = s;
            end = t;
            if (start < 0 && end < 0 && start > end) {
                c.out().integer(0);
                return;
            }
            boolean isBit = false;
            if (argc == 5) {
                if (a.is(4, "BIT")) isBit = true;
                else if (!a.is(4, "BYTE")) {
                    c.error(Generic.SYNTAX);
                    return;
                }
            }
            Range range = Range.of(start, end, totlen, isBit);
            start = range.start;
            end = range.end;
            firstMask = range.firstMask;
            lastMask = range.lastMask;
        } else if (argc == 2) {
            start = 0;
            end = strlen - 1;
        } else {
            c.error(Generic.SYNTAX);
            return;
        }
        if (start > end) {
            c.out().integer(0);
            return;
        }
        int from = vOff + (int) start;
        int to = vOff + (int) end + 1;
        long count = popcount(r, from, to);
        // bits of the edge bytes outside a BIT range were counted: take them back
        if (firstMask != 0) count -= Integer.bitCount(r[from] & firstMask);
        if (lastMask != 0) count -= Integer.bitCount(r[to - 1] & lastMask);
        c.out().integer(count);
    }

    /**
     * Redis {@code redisBitpos}: position of the first bit equal to {@code bit} in the bytes;
     * not found is -1 when looking for 1 and {@code count * 8} (the first bit after the bytes,
     * "zero padding") when looking for 0.
     */
    private static long findBit(byte[] b, int from, long count, int bit) {
        int end = from + (int) count;
        int skip = bit == 1 ? 0 : 0xff;
        int i = from;
        long skipLong = bit == 1 ? 0L : -1L;
        while (i + 8 <= end && (long) StringBits.LONGS.get(b, i) == skipLong) i += 8;
        while (i < end && (b[i] & 0xff) == skip) i++;
        if (i == end) return bit == 1 ? -1 : count * 8;
        int v = b[i] & 0xff;
        int k = bit == 1 ? Integer.numberOfLeadingZeros(v) - 24 : Integer.numberOfLeadingZeros(~v & 0xff) - 24;
        return (long) (i - from) * 8 + k;
    }

    static void bitpos(Client c, RespRequest a) {
        long bit;
        try {
            bit = Generic.parseLong(a, 2);
        } catch (NumberFormatException e) {
            c.error(Generic.NOT_INTEGER);
            return;
        }
        if (bit != 0 && bit != 1) {
            c.error("ERR The bit argument must be 1 or 0.");
            return;
        }
        byte[] stored = Generic.read(c, a.bytes(1), byte[].class);
        if (Generic.failed(stored)) return;
        if (stored == null) {
            c.out().integer(bit == 1 ? -1 : 0);
            return;
        }
        byte[] r = StringRecord.plain(stored);
        int vOff = StringRecord.valueOffset(r);
        long strlen = r.length - vOff;
        long start;
        long end;
        boolean endGiven = false;
        int firstMask = 0;
        int lastMask = 0;
        int argc = a.argc();
        if (argc == 4 || argc == 5 || argc == 6) {
            long totlen = strlen;
            Long s = Generic.longArg(c, a, 3);
            if (s == null) return;
            start = s;
            boolean isBit = false;
            if (argc == 6) {
                if (a.is(5, "BIT")) isBit = true;
                else if (!a.is(5, "BYTE")) {
                    c.error(Generic.SYNTAX);
                    return;
                }
            }
            if (argc >= 5) {
                Long t = Generic.longArg(c, a, 4);
                if (t == null) return;
                end = t;
                endGiven = true;
            } else {
                end = isBit ? (totlen << 3) + 7 : totlen - 1;
            }
            Range range = Range.of(start, end, totlen, isBit);
            start = range.start;
            end = range.end;
            firstMask = range.firstMask;
            lastMask = range.lastMask;
        } else if (argc == 3) {
            start = 0;
            end = strlen - 1;
        } else {
            c.error(Generic.SYNTAX);
            return;
        }
        if (start > end) {
            c.out().integer(-1);
            return;
        }
        long bytes = end - start + 1;
        long pos;
        byte[] tmp = new byte[1];
        found:
        {
            if (firstMask != 0) {
                int ch = r[vOff + (int) start] & 0xff;
                ch = bit == 1 ? ch & ~firstMask : ch | firstMask;
                if (lastMask != 0 && bytes == 1) ch = bit == 1 ? ch & ~lastMask : ch | lastMask;
                tmp[0] = (byte) ch;
                pos = findBit(tmp, 0, 1, (int) bit);
                if (bytes == 1 || (pos != -1 && pos != 8)) break found;
                start++;
                bytes--;
            }
            long cur = bytes - (lastMask != 0 ? 1 : 0);
            if (cur > 0) {
                pos = findBit(r, vOff + (int) start, cur, (int) bit);
                if (bytes == cur || (pos != -1 && pos != cur << 3)) break found;
                start += cur;
                bytes -= cur;
            }
            int ch = r[vOff + (int) end] & 0xff;
            ch = bit == 1 ? ch & ~lastMask : ch | lastMask;
            tmp[0] = (byte) ch;
            pos = findBit(tmp, 0, 1, (int) bit);
        }
        // with an explicit end, the bits right of the range are not zero padding
        if (endGiven && bit == 0 && pos == bytes << 3) {
            c.out().integer(-1);
            return;
        }
        if (pos != -1) pos += start << 3;
        c.out().integer(pos);
    }

    // ---------------------------------------------------------------- BITOP

    static void bitop(Client c, RespRequest a) {
        int op;
        if (a.is(1, "AND")) op = 0;
        else if (a.is(1, "OR")) op = 1;
        else if (a.is(1, "XOR")) op = 2;
        else if (a.is(1, "NOT")) op = 3;
        else {
            c.error(Generic.SYNTAX);
            return;
        }
        if (op == 3 && a.argc() != 4) {
            c.error("ERR BITOP NOT must be called with a single source key.");
            return;
        }
        int n = a.argc() - 3;
        byte[][] src = new byte[n][];
        int[] offs = new int[n];
        int[] lens = new int[n];
        int maxLen = 0;
        for (int j = 0; j < n; j++) {
            byte[] stored = Generic.read(c, a.bytes(j + 3), byte[].class);
            if (Generic.failed(stored)) return;
            if (stored == null) continue;
            byte[] r = StringRecord.plain(stored);
            src[j] = r;
            offs[j] = StringRecord.valueOffset(r);
            lens[j] = r.length - offs[j];
            maxLen = Math.max(maxLen, lens[j]);
        }
        byte[] dest = a.bytes(2);
        Shard s = c.server().keyspace().shardOf(dest);
        if (maxLen == 0) {
            if (s.remove(c.db(), dest) != null) Generic.changed(c, KeyspaceEvents.GENERIC, "del", dest);
            c.out().integer(0);
            return;
        }
        byte[] out = StringRecord.allocate(dest, maxLen, -1, StringRecord.ENC_RAW);
        int o = out.length - maxLen;
        for (int k = 0; k < maxLen; k++) {
            int v = lens[0] <= k ? 0 : src[0][offs[0] + k];
            if (op == 3) v = ~v;
            for (int j = 1; j < n; j++) {
                int b = lens[j] <= k ? 0 : src[j][offs[j] + k];
                if (op == 0) v &= b;
                else if (op == 1) v |= b;
                else v ^= b;
            }
            out[o + k] = (byte) v;
        }
        // Redis's setKey looks the destination up first: an expired one is reaped ("expired")
        boolean existed = Generic.lookupWrite(c, dest) != null;
        s.put(c.db(), dest, out);
        if (!existed) Generic.added(c, dest);
        Generic.changed(c, KeyspaceEvents.STRING, "set", dest);
        c.out().integer(maxLen);
    }

    // ---------------------------------------------------------------- BITFIELD

    static void bitfield(Client c, RespRequest a) { bitfieldGeneric(c, a, false); }

    static void bitfieldRo(Client c, RespRequest a) { bitfieldGeneric(c, a, true); }

    private static final int OP_GET = 0;
    private static final int OP_SET = 1;
    private static final int OP_INCRBY = 2;
    private static final int OW_WRAP = 0;
    private static final int OW_SAT = 1;
    private static final int OW_FAIL = 2;

    /**
     * Redis {@code bitfieldGeneric}: parses every operation first (an error in any of them means
     * nothing runs), then looks the key up for read or for write, then runs them in order.
     */
    private static void bitfieldGeneric(Client c, RespRequest a, boolean readOnlyCommand) {
        int argc = a.argc();
        // per op: opcode, sign, bits, overflow type packed in one int; offset and value in longs
        int[] kinds = new int[(argc - 2) / 3 + 1];
        long[] offsets = new long[kinds.length];
        long[] values = new long[kinds.length];
        int numOps = 0;
        int owtype = OW_WRAP;
        boolean readonly = true;
        long highestWrite = 0;
        for (int j = 2; j < argc; j++) {
            int rem = argc - j - 1;
            int opcode;
            if (a.is(j, "GET") && rem >= 2) {
                opcode = OP_GET;
            } else if (a.is(j, "SET") && rem >= 3) {
                opcode = OP_SET;
            } else if (a.is(j, "INCRBY") && rem >= 3) {
                opcode = OP_INCRBY;
            } else if (a.is(j, "OVERFLOW") && rem >= 1) {
                j++;
                if (a.is(j, "WRAP")) owtype = OW_WRAP;
                else if (a.is(j, "SAT")) owtype = OW_SAT;
                else if (a.is(j, "FAIL")) owtype = OW_FAIL;
                else {
                    c.error("ERR Invalid OVERFLOW type specified");
                    return;
                }
                continue;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
            int type = bitfieldType(a, j + 1);
            if (type < 0) {
                c.error(BAD_TYPE);
                return;
            }
            int bits = type & 0x7f;
            long offset = bitOffset(c, a, j + 2, bits);
            if (offset < 0) return;
            long value = 0;
            if (opcode != OP_GET) {
                readonly = false;
                if (Long.compareUnsigned(highestWrite, offset + bits - 1) < 0) highestWrite = offset + bits - 1;
                Long v = Generic.longArg(c, a, j + 3);
                if (v == null) return;
                value = v;
            }
            if (numOps == kinds.length) {
                kinds = java.util.Arrays.copyOf(kinds, numOps * 2);
                offsets = java.util.Arrays.copyOf(offsets, numOps * 2);
                values = java.util.Arrays.copyOf(values, numOps * 2);
            }
            kinds[numOps] = opcode | (owtype << 2) | (type << 4);
            offsets[numOps] = offset;
            values[numOps] = value;
            numOps++;
            j += 3 - (opcode == OP_GET ? 1 : 0);
        }

        byte[] r;
        byte[] key = a.bytes(1);
        int[] state = new int[1];
        if (readonly) {
            byte[] stored = Generic.read(c, key, byte[].class);
            if (Generic.failed(stored)) return;
            r = stored == null ? null : StringRecord.plain(stored);
        } else {
            if (readOnlyCommand) {
                c.error("ERR BITFIELD_RO only supports the GET subcommand");
                return;
            }
            r = stringForWrite(c, key, highestWrite, state);
            if (r == null) return;
        }

        c.out().array(numOps);
        int changes = 0;
        int vOff = r == null ? 0 : StringRecord.valueOffset(r);
        int vLen = r == null ? 0 : r.length - vOff;
        for (int k = 0; k < numOps; k++) {
            int kind = kinds[k];
            int opcode = kind & 3;
            int ow = (kind >>> 2) & 3;
            int type = kind >>> 4;
            int bits = type & 0x7f;
            boolean signed = (type & 0x80) != 0;
            long offset = offsets[k];
            if (opcode == OP_GET) {
                // past the end of the string reads zeros, like Redis's zero-padded 9-byte window
                long v = StringBits.getUnsigned(r, vOff, vLen, offset, bits);
                if (signed && bits < 64 && (v & (1L << (bits - 1))) != 0) v |= -1L << bits;
                c.out().integer(v);
                continue;
            }
            long old = StringBits.getUnsigned(r, vOff, vLen, offset, bits);
            long newVal;
            long ret;
            boolean overflow;
            if (signed) {
                if (bits < 64 && (old & (1L << (bits - 1))) != 0) old |= -1L << bits;
                long[] wrapped = new long[1];
                if (opcode == OP_INCRBY) {
                    overflow = StringBits.signedOverflow(old, values[k], bits, ow, wrapped) != 0;
                    newVal = overflow ? wrapped[0] : old + values[k];
                    ret = newVal;
                } else {
                    newVal = values[k];
                    overflow = StringBits.signedOverflow(newVal, 0, bits, ow, wrapped) != 0;
                    if (overflow) newVal = wrapped[0];
                    ret = old;
                }
            } else {
                long[] wrapped = new long[1];
                if (opcode == OP_INCRBY) {
                    newVal = old + values[k];
                    overflow = StringBits.unsignedOverflow(old, values[k], bits, ow, wrapped) != 0;
                    if (overflow) newVal = wrapped[0];
                    ret = newVal;
                } else {
                    newVal = values[k];
                    overflow = StringBits.unsignedOverflow(newVal, 0, bits, ow, wrapped) != 0;
                    if (overflow) newVal = wrapped[0];
                    ret = old;
                }
            }
            if (overflow && ow == OW_FAIL) {
                c.out().nullBulk();
            } else {
                c.out().integer(ret);
                // a write that changes nothing in a key that was neither created nor grown is
                // no change: no "setbit" event (Redis 7.0.15)
                long mask = bits == 64 ? -1L : (1L << bits) - 1;
                if ((state[0] & DIRTY) != 0 || ((old ^ newVal) & mask) != 0) changes++;
                StringBits.setUnsigned(r, vOff, offset, bits, newVal);
            }
        }
        if (!readonly) store(c, key, r, state[0]);
        if (changes > 0) Generic.changed(c, KeyspaceEvents.STRING, "setbit", key);
    }

    /**
     * Redis {@code getBitfieldTypeFromArgument}: i1..i64 or u1..u63, returned as bits | 0x80 for
     * signed, or -1 if invalid.
     */
    private static int bitfieldType(RespRequest a, int i) {
        int len = a.length(i);
        if (len == 0) return -1;
        byte first = a.byteAt(i, 0);
        boolean signed;
        // lower case only: Redis 7.0 rejects "I8" and "U8"
        if (first == 'i') signed = true;
        else if (first == 'u') signed = false;
        else return -1;
        // Redis reads the digits as a C string: they end at the first NUL byte
        int n = 1;
        while (n < len && a.byteAt(i, n) != 0) n++;
        long bits;
        try {
            bits = Numbers.parseLong(a.buffer(), a.offset(i) + 1, n - 1);
        } catch (NumberFormatException e) {
            return -1;
        }
        if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) return -1;
        return (int) bits | (signed ? 0x80 : 0);
    }
}
