package io.basalt.data;

import java.util.function.Consumer;

/**
 * A plain set seen as an input of ZUNION/ZINTER/ZDIFF/ZINTERCARD (and their STORE forms), which
 * Redis accepts with every member scored 1. The set type implements this so the sorted-set
 * commands can read it without depending on its representation.
 */
public interface ZSetSource {
    /** Number of members. */
    int memberCount();

    /** Whether the member is in the set. */
    boolean hasMember(byte[] member);

    /** Visits every member once (callers do not modify the arrays). */
    void forEachMember(Consumer<byte[]> visitor);
}
