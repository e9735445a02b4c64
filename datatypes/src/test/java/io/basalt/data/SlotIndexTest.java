package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-slot key lists behind CLUSTER COUNTKEYSINSLOT/GETKEYSINSLOT: checked against a model
 * (each slot's keys, newest first, as Redis's slots_to_keys lists them) through inserts,
 * overwrites, deletes, the table's compaction after mass deletes, expiry, flushes and SWAPDB.
 */
class SlotIndexTest {
    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static void put(Keyspace ks, int db, String key, long expireAt) {
        byte[] k = b(key);
        ks.shardOf(k).put(db, k, StringRecord.create(k, b("v"), expireAt, StringRecord.ENC_EMBSTR));
    }

    private static List<String> keys(Keyspace ks, int db, int slot) {
        List<String> out = new ArrayList<>();
        for (byte[] k : ks.keysInSlot(db, slot, Integer.MAX_VALUE)) out.add(new String(k, StandardCharsets.UTF_8));
        return out;
    }

    @Test
    void matchesAModelThroughInsertsDeletesAndCompaction() {
        Keyspace ks = new Keyspace(2, 64);
        ks.enableSlotIndex();
        Map<Integer, LinkedList<String>> model = new HashMap<>();
        Random rnd = new Random(7);
        String[] tags = {"{a}", "{b}", "{c}", ""};
        List<String> live = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 5000; i++) {
                String key = tags[rnd.nextInt(tags.length)] + "k" + round + "_" + i;
                put(ks, 0, key, -1);
                model.computeIfAbsent(Slots.slot(b(key)), x -> new LinkedList<>()).addFirst(key);
                live.add(key);
            }
            // an overwrite keeps the key's place (Redis's dbOverwrite keeps the dict entry)
            for (int i = 0; i < 200; i++) put(ks, 0, live.get(rnd.nextInt(live.size())), -1);
            // deleting most keys shrinks the tables, which compacts their slabs (slots renumbered)
            java.util.Collections.shuffle(live, rnd);
            int keep = live.size() / 10;
            for (String key : live.subList(keep, live.size())) {
                byte[] k = b(key);
                ks.shardOf(k).remove(0, k);
                model.get(Slots.slot(k)).remove(key);
            }
            live = new ArrayList<>(live.subList(0, keep));
        }
        for (Map.Entry<Integer, LinkedList<String>> e : model.entrySet()) {
            assertEquals(e.getValue().size(), ks.countKeysInSlot(0, e.getKey()));
            assertEquals(e.getValue(), keys(ks, 0, e.getKey()));
            assertEquals(0, ks.countKeysInSlot(1, e.getKey()));
        }
        int slot = Slots.slot(b("{a}"));
        assertEquals(model.get(slot).subList(0, 3), ks.keysInSlot(0, slot, 3).stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList());
    }

    @Test
    void enabledLateIndexesWhatIsStored() {
        Keyspace ks = new Keyspace(1, 4);
        put(ks, 0, "{x}1", -1);
        put(ks, 0, "{x}2", -1);
        int slot = Slots.slot(b("x"));
        assertEquals(0, ks.countKeysInSlot(0, slot));
        ks.enableSlotIndex();
        assertEquals(2, ks.countKeysInSlot(0, slot));
        put(ks, 0, "{x}3", -1);
        assertEquals("{x}3", keys(ks, 0, slot).get(0));
    }

    @Test
    void expiryFlushAndSwapdb() {
        Keyspace ks = new Keyspace(2, 8);
        ks.enableSlotIndex();
        int slot = Slots.slot(b("t"));
        put(ks, 0, "{t}live", -1);
        put(ks, 0, "{t}gone", System.currentTimeMillis() - 1);
        // an expired key still counts until it is removed, as in Redis
        assertEquals(2, ks.countKeysInSlot(0, slot));
        ks.activeExpireCycle(1_000_000_000L);
        assertEquals(List.of("{t}live"), keys(ks, 0, slot));
        put(ks, 1, "{t}other", -1);
        ks.swap(0, 1);
        assertEquals(List.of("{t}other"), keys(ks, 0, slot));
        assertEquals(List.of("{t}live"), keys(ks, 1, slot));
        ks.flush(1);
        assertEquals(0, ks.countKeysInSlot(1, slot));
        put(ks, 1, "{t}again", -1);
        assertEquals(List.of("{t}again"), keys(ks, 1, slot));
    }
}
