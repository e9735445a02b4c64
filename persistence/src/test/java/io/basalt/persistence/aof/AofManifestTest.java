package io.basalt.persistence.aof;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AofManifestTest {
    @Test
    void parsesAndFormatsRedisManifests() throws Exception {
        String text = "file appendonly.aof.2.base.rdb seq 2 type b\n"
                + "file appendonly.aof.1.incr.aof seq 1 type h\n"
                + "file appendonly.aof.2.incr.aof seq 2 type i\n"
                + "file appendonly.aof.3.incr.aof seq 3 type i\n";
        AofManifest m = AofManifest.parse(text);
        assertEquals("appendonly.aof.2.base.rdb", m.base.name());
        assertEquals(1, m.history.size());
        assertEquals(2, m.incr.size());
        assertEquals(2, m.currBaseSeq);
        assertEquals(3, m.currIncrSeq);
        assertEquals(text, m.format());
        // quoted names and unknown keys (forward compatibility), as sdssplitargs reads them
        AofManifest q = AofManifest.parse("file \"a b.aof\" seq 1 type i future x\n");
        assertEquals("a b.aof", q.incr.get(0).name());
        // keys are case-insensitive and the type is the value's first character (strcasecmp, [0])
        AofManifest u = AofManifest.parse("# a comment\nFILE a.rdb SEQ 3 TYPE base\n");
        assertEquals("a.rdb", u.base.name());
        assertEquals(3, u.currBaseSeq);
    }

    @Test
    void rejectsWhatRedisRejects() {
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse("")).getMessage().contains("empty AOF manifest"));
        // fgets-based: a blank line, a last line without its newline, a path
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse("\n")).getMessage()
                .contains("Invalid AOF manifest file format"));
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse("file a seq 1 type b\n\nfile b seq 1 type i\n"))
                .getMessage().contains("Invalid AOF manifest file format"));
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse("file a seq 1 type b")).getMessage()
                .contains("too long line"));
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse("file dir/a seq 1 type b\n")).getMessage()
                .contains("File can't be a path, just a filename"));
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse("file x seq 1 type q\n")).getMessage()
                .contains("Unknown AOF file type"));
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse("file x seq 1\n")).getMessage()
                .contains("Invalid AOF manifest file format"));
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse(
                "file a seq 1 type b\nfile b seq 2 type b\n")).getMessage().contains("duplicate base"));
        assertTrue(assertThrows(AofException.class, () -> AofManifest.parse(
                "file a seq 2 type i\nfile b seq 1 type i\n")).getMessage().contains("non-monotonic"));
    }
}
