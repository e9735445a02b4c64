package io.basalt.server.command;

import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespValue;

import java.util.ArrayList;
import java.util.List;

/**
 * One key specification of a command, read from Redis 7.0's COMMAND INFO metadata (begin_search
 * index/keyword, find_keys range/keynum), and Redis's {@code getKeysUsingKeySpecs} to apply it
 * to a command's arguments. Used by COMMAND GETKEYS and by the dispatcher to find the keys (and
 * so the shards to lock) of movable-keys commands.
 */
public final class KeySpec {
    private static final int BS_INDEX = 1;
    private static final int BS_KEYWORD = 2;
    private static final int FK_RANGE = 1;
    private static final int FK_KEYNUM = 2;

    /** The spec's flags as Redis lists them (RO, RW, OW, RM, access, update, ...), for GETKEYSANDFLAGS. */
    public final RespValue flags;
    final boolean notKey;
    final boolean incomplete;
    final boolean variableFlags;
    /**
     * What an ACL key pattern must grant for a key this spec finds (Redis's ACLSelectorCheckKey):
     * {@link #ACL_READ} for "access", {@link #ACL_WRITE} for "insert", "delete" or "update".
     */
    public final int aclAccess;
    public static final int ACL_READ = 1;
    public static final int ACL_WRITE = 2;
    private final int beginType;
    private final int index;
    private final String keyword;
    private final int startFrom;
    private final int findType;
    private final int lastKey;
    private final int keyStep;
    private final int limit;
    private final int keyNumIdx;
    private final int firstKey;

    private KeySpec(RespValue m) {
        this.flags = m.field("flags");
        boolean nk = false;
        boolean inc = false;
        boolean vf = false;
        int acl = 0;
        for (RespValue f : flags.elements()) {
            String s = f.string();
            nk |= s.equals("not_key");
            inc |= s.equals("incomplete");
            vf |= s.equals("variable_flags");
            if (s.equals("access")) acl |= ACL_READ;
            if (s.equals("insert") || s.equals("delete") || s.equals("update")) acl |= ACL_WRITE;
        }
        aclAccess = acl;
        notKey = nk;
        incomplete = inc;
        variableFlags = vf;
        RespValue bs = m.field("begin_search");
        RespValue bsSpec = bs.field("spec");
        switch (bs.field("type").string()) {
            case "index" -> {
                beginType = BS_INDEX;
                index = (int) bsSpec.field("index").number();
                keyword = null;
                startFrom = 0;
            }
            case "keyword" -> {
                beginType = BS_KEYWORD;
                index = 0;
                keyword = bsSpec.field("keyword").string();
                startFrom = (int) bsSpec.field("startfrom").number();
            }
            default -> {
                beginType = 0;
                index = 0;
                keyword = null;
                startFrom = 0;
            }
        }
        RespValue fk = m.field("find_keys");
        RespValue fkSpec = fk.field("spec");
        switch (fk.field("type").string()) {
            case "range" -> {
                findType = FK_RANGE;
                lastKey = (int) fkSpec.field("lastkey").number();
                keyStep = (int) fkSpec.field("keystep").number();
                limit = (int) fkSpec.field("limit").number();
                keyNumIdx = 0;
                firstKey = 0;
            }
            case "keynum" -> {
                findType = FK_KEYNUM;
                keyNumIdx = (int) fkSpec.field("keynumidx").number();
                firstKey = (int) fkSpec.field("firstkey").number();
                keyStep = (int) fkSpec.field("keystep").number();
                lastKey = 0;
                limit = 0;
            }
            default -> {
                findType = 0;
                lastKey = 0;
                keyStep = 1;
                limit = 0;
                keyNumIdx = 0;
                firstKey = 0;
            }
        }
    }

    /** A begin_search or find_keys of type "unknown" (keys only the command's own code can find). */
    boolean unknownType() { return beginType == 0 || findType == 0; }

    /** The key specs of a COMMAND INFO entry (its 9th element). */
    static KeySpec[] of(RespValue info) {
        if (info.size() <= 8) return new KeySpec[0];
        List<KeySpec> out = new ArrayList<>();
        for (RespValue m : info.get(8).elements()) out.add(new KeySpec(m));
        return out.toArray(new KeySpec[0]);
    }

    /**
     * Redis's getKeysUsingKeySpecs over the command whose name is argument {@code base} of
     * {@code req} (0 for a command, 2 for the command inside COMMAND GETKEYS). Writes key
     * argument positions, relative to {@code base}, into {@code pos} and the index of the spec
     * that found each into {@code specOf} (may be null); stops when {@code pos} is full.
     *
     * @param partial keep going past an invalid or incomplete spec (Redis's GET_KEYSPEC_RETURN_PARTIAL)
     * @return the number of keys, or -1 when a spec could not be applied and not partial
     */
    static int find(KeySpec[] specs, RespRequest req, int base, int[] pos, int[] specOf, boolean partial) {
        int argc = req.argc() - base;
        int k = 0;
        for (int j = 0; j < specs.length; j++) {
            KeySpec s = specs[j];
            if (s.notKey) continue;
            int first = 0;
            boolean invalid = false;
            if (s.beginType == BS_INDEX) {
                first = s.index;
            } else if (s.beginType == BS_KEYWORD) {
                int start = s.startFrom > 0 ? s.startFrom : argc + s.startFrom;
                int end = s.startFrom > 0 ? argc - 1 : 0;
                for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
                    if (i >= argc || i < 1) break;
                    if (req.is(base + i, s.keyword)) {
                        first = i + 1;
                        break;
                    }
                }
                if (first == 0) continue; // keyword absent: this spec finds no keys
            } else {
                invalid = true;
            }
            int last = 0;
            int step = s.keyStep;
            if (!invalid) {
                if (s.findType == FK_RANGE) {
                    if (s.lastKey >= 0) last = first + s.lastKey;
                    else if (s.limit == 0) last = argc + s.lastKey;
                    else last = first + ((argc - first) / s.limit + s.lastKey);
                } else if (s.findType == FK_KEYNUM) {
                    int at = first + s.keyNumIdx;
                    if (at >= argc) {
                        invalid = true;
                    } else {
                        long numkeys;
                        try {
                            numkeys = Numbers.parseLong(req.buffer(), req.offset(base + at), req.length(base + at));
                        } catch (NumberFormatException e) {
                            numkeys = -1;
                        }
                        if (numkeys < 0 || numkeys > Integer.MAX_VALUE) {
                            invalid = true;
                        } else {
                            first += s.firstKey;
                            last = first + (int) numkeys - 1;
                        }
                    }
                } else {
                    invalid = true;
                }
            }
            if (!invalid && (last >= argc || last < first || first >= argc)) invalid = true;
            if (!invalid) {
                for (int i = first; i <= last && step > 0; i += step) {
                    // a variadic command given too few arguments: no key here, the command reports it
                    if (i >= argc || i < first) continue;
                    if (k == pos.length) return k;
                    if (specOf != null) specOf[k] = j;
                    pos[k++] = i;
                }
                if (s.incomplete) invalid = true;
            }
            if (invalid && !partial) return -1;
        }
        return k;
    }
}
