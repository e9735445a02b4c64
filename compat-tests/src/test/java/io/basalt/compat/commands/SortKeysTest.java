package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

/** COMMAND GETKEYS for SORT/SORT_RO (Redis's sortGetKeys quirks) against redis-server 7.0. */
class SortKeysTest extends DifferentialTest {

    @Test
    void getKeys() {
        String[][] cmds = {
            {"sort", "l"}, {"sort", "l", "store", "d"}, {"sort", "l", "by", "w_*", "get", "#", "store", "d", "limit", "0", "1"},
            {"sort", "l", "store"}, {"sort", "l", "limit", "1", "store", "d"}, {"sort", "l", "foo", "store", "d"},
            {"sort", "l", "store", "d", "store", "e"}, {"sort", "l", "STORE", "d", "foo"},
            {"sort", "l", "store", "limit", "store", "d"}, {"sort", "l", "get", "store", "d"},
            {"sort_ro", "l"}, {"sort_ro", "l", "store", "d"}, {"sort_ro", "l", "by", "x", "get", "y"},
        };
        for (String[] c : cmds) {
            String[] full = new String[c.length + 2];
            full[0] = "COMMAND";
            full[1] = "GETKEYS";
            System.arraycopy(c, 0, full, 2, c.length);
            same(full);
        }
    }

    /** The parser's STORE key differs from sortGetKeys's here: it must still be written. */
    @Test
    void storeKeyOutsideKeySpec() {
        same("RPUSH", "l", "3", "1", "2");
        same("SORT", "l", "store", "limit", "store", "d");
        same("LRANGE", "d", "0", "-1");
        same("EXISTS", "limit");
        same("SORT", "l", "LIMIT", "0", "2", "store", "get", "store", "e");
        same("SORT", "l", "store", "get", "get", "#", "store", "e2");
        same("LRANGE", "e2", "0", "-1");
        same("EXISTS", "get");
        same("SORT", "l", "store", "by", "by", "nosort", "store", "f", "DESC");
        same("LRANGE", "f", "0", "-1");
        same("EXISTS", "by");
    }
}
