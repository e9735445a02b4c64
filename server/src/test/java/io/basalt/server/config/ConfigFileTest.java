package io.basalt.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigFileTest {

    @Test
    void splitArgsFollowsSdssplitargs() {
        assertEquals(List.of("save", ""), ConfigFile.splitArgs("save \"\""));
        assertEquals(List.of("a b", "c"), ConfigFile.splitArgs("\"a b\" c"));
        assertEquals(List.of("x\ny", "A"), ConfigFile.splitArgs("\"x\\ny\" \"\\x41\""));
        assertEquals(List.of("it's"), ConfigFile.splitArgs("'it\\'s'"));
        assertEquals(List.of("requirepass", "p#ss"), ConfigFile.splitArgs("requirepass p#ss"));
        assertNull(ConfigFile.splitArgs("port \"6379"));
        assertNull(ConfigFile.splitArgs("port \"6379\"x"));
        assertEquals(List.of(), ConfigFile.splitArgs("   "));
    }

    @Test
    void parseSkipsCommentsAndKeepsLineNumbers() throws Exception {
        List<ConfigFile.Directive> d = ConfigFile.parse("t.conf", "# comment\n\n  port 7000  \r\nSAVE 900 1\n");
        assertEquals(2, d.size());
        assertEquals("port", d.get(0).name());
        assertEquals(3, d.get(0).line());
        assertEquals("save", d.get(1).name());
        assertEquals("900 1", d.get(1).value());
    }

    @Test
    void unbalancedQuotesNameFileAndLine() {
        ConfigFile.ConfigFileException e = assertThrows(ConfigFile.ConfigFileException.class,
                () -> ConfigFile.parse("my.conf", "port 1\nbind \"127.0.0.1\n"));
        assertTrue(e.getMessage().contains("my.conf, at line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("Unbalanced quotes in configuration line"));
    }

    @Test
    void includesWithGlobsInSortedOrder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.conf"), "maxclients 2\n");
        Files.writeString(dir.resolve("a.conf"), "maxclients 1\ntimeout 5\n");
        Path main = dir.resolve("main.conf");
        Files.writeString(main, "maxclients 9\ninclude " + dir.resolve("[ab].conf") + "\n");
        List<ConfigFile.Directive> d = ConfigFile.read(main);
        assertEquals(List.of("maxclients", "maxclients", "timeout", "maxclients"), d.stream().map(ConfigFile.Directive::name).toList());
        assertEquals("2", d.get(3).value());
    }

    @Test
    void commandLineBecomesDirectives() throws Exception {
        String text = ConfigFile.commandLineToConfig(List.of("--port", "7000", "--save", "", "--save", "900", "1",
                "--requirepass", "a b"));
        List<ConfigFile.Directive> d = ConfigFile.parse("(command line)", text);
        assertEquals(4, d.size());
        assertEquals("", d.get(1).value());
        assertEquals(List.of("900", "1"), d.get(2).args());
        assertEquals("a b", d.get(3).value());
    }

    @Test
    void memoryUnits() {
        assertEquals(1000, MemoryUnits.parse("1k"));
        assertEquals(1024, MemoryUnits.parse("1KB"));
        assertEquals(5L * 1024 * 1024 * 1024, MemoryUnits.parse("5gb"));
        assertEquals(3_000_000, MemoryUnits.parse("3m"));
        assertEquals(5, MemoryUnits.parse("05"));
        assertEquals(Long.MIN_VALUE, MemoryUnits.parse("-1"));
        assertEquals(Long.MIN_VALUE, MemoryUnits.parse("1.5mb"));
        assertEquals(Long.MIN_VALUE, MemoryUnits.parse("+1"));
        assertEquals(Long.MIN_VALUE, MemoryUnits.parse("kb"));
    }
}
