package io.basalt.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigRewriteTest {

    @Test
    void keepsCommentsReplacesInPlaceAndAppends(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("redis.conf");
        Files.writeString(f, "# my settings\nport 7000\nsave 900 1\nsave 300 10\nunknown-thing 1\n"
                + "client-output-buffer-limit pubsub 1mb 2mb 3\nclient-output-buffer-limit normal 1 2 3\n"
                + "slave-read-only yes\n");
        Config c = Config.defaults();
        c.file(f);
        for (ConfigFile.Directive d : ConfigFile.read(f)) c.setAtStartup(d.name(), d.value());
        c.set(List.of(new String[]{"save", "100 1"}, new String[]{"maxmemory", "1gb"},
                new String[]{"replica-read-only", "no"}, new String[]{"requirepass", "a b"}));
        ConfigRewrite.rewrite(c);
        List<String> lines = Files.readAllLines(f);
        assertEquals("# my settings", lines.get(0));
        assertEquals("port 7000", lines.get(1));
        assertEquals("save 100 1", lines.get(2));
        assertEquals("", lines.get(3));
        assertEquals("unknown-thing 1", lines.get(4));
        assertEquals("client-output-buffer-limit normal 1 2 3", lines.get(5));
        assertEquals("client-output-buffer-limit replica 256mb 64mb 60", lines.get(6));
        assertEquals("replica-read-only no", lines.get(7));
        int tail = lines.indexOf(ConfigRewrite.SIGNATURE);
        assertTrue(tail > 7);
        List<String> appended = new ArrayList<>(lines.subList(tail + 1, lines.size()));
        assertTrue(appended.contains("client-output-buffer-limit pubsub 1mb 2mb 3"), appended.toString());
        assertTrue(appended.contains("maxmemory 1gb"), appended.toString());
        assertTrue(appended.contains("requirepass \"a b\""), appended.toString());
        assertFalse(appended.contains("timeout 0"), "defaults are not written");

        // the rewritten file reads back to the same configuration, and a second rewrite is stable
        Config again = Config.defaults();
        for (ConfigFile.Directive d : ConfigFile.read(f)) again.setAtStartup(d.name(), d.value());
        assertEquals(c.snapshot(), again.snapshot());
        again.file(f);
        String first = Files.readString(f);
        ConfigRewrite.rewrite(again);
        assertEquals(first, Files.readString(f));
    }
}
