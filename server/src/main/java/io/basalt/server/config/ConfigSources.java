package io.basalt.server.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The configuration layers besides redis.conf and the command line: a YAML (or JSON) file and
 * environment variables. Both are turned into {@link ConfigFile.Directive}s, so every value goes
 * through the one parameter table ({@link Config#setAtStartup}) and a bad one is reported in
 * redis-server's "FATAL CONFIG FILE ERROR" shape, naming the YAML line or the variable.
 */
public final class ConfigSources {
    private ConfigSources() {}

    /** Environment variables of this prefix name parameters: BASALT_MAXMEMORY=1gb. */
    public static final String ENV_PREFIX = "BASALT_";

    /**
     * BASALT_ variables that belong to the launcher, the tests or the build scripts rather than to
     * a parameter: not reported as unknown.
     */
    static final Set<String> ENV_NOT_PARAMETERS = Set.of(
            "BASALT_JAVA_OPTS", "BASALT_JAR", "BASALT_REFERENCE", "BASALT_CLUSTER_NODES", "BASALT_SOAK",
            "BASALT_SOAK_SECONDS", "BASALT_CLUSTER_SOAK", "BASALT_CI_DOCKER", "BASALT_DEBIAN_MIRROR",
            "BASALT_DEBOOTSTRAP_CACHE", "BASALT_IMAGE", "BASALT_BASE_IMAGE", "BASALT_PORTS_FILE");

    /** Directives that redis.conf repeats, one line each: a YAML list gives one line per item. */
    static final Set<String> REPEATED = Set.of("save", "client-output-buffer-limit");

    /**
     * The parameters set by {@code BASALT_*} variables of {@code env}, in variable-name order. A
     * parameter's variable is BASALT_ + its name (or an alias) in upper case, '-' as '_':
     * BASALT_MAXMEMORY, BASALT_MAXMEMORY_POLICY; Basalt's own basalt-* parameters also answer
     * without the repeated prefix (BASALT_HTTP_PORT for basalt-http-port). An empty value is an
     * empty argument (BASALT_SAVE= is save ""). Variables naming no parameter are reported to
     * {@code warnings} and ignored, as unknown redis.conf directives are.
     */
    public static List<ConfigFile.Directive> fromEnvironment(Config config, Map<String, String> env,
                                                            Consumer<String> warnings)
            throws ConfigFile.ConfigFileException {
        Map<String, ConfigParam> byVariable = new HashMap<>();
        for (ConfigParam p : config.params()) {
            if (p.hidden) continue; // test hooks are not part of the deployment surface
            List<String> names = new ArrayList<>(List.of(p.aliases));
            names.add(p.name);
            for (String n : names) {
                String v = ENV_PREFIX + n.toUpperCase(Locale.ROOT).replace('-', '_');
                byVariable.put(v, p);
                if (n.startsWith("basalt-")) byVariable.put(ENV_PREFIX + v.substring((ENV_PREFIX + "BASALT_").length()), p);
            }
        }
        List<ConfigFile.Directive> out = new ArrayList<>();
        Map<ConfigParam, String> setBy = new HashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String var = e.getKey();
            if (!var.startsWith(ENV_PREFIX) || ENV_NOT_PARAMETERS.contains(var)) continue;
            ConfigParam p = byVariable.get(var);
            String text = var + "=" + e.getValue();
            if (p == null) {
                warnings.accept("environment variable " + var + " names no configuration parameter and was ignored");
                continue;
            }
            String other = setBy.put(p, var);
            if (other != null) {
                // BASALT_REPLICAOF and BASALT_SLAVEOF at once: no order between them to pick a winner
                throw ConfigFile.error("the environment variable " + var, 0, text,
                        p.name + ": also set by " + other);
            }
            out.add(new ConfigFile.Directive("the environment variable " + var, 0, p.name,
                    List.of(e.getValue()), text));
        }
        return out;
    }

    /**
     * The directives of a YAML file: one mapping of directive names (as in redis.conf) to values.
     * A value is a scalar, written as in redis.conf without the quoting (maxmemory: 1gb,
     * save: "3600 1 300 100", save: "" or save: null for none), or a list: one line per item
     * for the directives redis.conf repeats (save, client-output-buffer-limit), the words of one
     * line for the others (bind: [127.0.0.1, "::1"]). YAML's booleans (true/false, yes/no, on/off)
     * are yes/no for Redis's boolean parameters; otherwise a value is its text as written (so
     * appendfsync: no stays "no"). JSON is YAML too, so a .json file of the same shape works.
     */
    public static List<ConfigFile.Directive> fromYaml(Config config, Path file) throws ConfigFile.ConfigFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigFile.ConfigFileException("Fatal error, can't open config file '" + file + "': " + e.getMessage());
        }
        return parseYaml(config, file.toString(), text);
    }

    /** {@link #fromYaml} on text already read ({@code source} names it in errors). */
    public static List<ConfigFile.Directive> parseYaml(Config config, String source, String text)
            throws ConfigFile.ConfigFileException {
        String[] lines = text.split("\n", -1);
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        Node root;
        try {
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 1;
            throw ConfigFile.error(source, line, lineText(lines, line),
                    "Invalid YAML: " + (e.getProblem() != null ? e.getProblem() : e.getMessage()));
        } catch (YAMLException e) {
            throw ConfigFile.error(source, 1, lineText(lines, 1), "Invalid YAML: " + e.getMessage());
        }
        List<ConfigFile.Directive> out = new ArrayList<>();
        if (root == null) return out; // an empty file
        if (!(root instanceof MappingNode map)) {
            int line = root.getStartMark().getLine() + 1;
            throw ConfigFile.error(source, line, lineText(lines, line),
                    "The YAML configuration must be a mapping of directive names to values");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (NodeTuple t : map.getValue()) {
            int line = t.getKeyNode().getStartMark().getLine() + 1;
            String lineText = lineText(lines, line);
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                throw ConfigFile.error(source, line, lineText, "Bad directive or wrong number of arguments");
            }
            String name = key.getValue().toLowerCase(Locale.ROOT);
            ConfigParam p = config.param(name);
            String canonical = p == null ? name : p.name;
            Integer before = seen.put(canonical, line);
            if (before != null) {
                // redis.conf lets a later line win; in YAML a repeated key is almost surely a
                // mistake (and most YAML tools reject it), so it is refused with both lines named
                throw ConfigFile.error(source, line, lineText, name + ": also set at line " + before);
            }
            if (name.equals("include") || name.equals("basalt-config-yaml")) {
                throw ConfigFile.error(source, line, lineText, name + ": not allowed in the YAML configuration");
            }
            Node value = t.getValueNode();
            if (value instanceof ScalarNode s) {
                out.add(directive(source, line, name, scalar(p, s), lineText));
            } else if (value instanceof SequenceNode seq) {
                List<String> items = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    if (!(item instanceof ScalarNode s)) {
                        int l = item.getStartMark().getLine() + 1;
                        throw ConfigFile.error(source, l, lineText(lines, l),
                                name + ": a list item must be a single value");
                    }
                    items.add(scalar(p, s));
                }
                if (p != null && REPEATED.contains(p.name)) {
                    if (items.isEmpty()) out.add(directive(source, line, name, "", lineText));
                    for (int i = 0; i < items.size(); i++) {
                        int l = seq.getValue().get(i).getStartMark().getLine() + 1;
                        out.add(directive(source, l, name, items.get(i), lineText(lines, l)));
                    }
                } else {
                    out.add(directive(source, line, name, String.join(" ", items), lineText));
                }
            } else {
                throw ConfigFile.error(source, line, lineText,
                        name + ": the value must be a single value or a list of values");
            }
        }
        return out;
    }

    private static ConfigFile.Directive directive(String source, int line, String name, String value, String text) {
        return new ConfigFile.Directive(source, line, name, List.of(value), text);
    }

    /** A scalar's text; YAML booleans become yes/no for boolean parameters, null becomes "". */
    private static String scalar(ConfigParam p, ScalarNode s) {
        if (Tag.NULL.equals(s.getTag())) return "";
        if (p != null && p.type == ConfigParam.Type.BOOL && Tag.BOOL.equals(s.getTag())) {
            String v = s.getValue().toLowerCase(Locale.ROOT);
            return v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("y") ? "yes" : "no";
        }
        return s.getValue();
    }

    private static String lineText(String[] lines, int line) {
        return line >= 1 && line <= lines.length ? lines[line - 1].strip() : "";
    }
}
