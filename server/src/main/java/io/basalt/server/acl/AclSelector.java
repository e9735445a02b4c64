package io.basalt.server.acl;

import io.basalt.server.command.AclCategories;
import io.basalt.data.Glob;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.KeySpec;
import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One set of permissions of a user (Redis 7.0's aclSelector): the commands it may run (a bitmap
 * over the command table's ACL ids, plus allowed first arguments), the key patterns with their
 * read/write access, and the channel patterns. Every user has a root selector; {@code (...)}
 * adds more, and a command is allowed if any one of them allows it.
 *
 * <p>Mutated only while a user's new state is built ({@link AclUser.State#copy()}); a state
 * once published is never changed, so checks on other threads read it without locks.
 */
final class AclSelector {
    static final int ROOT = 1;
    static final int ALLKEYS = 1 << 1;
    static final int ALLCHANNELS = 1 << 2;
    static final int ALLCOMMANDS = 1 << 3;

    int flags;
    long[] allowed;
    /** Redis's reserved "future commands" bit: set by +@all/allcommands, cleared only by -@all/nocommands. */
    boolean future;
    /** Allowed first arguments by command id ({@code +select|0}), or null when there are none. */
    Map<Integer, List<String>> firstArgs;
    final List<KeyPattern> keys = new ArrayList<>();
    final List<ChannelPattern> channels = new ArrayList<>();

    AclSelector(int flags, int ids) {
        this.flags = flags;
        this.allowed = new long[(ids + 63) / 64];
    }

    AclSelector copy() {
        AclSelector s = new AclSelector(flags, 0);
        s.allowed = allowed.clone();
        s.future = future;
        if (firstArgs != null) {
            s.firstArgs = new HashMap<>();
            for (Map.Entry<Integer, List<String>> e : firstArgs.entrySet()) s.firstArgs.put(e.getKey(), new ArrayList<>(e.getValue()));
        }
        s.keys.addAll(keys);
        s.channels.addAll(channels);
        return s;
    }

    boolean bit(int id) { return (allowed[id >>> 6] & (1L << id)) != 0; }

    void bit(int id, boolean value) {
        if (value) {
            allowed[id >>> 6] |= 1L << id;
        } else {
            allowed[id >>> 6] &= ~(1L << id);
            flags &= ~ALLCOMMANDS;
        }
    }

    /** Redis's ACLChangeSelectorPerm: the command, and every subcommand of a container. */
    void changePerm(CommandSpec cmd, boolean allow) {
        bit(cmd.aclId, allow);
        if (firstArgs != null) firstArgs.remove(cmd.aclId);
        for (CommandSpec sub : cmd.subcommands().values()) bit(sub.aclId, allow);
    }

    /** +@cat / -@cat over the table (Redis's ACLSetSelectorCommandBitsForCategoryLogic). */
    void category(AclTable t, long cat, boolean allow) {
        for (CommandSpec cmd : t.commands) {
            if ((t.categories(cmd) & cat) != 0) changePerm(cmd, allow);
            for (CommandSpec sub : cmd.subcommands().values()) {
                if ((t.categories(sub) & cat) != 0) changePerm(sub, allow);
            }
        }
    }

    void allCommands(boolean allow) {
        Arrays.fill(allowed, allow ? -1L : 0L);
        future = allow;
        if (allow) flags |= ALLCOMMANDS;
        else flags &= ~ALLCOMMANDS;
        firstArgs = null;
    }

    /**
     * Redis's ACLSetSelector: applies one rule (an alias, a key or channel pattern, a command or
     * category). Throws with Redis's reason when the rule is not valid.
     */
    void apply(AclTable t, String op) throws AclException {
        if (op.equalsIgnoreCase("allkeys") || op.equals("~*")) {
            flags |= ALLKEYS;
            keys.clear();
        } else if (op.equalsIgnoreCase("resetkeys")) {
            flags &= ~ALLKEYS;
            keys.clear();
        } else if (op.equalsIgnoreCase("allchannels") || op.equals("&*")) {
            flags |= ALLCHANNELS;
            channels.clear();
        } else if (op.equalsIgnoreCase("resetchannels")) {
            flags &= ~ALLCHANNELS;
            channels.clear();
        } else if (op.equalsIgnoreCase("allcommands") || op.equalsIgnoreCase("+@all")) {
            allCommands(true);
        } else if (op.equalsIgnoreCase("nocommands") || op.equalsIgnoreCase("-@all")) {
            allCommands(false);
        } else if (op.startsWith("~") || op.startsWith("%")) {
            if ((flags & ALLKEYS) != 0) throw new AclException(AclException.KEYS_AFTER_ALL);
            int access = 0;
            int offset = 1;
            if (op.charAt(0) == '%') {
                for (; offset < op.length(); offset++) {
                    char ch = Character.toUpperCase(op.charAt(offset));
                    if (ch == 'R' && (access & KeySpec.ACL_READ) == 0) {
                        access |= KeySpec.ACL_READ;
                    } else if (ch == 'W' && (access & KeySpec.ACL_WRITE) == 0) {
                        access |= KeySpec.ACL_WRITE;
                    } else if (op.charAt(offset) == '~') {
                        offset++;
                        break;
                    } else {
                        throw new AclException(AclException.SYNTAX);
                    }
                }
            } else {
                access = KeySpec.ACL_READ | KeySpec.ACL_WRITE;
            }
            String pattern = op.substring(Math.min(offset, op.length()));
            if (Acl.hasSpaces(pattern)) throw new AclException(AclException.SYNTAX);
            int found = -1;
            for (int i = 0; i < keys.size(); i++) if (keys.get(i).text.equals(pattern)) found = i;
            // the same pattern again widens its access instead of adding it twice
            if (found < 0) keys.add(new KeyPattern(pattern, access));
            else keys.set(found, new KeyPattern(pattern, keys.get(found).access | access));
            flags &= ~ALLKEYS;
        } else if (op.startsWith("&")) {
            if ((flags & ALLCHANNELS) != 0) throw new AclException(AclException.CHANNELS_AFTER_ALL);
            String pattern = op.substring(1);
            if (Acl.hasSpaces(pattern)) throw new AclException(AclException.SYNTAX);
            boolean present = false;
            for (ChannelPattern c : channels) present |= c.text.equals(pattern);
            if (!present) channels.add(new ChannelPattern(pattern));
            flags &= ~ALLCHANNELS;
        } else if (op.startsWith("+") && !op.startsWith("+@")) {
            String name = op.substring(1);
            int bar = name.lastIndexOf('|');
            if (bar < 0) {
                CommandSpec cmd = t.lookup(name);
                if (cmd == null) throw new AclException(AclException.UNKNOWN);
                changePerm(cmd, true);
            } else {
                String sub = name.substring(bar + 1);
                CommandSpec cmd = t.lookup(name.substring(0, bar));
                if (cmd == null) throw new AclException(AclException.UNKNOWN);
                if (cmd.parent != null) throw new AclException(AclException.FIRSTARG_OF_SUBCOMMAND);
                if (sub.isEmpty()) throw new AclException(AclException.SYNTAX);
                if (cmd.isContainer()) {
                    CommandSpec s = t.lookup(name);
                    if (s == null) throw new AclException(AclException.UNKNOWN);
                    changePerm(s, true);
                } else {
                    // Redis's deprecated first-arg form (+select|0): allowed for that first argument only
                    if (firstArgs == null) firstArgs = new HashMap<>();
                    List<String> l = firstArgs.computeIfAbsent(cmd.aclId, k -> new ArrayList<>());
                    boolean present = false;
                    for (String s : l) present |= s.equalsIgnoreCase(sub);
                    if (!present) l.add(sub);
                }
            }
        } else if (op.startsWith("-") && !op.startsWith("-@")) {
            CommandSpec cmd = t.lookup(op.substring(1));
            if (cmd == null) throw new AclException(AclException.UNKNOWN);
            changePerm(cmd, false);
        } else if ((op.startsWith("+@") || op.startsWith("-@"))) {
            long cat = AclCategories.bit(op.substring(2));
            if (cat == 0) throw new AclException(AclException.UNKNOWN);
            category(t, cat, op.charAt(0) == '+');
        } else {
            throw new AclException(AclException.SYNTAX);
        }
    }

    // ---------------------------------------------------------------- description

    /** Redis's ACLCountCategoryBitsForSelector: {on, off} among the commands of category {@code cat}. */
    private long[] count(AclTable t, long cat) {
        long on = 0;
        long off = 0;
        for (CommandSpec cmd : t.commands) {
            if ((t.categories(cmd) & cat) != 0) {
                if (bit(cmd.aclId)) on++;
                else off++;
            }
            for (CommandSpec sub : cmd.subcommands().values()) {
                if ((t.categories(sub) & cat) != 0) {
                    if (bit(sub.aclId)) on++;
                    else off++;
                }
            }
        }
        return new long[] {on, off};
    }

    /**
     * Redis's ACLDescribeSelectorCommandRules: +@all or -@all, then the categories that fit best
     * (each applied in turn to a scratch selector), then the single commands that still differ.
     * Single commands come in the command table's order (Redis's own order is its hash table's).
     */
    String describeCommands(AclTable t) {
        StringBuilder rules = new StringBuilder();
        AclSelector fake = new AclSelector(0, t.ids);
        boolean additive = !future;
        rules.append(additive ? "-@all " : "+@all ");
        fake.allCommands(!additive);
        AclSelector temp = new AclSelector(0, t.ids);
        temp.allowed = allowed.clone();
        boolean[] applied = new boolean[AclCategories.NAMES.size()];
        while (true) {
            int best = -1;
            long minDiff = Integer.MAX_VALUE;
            long maxSame = 0;
            for (int j = 0; j < applied.length; j++) {
                if (applied[j]) continue;
                long[] onOff = temp.count(t, 1L << j);
                long diff = additive ? onOff[1] : onOff[0];
                long same = additive ? onOff[0] : onOff[1];
                if (same > diff && (diff < minDiff || (diff == minDiff && same > maxSame))) {
                    best = j;
                    minDiff = diff;
                    maxSame = same;
                }
            }
            if (best == -1) break;
            fake.category(t, 1L << best, additive);
            temp.category(t, 1L << best, !additive);
            rules.append(additive ? "+@" : "-@").append(AclCategories.NAMES.get(best)).append(' ');
            applied[best] = true;
        }
        for (CommandSpec cmd : t.all) describeSingle(cmd, fake, rules);
        rules.setLength(rules.length() - 1);
        return rules.toString();
    }

    private void describeSingle(CommandSpec cmd, AclSelector fake, StringBuilder rules) {
        boolean userBit = bit(cmd.aclId);
        if (userBit != fake.bit(cmd.aclId)) {
            rules.append(userBit ? '+' : '-').append(cmd.name).append(' ');
            fake.changePerm(cmd, userBit);
        }
        for (CommandSpec sub : cmd.subcommands().values()) describeSingle(sub, fake, rules);
        if (!userBit && firstArgs != null && firstArgs.containsKey(cmd.aclId)) {
            for (String arg : firstArgs.get(cmd.aclId)) rules.append('+').append(cmd.name).append('|').append(arg).append(' ');
        }
    }

    /** The key patterns as GETUSER shows them ("~*" for allkeys). */
    String describeKeys() {
        if ((flags & ALLKEYS) != 0) return "~*";
        StringBuilder b = new StringBuilder();
        for (KeyPattern k : keys) {
            if (b.length() > 0) b.append(' ');
            b.append(k.describe());
        }
        return b.toString();
    }

    /** The channel patterns as GETUSER shows them ("&*" for allchannels). */
    String describeChannels() {
        if ((flags & ALLCHANNELS) != 0) return "&*";
        StringBuilder b = new StringBuilder();
        for (ChannelPattern c : channels) {
            if (b.length() > 0) b.append(' ');
            b.append('&').append(c.text);
        }
        return b.toString();
    }

    /** Redis's ACLDescribeSelector: keys, channels, then the command rules. */
    String describe(AclTable t) {
        StringBuilder b = new StringBuilder();
        if ((flags & ALLKEYS) != 0) {
            b.append("~* ");
        } else {
            for (KeyPattern k : keys) b.append(k.describe()).append(' ');
        }
        if ((flags & ALLCHANNELS) != 0) {
            b.append("&* ");
        } else {
            b.append("resetchannels ");
            for (ChannelPattern c : channels) b.append('&').append(c.text).append(' ');
        }
        return b.append(describeCommands(t)).toString();
    }

    // ---------------------------------------------------------------- checks

    /** Whether a key (argument bytes) may be accessed with {@code access} (Redis's ACLSelectorCheckKey). */
    boolean keyAllowed(ByteBuf buf, int off, int len, int access) {
        if ((flags & ALLKEYS) != 0) return true;
        // the key's address, found once for every pattern (the parser's buffers are direct)
        long address = buf.hasMemoryAddress() && off >= 0 && off + len <= buf.capacity() ? buf.memoryAddress() + off : 0;
        List<KeyPattern> l = keys;
        for (int i = 0, n = l.size(); i < n; i++) {
            KeyPattern p = l.get(i);
            if ((p.access & access) != access) continue;
            if (p.matches(address, buf, off, len)) return true;
        }
        return false;
    }

    /** Redis's ACLSelectorHasUnrestrictedKeyAccess: allkeys, or a "*" pattern with the access. */
    boolean unrestrictedKeys(int access) {
        if ((flags & ALLKEYS) != 0) return true;
        for (KeyPattern p : keys) if ((p.access & access) == access && p.text.equals("*")) return true;
        return false;
    }

    /**
     * Redis's ACLCheckChannelAgainstList: a channel is matched against the patterns as a glob; a
     * pattern given to PSUBSCRIBE only literally.
     */
    static boolean channelAllowed(List<ChannelPattern> list, byte[] channel, boolean isPattern) {
        for (ChannelPattern p : list) {
            if (isPattern ? Arrays.equals(p.bytes, channel) : Glob.match(p.bytes, channel, false)) return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- patterns

    /** A key pattern with its access; literal and "prefix*" patterns are matched without copying the key. */
    static final class KeyPattern {
        private static final int GLOB = 0;
        private static final int ALL = 1;
        private static final int EXACT = 2;
        private static final int PREFIX = 3;

        final String text;
        final int access;
        final byte[] bytes;
        private final int kind;
        private final byte[] literal;

        KeyPattern(String text, int access) {
            this.text = text;
            this.access = access;
            this.bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] == '*') end--;
            boolean special = false;
            for (int i = 0; i < end; i++) {
                byte b = bytes[i];
                special |= b == '*' || b == '?' || b == '[' || b == '\\';
            }
            if (special) {
                kind = GLOB;
            } else if (end == 0 && bytes.length > 0) {
                kind = ALL;
            } else if (end == bytes.length) {
                kind = EXACT;
            } else {
                kind = PREFIX;
            }
            literal = Arrays.copyOf(bytes, end);
        }

        /** Whether the key ({@code len} bytes at {@code off}, at {@code address} when not 0) matches. */
        boolean matches(long address, ByteBuf buf, int off, int len) {
            switch (kind) {
                case ALL:
                    return true;
                case EXACT:
                    return len == literal.length && prefix(address, buf, off);
                case PREFIX:
                    return len >= literal.length && prefix(address, buf, off);
                default:
                    byte[] key = new byte[len];
                    buf.getBytes(off, key);
                    return Glob.match(bytes, key, false);
            }
        }

        /**
         * Whether the key starts with the literal. Read straight from memory when the buffer has
         * an address (a {@code getByte} per byte would check bounds and the reference count).
         */
        private boolean prefix(long address, ByteBuf buf, int off) {
            byte[] lit = literal;
            int n = lit.length;
            if (address != 0) {
                for (int i = 0; i < n; i++) if (PlatformDependent.getByte(address + i) != lit[i]) return false;
                return true;
            }
            for (int i = 0; i < n; i++) if (buf.getByte(off + i) != lit[i]) return false;
            return true;
        }

        String describe() {
            String prefix = access == (KeySpec.ACL_READ | KeySpec.ACL_WRITE) ? "~" : access == KeySpec.ACL_READ ? "%R~" : "%W~";
            return prefix + text;
        }
    }

    /** A channel pattern of a selector. */
    static final class ChannelPattern {
        final String text;
        final byte[] bytes;

        ChannelPattern(String text) {
            this.text = text;
            this.bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}
