package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Shard.Edit}: the accounting of in-place changes that a command cannot forget or misorder. */
class ShardEditTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private final Keyspace ks = new Keyspace(2, 1);
    private final Shard shard = ks.shard(0);

    private void noDrift() { assertEquals(0, shard.accountingDrift()); }

    @Test
    void accountsGrowthShrinkAndRemovesAnEmptiedCollection() {
        shard.lock();
        try {
            byte[] key = b("h");
            ks.limits().hashMaxListpackEntries = 50;
            HashValue h = null;
            try (Shard.Edit ed = shard.edit(0, key, null)) {
                h = ed.insert(new HashValue(key));
                assertSame(h, shard.peek(0, key), "stored at once");
                for (int i = 0; i < 100; i++) h.set(b("f" + i), b("v" + i), ed.limits());
            }
            noDrift();
            assertEquals("hashtable", h.encodingName(), "the edit hands out its keyspace's limits");
            try (Shard.Edit ed = shard.edit(0, key, h)) {
                for (int i = 0; i < 60; i++) h.delete(b("f" + i));
            }
            noDrift();
            try (Shard.Edit ed = shard.edit(0, key, h)) {
                for (int i = 60; i < 100; i++) h.delete(b("f" + i));
            }
            noDrift();
            assertNull(shard.peek(0, key), "an emptied hash is removed, after its shrink was accounted");
            // a collection inserted and left empty (a command that failed half-way) goes too
            try (Shard.Edit ed = shard.edit(1, key, null)) {
                ed.insert(SetValue.createIntset(key));
            }
            assertNull(shard.peek(1, key));
            noDrift();
        } finally {
            shard.unlock();
        }
    }

    @Test
    void nestedEditsOfOneValueCountItOnce() {
        shard.lock();
        try {
            byte[] key = b("l");
            ListValue l;
            try (Shard.Edit ed = shard.edit(0, key, null)) {
                l = ed.insert(new ListValue(key));
                l.pushTail(b("only"), ed.limits());
            }
            // LMOVE l l: pop (empty for a moment), then push back through a second edit
            try (Shard.Edit src = shard.edit(0, key, l)) {
                byte[] v = l.popHead(src.limits());
                try (Shard.Edit dst = shard.edit(0, key, l)) {
                    for (int i = 0; i < 50; i++) l.pushTail(("more " + i).getBytes(), dst.limits());
                    l.pushTail(v, dst.limits());
                }
            }
            assertSame(l, shard.peek(0, key));
            noDrift();
        } finally {
            shard.unlock();
        }
    }

    @Test
    void editsCloseInReverseOrderAndOnlyUnderTheLock() {
        assertThrows(IllegalStateException.class, () -> shard.edit(0, b("k"), null));
        shard.lock();
        try {
            Shard.Edit outer = shard.edit(0, b("a"), null);
            Shard.Edit inner = shard.edit(0, b("b"), null);
            assertThrows(IllegalStateException.class, outer::close);
            inner.close();
            outer.close();
            // handles are reused: opening again allocates nothing new
            try (Shard.Edit again = shard.edit(0, b("c"), null)) {
                assertSame(outer, again);
            }
            assertTrue(shard.heldByCurrentThread());
        } finally {
            shard.unlock();
        }
    }
}
