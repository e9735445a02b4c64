package io.basalt.resp;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The project's JSON codec: compact (admin API) and indented (backup manifest) forms, and the parser. */
class JsonTest {
    private static Map<String, Object> doc() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "basalt-backup");
        m.put("format", 1);
        m.put("log", null);
        m.put("empty", Map.of());
        m.put("none", List.of());
        m.put("files", List.of(Map.of("path", "a\"b\n"), 2.5, true));
        return m;
    }

    @Test
    void compact() {
        assertEquals("{\"kind\":\"basalt-backup\",\"format\":1,\"log\":null,\"empty\":{},\"none\":[],"
                + "\"files\":[{\"path\":\"a\\\"b\\n\"},2.5,true]}", Json.write(doc()));
    }

    @Test
    void indentedAsTheBackupManifestIsWritten() {
        assertEquals("{\n"
                + "  \"kind\": \"basalt-backup\",\n"
                + "  \"format\": 1,\n"
                + "  \"log\": null,\n"
                + "  \"empty\": {},\n"
                + "  \"none\": [],\n"
                + "  \"files\": [\n"
                + "    {\n"
                + "      \"path\": \"a\\\"b\\n\"\n"
                + "    },\n"
                + "    2.5,\n"
                + "    true\n"
                + "  ]\n"
                + "}\n", Json.writeIndented(doc()));
    }

    @Test
    void parsesWhatItWrites() throws Json.ParseException {
        Object back = Json.parse(Json.writeIndented(doc()));
        assertEquals(Json.write(Json.parse(Json.write(doc()))), Json.write(back));
        assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\": 1,}"));
        assertThrows(Json.ParseException.class, () -> Json.parse("[1] x"));
    }
}
