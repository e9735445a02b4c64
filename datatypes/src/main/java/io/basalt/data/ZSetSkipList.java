package io.basalt.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis's zskiplist: nodes ordered by (score, member bytes), each level link carrying its span so
 * ranks are found in O(log n), backward links for descending walks, plus a member -> node map
 * for O(1) score lookups (Redis's zset dict).
 */
final class ZSetSkipList {
    private static final int MAX_LEVEL = 32;

    static final class Node {
        final byte[] member;
        double score;
        Node backward;
        final Node[] forward;
        final int[] span;

        Node(int level, byte[] member, double score) {
            this.member = member;
            this.score = score;
            forward = new Node[level];
            span = new int[level];
        }

        Node next() { return forward[0]; }

        /** The previous node, or null at the head. */
        Node prev() { return backward; }
    }

    /** A byte[] with value equality, as a map key. */
    private static final class Key {
        final byte[] b;
        final int h;

        Key(byte[] b) { this.b = b; this.h = Arrays.hashCode(b); }

        @Override public int hashCode() { return h; }

        @Override public boolean equals(Object o) { return o instanceof Key && Arrays.equals(b, ((Key) o).b); }
    }

    private final Node head = new Node(MAX_LEVEL, null, 0);
    private Node tail;
    private int level = 1;
    private int length;
    private final HashMap<Key, Node> dict = new HashMap<>();

    static int compare(double s1, byte[] m1, double s2, byte[] m2) {
        if (s1 < s2) return -1;
        if (s1 > s2) return 1;
        return Arrays.compareUnsigned(m1, m2);
    }

    int size() { return length; }

    Node first() { return head.forward[0]; }

    Node find(byte[] member) { return dict.get(new Key(member)); }

    private static int randomLevel() {
        int lvl = 1;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (lvl < MAX_LEVEL && r.nextInt(4) == 0) lvl++; // p = 0.25, as Redis
        return lvl;
    }

    void insert(byte[] member, double score) {
        Node x = insertNode(member, score);
        dict.put(new Key(member), x);
    }

    private Node insertNode(byte[] member, double score) {
        Node[] update = new Node[MAX_LEVEL];
        int[] rank = new int[MAX_LEVEL];
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            while (x.forward[i] != null && compare(x.forward[i].score, x.forward[i].member, score, member) < 0) {
                rank[i] += x.span[i];
                x = x.forward[i];
            }
            update[i] = x;
        }
        int lvl = randomLevel();
        if (lvl > level) {
            for (int i = level; i < lvl; i++) {
                rank[i] = 0;
                update[i] = head;
                update[i].span[i] = length;
            }
            level = lvl;
        }
        x = new Node(lvl, member, score);
        for (int i = 0; i < lvl; i++) {
            x.forward[i] = update[i].forward[i];
            update[i].forward[i] = x;
            x.span[i] = update[i].span[i] - (rank[0] - rank[i]);
            update[i].span[i] = (rank[0] - rank[i]) + 1;
        }
        for (int i = lvl; i < level; i++) update[i].span[i]++;
        x.backward = update[0] == head ? null : update[0];
        if (x.forward[0] != null) x.forward[0].backward = x;
        else tail = x;
        length++;
        return x;
    }

    /** Moves a node to a new score (remove and re-insert, keeping the map in step). */
    void update(Node x, double score) {
        deleteNode(x.member, x.score);
        Node y = insertNode(x.member, score);
        dict.put(new Key(x.member), y);
    }

    boolean delete(byte[] member) {
        Node x = dict.remove(new Key(member));
        if (x == null) return false;
        deleteNode(x.member, x.score);
        return true;
    }

    private void deleteNode(byte[] member, double score) {
        Node[] update = new Node[MAX_LEVEL];
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && compare(x.forward[i].score, x.forward[i].member, score, member) < 0) {
                x = x.forward[i];
            }
            update[i] = x;
        }
        x = x.forward[0];
        for (int i = 0; i < level; i++) {
            if (update[i].forward[i] == x) {
                update[i].span[i] += x.span[i] - 1;
                update[i].forward[i] = x.forward[i];
            } else {
                update[i].span[i]--;
            }
        }
        if (x.forward[0] != null) x.forward[0].backward = x.backward;
        else tail = x.backward;
        while (level > 1 && head.forward[level - 1] == null) level--;
        length--;
    }

    /** 0-based rank of the member, or -1. */
    long rank(byte[] member) {
        Node n = find(member);
        if (n == null) return -1;
        long r = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && compare(x.forward[i].score, x.forward[i].member, n.score, member) <= 0) {
                r += x.span[i];
                x = x.forward[i];
            }
            if (x == n) return r - 1;
        }
        return -1;
    }

    /** The node at 0-based rank r (0 <= r < size). */
    Node byRank(int r) {
        long traversed = 0;
        long target = r + 1L;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && traversed + x.span[i] <= target) {
                traversed += x.span[i];
                x = x.forward[i];
            }
            if (traversed == target) return x;
        }
        return null;
    }

    int countBelow(double v, boolean inclusive) {
        int r = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null && (x.forward[i].score < v || (inclusive && x.forward[i].score == v))) {
                r += x.span[i];
                x = x.forward[i];
            }
        }
        return r;
    }

    int countBelowLex(byte[] v, boolean inclusive) {
        int r = 0;
        Node x = head;
        for (int i = level - 1; i >= 0; i--) {
            while (x.forward[i] != null) {
                int c = Arrays.compareUnsigned(x.forward[i].member, v);
                if (!(c < 0 || (inclusive && c == 0))) break;
                r += x.span[i];
                x = x.forward[i];
            }
        }
        return r;
    }
}
