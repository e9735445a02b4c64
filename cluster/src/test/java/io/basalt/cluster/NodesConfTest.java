package io.basalt.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nodes.conf: a file written by redis-server 7.0.15 loads, and saves back line for line. */
class NodesConfTest {
    @TempDir
    Path dir;

    private static String fixture() throws Exception {
        try (var in = NodesConfTest.class.getResourceAsStream("/redis-nodes.conf")) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void redisFileLoadsAndSavesBack() throws Exception {
        Path f = dir.resolve("nodes.conf");
        String redis = fixture();
        Files.writeString(f, redis, StandardCharsets.ISO_8859_1);
        ClusterState cs = new ClusterState(new ClusterOptions());
        NodesConf conf = new NodesConf(f);
        assertTrue(conf.load(cs, System.currentTimeMillis()));
        assertEquals("fcb954e1ddf983a6c4cbaeecfa6795daa34a5ea5", cs.myself().name);
        assertEquals(5, cs.currentEpoch());
        assertEquals(4, cs.nodes().size());
        assertEquals("9d8ef546ae19700628e58e5ec30299fd72b350c7", cs.slotOwner(0).name);
        assertEquals(cs.myself(), cs.slotOwner(5461));
        ClusterNode replica = cs.lookup("e16feb9b8aac132a82ac3d8f597aa35f886b719e");
        assertTrue(replica.isReplica());
        assertEquals(cs.slotOwner(0), replica.master);
        assertEquals(0, replica.configEpoch); // a replica's epoch is its master's (not loaded)
        conf.save(cs, true);
        // the same lines
        String[] before = redis.split("\n");
        String[] after = Files.readString(f, StandardCharsets.ISO_8859_1).split("\n");
        assertEquals(before.length, after.length);
        for (int i = 0; i < before.length; i++) {
            String[] b = before[i].split(" "), a = after[i].split(" ");
            assertEquals(b.length, a.length, after[i]);
            for (int j = 0; j < b.length; j++) {
                if (j == 4 || j == 5 || j == 7) continue; // times and link state are this process's
                assertEquals(b[j], a[j], after[i]);
            }
        }
    }

    @Test
    void missingOrEmptyFileMeansNewNode() throws Exception {
        Path f = dir.resolve("nodes.conf");
        assertFalse(new NodesConf(f).load(new ClusterState(new ClusterOptions()), 0));
        Files.writeString(f, "");
        assertFalse(new NodesConf(f).load(new ClusterState(new ClusterOptions()), 0));
    }

    @Test
    void corruptFilesAreRefused() throws Exception {
        Path f = dir.resolve("nodes.conf");
        for (String bad : new String[] {
            "vars currentEpoch\n",
            "abc 127.0.0.1:7000@17000 myself,master - 0 0 1 connected\n",
            "fcb954e1ddf983a6c4cbaeecfa6795daa34a5ea5 127.0.0.1:7000@17000 master - 0 0 1 connected\n", // no myself
            "fcb954e1ddf983a6c4cbaeecfa6795daa34a5ea5 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 16384\n",
            "fcb954e1ddf983a6c4cbaeecfa6795daa34a5ea5 127.0.0.1:7000@17000 myself,bogus - 0 0 1 connected\n"}) {
            Files.writeString(f, bad);
            assertThrows(NodesConf.CorruptException.class, () -> new NodesConf(f).load(new ClusterState(new ClusterOptions()), 0), bad);
        }
    }

    @Test
    void aShorterSaveLeavesNoTailOfTheOldFile() throws Exception {
        Path f = dir.resolve("nodes.conf");
        Files.writeString(f, fixture() + "\n".repeat(1000), StandardCharsets.ISO_8859_1);
        ClusterState cs = new ClusterState(new ClusterOptions());
        NodesConf conf = new NodesConf(f);
        assertTrue(conf.load(cs, 0));
        conf.save(cs, false);
        assertTrue(Files.readString(f).endsWith("lastVoteEpoch 5\n"));
    }

    @Test
    void aLockedFileIsRefused() throws Exception {
        Path f = dir.resolve("nodes.conf");
        NodesConf a = new NodesConf(f);
        assertTrue(a.lock());
        try {
            assertFalse(new NodesConf(f).lock());
        } finally {
            a.unlock();
        }
    }
}
