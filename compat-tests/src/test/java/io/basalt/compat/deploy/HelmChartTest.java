package io.basalt.compat.deploy;

import io.basalt.server.Main;
import io.basalt.server.config.Config;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks of the Helm chart in deploy/helm/basalt where no helm binary can be installed (no Debian
 * package; docs/operations.md says what this does and does not verify). It does not render the
 * Go templates. It checks what can be checked without them: Chart.yaml and values.yaml; that
 * every {@code .Values} path a template uses exists in values.yaml, every {@code include} names a
 * {@code define}, and block actions are balanced; that each manifest's YAML skeleton (action-only
 * lines dropped, inline actions replaced by a placeholder) parses, with the kinds, probe paths
 * and port names the chart needs; that the embedded shell scripts pass {@code bash -n}; and
 * that the redis.conf the chart builds from its default values is accepted by Basalt's own
 * parameter table.
 */
class HelmChartTest {
    private static final Path CHART = Path.of("..", "deploy", "helm", "basalt").toAbsolutePath().normalize();
    private static final Pattern ACTION = Pattern.compile("\\{\\{-?\\s*(.*?)\\s*-?}}", Pattern.DOTALL);
    private static final Pattern VALUES_PATH = Pattern.compile("\\.Values((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yamlMap(Path p) throws IOException {
        Object o = new Yaml().load(Files.readString(p, StandardCharsets.UTF_8));
        assertTrue(o instanceof Map, p + " is not a mapping");
        return (Map<String, Object>) o;
    }

    private static List<Path> templates() throws IOException {
        try (Stream<Path> s = Files.list(CHART.resolve("templates"))) {
            return s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".tpl") || f.toString().endsWith(".txt"))
                    .sorted().toList();
        }
    }

    @Test
    void chartAndValuesFiles() throws Exception {
        Map<String, Object> chart = yamlMap(CHART.resolve("Chart.yaml"));
        assertEquals("v2", chart.get("apiVersion"));
        assertEquals("basalt", chart.get("name"));
        assertEquals("application", chart.get("type"));
        assertTrue(String.valueOf(chart.get("version")).matches("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?"), "SemVer 2 version");
        assertNotNull(chart.get("appVersion"));

        Map<String, Object> values = yamlMap(CHART.resolve("values.yaml"));
        assertEquals("standalone", values.get("mode"));
        for (String key : List.of("image", "replication", "cluster", "config", "auth", "persistence", "service",
                "metrics", "probes", "podSecurityContext")) {
            assertTrue(values.containsKey(key), "values.yaml has " + key);
        }
        // the image runs as uid 999 (Dockerfile); the pod security context must agree
        assertEquals(999, ((Map<?, ?>) values.get("podSecurityContext")).get("runAsUser"));
        assertEquals(Boolean.FALSE, ((Map<?, ?>) ((Map<?, ?>) values.get("metrics")).get("serviceMonitor")).get("enabled"),
                "the ServiceMonitor needs the Prometheus Operator's CRDs: off unless asked for");
    }

    /**
     * values.schema.json (Helm checks the values against it on install, upgrade, lint and
     * template) accepts the default values.yaml, and refuses what the chart cannot deploy. The
     * checker here covers the JSON Schema keywords the file uses (type, enum, minimum, maximum,
     * minLength, required, properties, additionalProperties, items).
     */
    @Test
    @SuppressWarnings("unchecked")
    void valuesSchemaAcceptsTheDefaultsAndRefusesWhatCannotDeploy() throws Exception {
        Map<String, Object> schema = yamlMap(CHART.resolve("values.schema.json")); // JSON is YAML
        Map<String, Object> values = yamlMap(CHART.resolve("values.yaml"));
        assertEquals(List.of(), schemaErrors(schema, values, "values"));

        Map<String, Object> bad = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
        bad.put("mode", "sentinel");
        ((Map<String, Object>) bad.get("cluster")).put("masters", 2);
        bad.put("port", 60000); // its bus port would be past 65535
        ((Map<String, Object>) bad.get("config")).put("save", List.of("3600 1"));
        bad.put("replicas", 3); // a misspelt key
        assertEquals(List.of("values.cluster.masters: below the minimum 3",
                        "values.config.save: not of type [string, number, boolean, null]",
                        "values.mode: not one of [standalone, replicated, cluster]",
                        "values.port: above the maximum 55535", "values.replicas: not allowed"),
                schemaErrors(schema, bad, "values").stream().sorted().toList());
    }

    @SuppressWarnings("unchecked")
    private static List<String> schemaErrors(Map<String, Object> schema, Object value, String path) {
        List<String> errors = new ArrayList<>();
        Object type = schema.get("type");
        if (type != null) {
            List<Object> types = type instanceof List<?> l ? (List<Object>) l : List.of(type);
            boolean ok = false;
            for (Object t : types) {
                ok |= switch ((String) t) {
                    case "object" -> value instanceof Map;
                    case "array" -> value instanceof List;
                    case "string" -> value instanceof String;
                    case "integer" -> value instanceof Integer || value instanceof Long;
                    case "number" -> value instanceof Number;
                    case "boolean" -> value instanceof Boolean;
                    case "null" -> value == null;
                    default -> throw new AssertionError("schema type " + t);
                };
            }
            if (!ok) {
                errors.add(path + ": not of type " + String.join(", ", types.stream().map(String::valueOf).toList())
                        .replaceAll("^(.*)$", types.size() > 1 ? "[$1]" : "$1"));
                return errors;
            }
        }
        if (schema.get("enum") instanceof List<?> e && !e.contains(value)) errors.add(path + ": not one of " + e);
        if (value instanceof Number n) {
            if (schema.get("minimum") instanceof Number min && n.doubleValue() < min.doubleValue()) errors.add(path + ": below the minimum " + min);
            if (schema.get("maximum") instanceof Number max && n.doubleValue() > max.doubleValue()) errors.add(path + ": above the maximum " + max);
        }
        if (value instanceof String str && schema.get("minLength") instanceof Number ml && str.length() < ml.intValue()) {
            errors.add(path + ": shorter than " + ml);
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> props = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
            for (Object r : (List<?>) schema.getOrDefault("required", List.of())) {
                if (!m.containsKey(r)) errors.add(path + "." + r + ": required");
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                Object sub = props.get(key);
                if (sub == null) sub = schema.get("additionalProperties");
                if (Boolean.FALSE.equals(sub)) errors.add(path + "." + key + ": not allowed");
                else if (sub instanceof Map<?, ?> subSchema) errors.addAll(schemaErrors((Map<String, Object>) subSchema, e.getValue(), path + "." + key));
            }
        }
        if (value instanceof List<?> l && schema.get("items") instanceof Map<?, ?> items) {
            for (int i = 0; i < l.size(); i++) errors.addAll(schemaErrors((Map<String, Object>) items, l.get(i), path + "[" + i + "]"));
        }
        return errors;
    }

    @Test
    void everyValuesPathIncludeAndBlockResolves() throws Exception {
        Map<String, Object> values = yamlMap(CHART.resolve("values.yaml"));
        Set<String> defined = new HashSet<>();
        Map<Path, String> texts = new HashMap<>();
        for (Path t : templates()) {
            String text = Files.readString(t, StandardCharsets.UTF_8);
            texts.put(t, text);
            Matcher d = Pattern.compile("\\{\\{-?\\s*define\\s+\"([^\"]+)\"").matcher(text);
            while (d.find()) defined.add(d.group(1));
        }
        assertTrue(defined.containsAll(List.of("basalt.fullname", "basalt.labels", "basalt.selectorLabels",
                "basalt.podCount", "basalt.image", "basalt.headless")), defined.toString());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Path, String> e : texts.entrySet()) {
            String name = e.getKey().getFileName().toString();
            String text = e.getValue();
            Matcher v = VALUES_PATH.matcher(text);
            while (v.find()) {
                Object node = values;
                for (String part : v.group(1).substring(1).split("\\.")) {
                    if (!(node instanceof Map<?, ?> m) || !m.containsKey(part)) {
                        problems.add(name + ": .Values" + v.group(1) + " is not in values.yaml");
                        break;
                    }
                    node = m.get(part);
                }
            }
            Matcher inc = Pattern.compile("include\\s+\"([^\"]+)\"").matcher(text);
            while (inc.find()) {
                if (!defined.contains(inc.group(1))) problems.add(name + ": include of undefined " + inc.group(1));
            }
            // every if/range/with/define is closed by one end (else/else if are inside a block)
            int depth = 0;
            Matcher a = ACTION.matcher(text);
            while (a.find()) {
                String action = a.group(1);
                if (action.startsWith("/*")) continue;
                String word = action.split("\\s+")[0];
                if (Set.of("if", "range", "with", "define", "block").contains(word)) depth++;
                if (word.equals("end")) depth--;
                if (depth < 0) problems.add(name + ": an end without a block");
            }
            if (depth != 0) problems.add(name + ": " + depth + " block(s) not closed");
            if (text.contains("{{") && text.replaceAll("\\{\\{.*?}}", "").contains("{{")) {
                problems.add(name + ": an action spans lines or is not closed");
            }
        }
        assertEquals(List.of(), problems);
    }

    /**
     * The manifests' YAML skeleton: lines holding only an action are dropped (both branches of an
     * if stay), other actions become a placeholder scalar. Catches indentation and structure
     * mistakes, which are what breaks charts most, without a template engine.
     */
    @Test
    void manifestSkeletonsParseWithTheKindsProbesAndPortsTheChartNeeds() throws Exception {
        Map<String, Map<String, Object>> byKind = new HashMap<>();
        for (Path t : templates()) {
            String name = t.getFileName().toString();
            if (!name.endsWith(".yaml")) continue;
            StringBuilder sb = new StringBuilder();
            for (String line : Files.readString(t, StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.strip().matches("\\{\\{-?.*-?}}") && ACTION.matcher(line.strip()).replaceAll("").isEmpty()) continue;
                sb.append(ACTION.matcher(line).replaceAll("TEMPLATED")).append('\n');
            }
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(true); // the two branches of an if may set one key
            try {
                for (Object doc : new Yaml(options).loadAll(sb.toString())) {
                    if (doc == null) continue;
                    assertTrue(doc instanceof Map, name + ": a manifest is a mapping");
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) doc;
                    assertNotNull(m.get("apiVersion"), name + ": apiVersion");
                    assertNotNull(m.get("kind"), name + ": kind");
                    assertTrue(m.get("metadata") instanceof Map<?, ?> md && md.containsKey("name"), name + ": metadata.name");
                    byKind.putIfAbsent((String) m.get("kind"), m);
                }
            } catch (org.yaml.snakeyaml.error.YAMLException e) {
                fail(name + " does not parse as YAML once its actions are stood in for:\n" + e.getMessage() + "\n" + sb);
            }
        }
        assertEquals(Set.of("ConfigMap", "Secret", "Service", "StatefulSet", "Job", "ServiceMonitor"), byKind.keySet());

        Map<?, ?> podSpec = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) byKind.get("StatefulSet").get("spec")).get("template")).get("spec");
        Map<?, ?> container = (Map<?, ?>) ((List<?>) podSpec.get("containers")).get(0);
        Set<Object> portNames = new HashSet<>();
        for (Object p : (List<?>) container.get("ports")) portNames.add(((Map<?, ?>) p).get("name"));
        assertEquals(Set.of("redis", "http-metrics", "cluster-bus"), portNames);
        for (String[] probe : new String[][]{{"startupProbe", "/health/live"}, {"livenessProbe", "/health/live"},
                {"readinessProbe", "/health/ready"}}) {
            Map<?, ?> get = (Map<?, ?>) ((Map<?, ?>) container.get(probe[0])).get("httpGet");
            assertEquals(probe[1], get.get("path"), probe[0]);
            assertEquals("http-metrics", get.get("port"), probe[0]);
        }
        assertTrue(((Map<?, ?>) byKind.get("StatefulSet").get("spec")).containsKey("volumeClaimTemplates"));
        Map<?, ?> endpoint = (Map<?, ?>) ((List<?>) ((Map<?, ?>) byKind.get("ServiceMonitor").get("spec")).get("endpoints")).get(0);
        assertEquals("http-metrics", endpoint.get("port"));
        assertEquals("/metrics", endpoint.get("path"));
        // the probe paths are ones the operations listener serves
        String ops = Files.readString(Path.of("..", "server", "src", "main", "java", "io", "basalt", "server", "ops",
                "OpsHttpServer.java"));
        assertTrue(ops.contains("\"/health/live\"") && ops.contains("\"/health/ready\"") && ops.contains("\"/metrics\""));
    }

    /** The shell scripts the pods and the Job run (the "args: [bash, -c, |...]" blocks). */
    @Test
    void embeddedScriptsAreValidBash() throws Exception {
        int scripts = 0;
        for (Path t : templates()) {
            List<String> lines = List.of(Files.readString(t, StandardCharsets.UTF_8).split("\n", -1));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (!(lines.get(i).strip().equals("- -c") && lines.get(i + 1).strip().equals("- |"))) continue;
                int indent = lines.get(i + 1).indexOf('-') + 2;
                StringBuilder script = new StringBuilder();
                int j = i + 2;
                for (; j < lines.size(); j++) {
                    String l = lines.get(j);
                    if (!l.isBlank() && (l.length() - l.stripLeading().length()) < indent) break;
                    script.append(l.length() >= indent ? l.substring(indent) : "").append('\n');
                }
                Process p = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
                p.getOutputStream().write(script.toString().getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), t.getFileName() + ": bash -n: " + out + "\n" + script);
                assertFalse(script.toString().contains("{{"), "no template action inside a script: " + script);
                scripts++;
            }
        }
        assertEquals(2, scripts, "the StatefulSet's start script and the cluster Job's");
    }

    /**
     * The redis.conf of the ConfigMap, built from the default values the way the template does
     * (the fixed lines, the cluster lines, then "name value" for each config entry), is accepted
     * by Basalt's parameter table in every mode.
     */
    @Test
    void theConfigMapsRedisConfIsAcceptedByBasalt() throws Exception {
        Map<String, Object> values = yamlMap(CHART.resolve("values.yaml"));
        String template = Files.readString(CHART.resolve("templates").resolve("configmap.yaml"));
        assertTrue(template.contains("{{ $name }} {{ if kindIs \"bool\" $value }}{{ ternary \"yes\" \"no\" $value }}"
                        + "{{ else if eq (toString $value) \"\" }}\"\"{{ else }}{{ $value }}{{ end }}"),
                "the template writes config entries as name value, a boolean as yes/no, an empty value as \"\"");
        for (String mode : List.of("standalone", "replicated", "cluster")) {
            StringBuilder conf = new StringBuilder();
            conf.append("port ").append(values.get("port")).append('\n');
            conf.append("basalt-http-port ").append(values.get("httpPort")).append('\n');
            conf.append("dir ").append(Files.createTempDirectory("chart-dir")).append('\n');
            if (mode.equals("cluster")) {
                assertTrue(template.contains("cluster-enabled yes"));
                conf.append("cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout ")
                        .append(((Map<?, ?>) values.get("cluster")).get("nodeTimeout")).append('\n');
            }
            // Go's range over a map is in key order
            Map<Object, Object> config = new java.util.TreeMap<>((Map<?, ?>) values.get("config"));
            config.put("save", ""); // the empty-value branch: save "" must be accepted too
            config.put("lazyfree-lazy-eviction", Boolean.TRUE); // the boolean branch
            config.forEach((k, v) -> conf.append(k).append(' ').append(v instanceof Boolean b ? (b ? "yes" : "no")
                    : String.valueOf(v).isEmpty() ? "\"\"" : v).append('\n'));
            Path f = Files.createTempFile("chart-redis", ".conf");
            Files.writeString(f, conf);
            Config c = Config.defaults();
            List<String> warnings = new ArrayList<>();
            c.warnings(warnings::add);
            Main.load(c, List.of(f.toString()));
            assertEquals(List.of(), warnings, mode + ": every directive is one Basalt knows and implements");
            assertEquals(Long.toString(256L * 1024 * 1024), c.get("maxmemory"));
            assertEquals("no", c.get("protected-mode"));
            assertEquals("", c.get("save"));
            assertEquals("yes", c.get("lazyfree-lazy-eviction"));
            assertEquals(mode.equals("cluster") ? "yes" : "no", c.get("cluster-enabled"));
            Files.delete(f);
        }
    }
}
