package io.basalt.persistence.aof;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AofLoaderTest {
    private static final String SET = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n";

    private final List<String> applied = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final AofLoader loader = new AofLoader(warnings::add, null);

    private AofLoader.Status load(Path f, boolean truncate) throws Exception {
        return loader.load(f, argv -> {
            StringBuilder sb = new StringBuilder();
            for (byte[] a : argv) sb.append(sb.length() == 0 ? "" : " ").append(new String(a, StandardCharsets.UTF_8));
            applied.add(sb.toString());
        }, truncate, true);
    }

    @Test
    void skipsAnnotationsAndAppliesTransactionsWhole(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.aof");
        Files.writeString(f, "#TS:1700000000\r\n" + SET + "*1\r\n$5\r\nMULTI\r\n" + SET + "*1\r\n$4\r\nEXEC\r\n");
        assertEquals(AofLoader.Status.OK, load(f, false));
        assertEquals(List.of("SET k 1", "SET k 1"), applied);
    }

    @Test
    void truncatesATornTailAtTheLastCompleteCommand(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.aof");
        Files.writeString(f, SET + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab");
        assertEquals(AofLoader.Status.TRUNCATED, load(f, true));
        assertEquals(SET.length(), Files.size(f));
        assertEquals(List.of("SET k 1"), applied);
        assertTrue(warnings.contains("!!! Truncating the AOF a.aof at offset " + SET.length() + " !!!"), warnings.toString());
    }

    @Test
    void revertsAnUnterminatedTransaction(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.aof");
        Files.writeString(f, SET + "*1\r\n$5\r\nMULTI\r\n" + SET);
        assertEquals(AofLoader.Status.TRUNCATED, load(f, true));
        assertEquals(List.of("SET k 1"), applied);
        assertEquals(SET.length(), Files.size(f));
        assertTrue(warnings.contains("Revert incomplete MULTI/EXEC transaction in AOF file a.aof"));
    }

    @Test
    void refusesBadFramingAndShortReadsWithoutTruncation(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.aof");
        Files.writeString(f, SET + "*1\r\n$4\r\nPINGxx");
        AofException e = assertThrows(AofException.class, () -> load(f, true));
        assertTrue(e.getMessage().startsWith("Bad file format reading the append only file a.aof (at offset " + SET.length()), e.getMessage());
        Files.writeString(f, SET + "*1\r\n$4\r\nPI");
        e = assertThrows(AofException.class, () -> load(f, false));
        assertTrue(e.getMessage().contains("Unexpected end of file reading the append only file a.aof"), e.getMessage());
    }
}
